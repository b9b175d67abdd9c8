// Unit tests of the Landlock backend: landlock.json's layers from policies, the deny-inside-allow
// check, and the TCP port algebra (allows, the proxy, port-only denies).
#include <doctest/doctest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "backends/landlock/emit.h"
#include "backends/landlock/fs_layer.h"
#include "test_support.h"

namespace polc {
namespace {

using nlohmann::json;

struct Built {
  std::unique_ptr<test::Compiled> c;
  std::optional<backends::landlock::LandlockArtifacts> out;
  json doc;
};

Built build(const std::string& body) {
  Built b;
  b.c = test::compile(test::policy_with(body));
  REQUIRE_MESSAGE(b.c->policy, "the policy does not compile");
  b.out = backends::landlock::emit(*b.c->policy, b.c->engine);
  if (b.out) b.doc = json::parse(b.out->json);
  return b;
}

json ports(std::initializer_list<std::pair<int, int>> ranges) {
  json out = json::array();
  for (auto [lo, hi] : ranges) out.push_back({lo, hi});
  return out;
}

TEST_CASE("landlock: one rule per path with the union of its rights, handled rights of the minimum ABI") {
  auto b = build(R"(filesystem {
      landlock abi >= 2
      read "/usr"
      execute "/usr/bin/tool"
      read_file "/usr"
    })");
  REQUIRE(b.out);
  CHECK(b.doc["min_abi"] == 2);
  const auto& fs = b.doc["fs"];
  CHECK(fs["handled_access"].size() == 14);  // ABI 2: bits 0..13
  CHECK(fs["handled_access"].back() == "refer");
  REQUIRE(fs["rules"].size() == 2);
  CHECK(fs["rules"][0]["path"] == "/usr");
  CHECK(fs["rules"][0]["access"] == json({"read_file", "read_dir"}));
  CHECK(fs["rules"][1]["path"] == "/usr/bin/tool");
  CHECK(fs["rules"][1]["access"] == json({"execute"}));
  CHECK(b.doc["net"].is_null());
  CHECK(b.doc["scope"].is_null());
}

TEST_CASE("landlock: a policy without a filesystem section has no fs layer") {
  auto b = build("syscalls { allow read }");
  REQUIRE(b.out);
  CHECK(b.doc["fs"].is_null());
  CHECK(b.doc["min_abi"] == 0);
}

TEST_CASE(
    "landlock: deny rules that overlap a grant are unenforceable (E0606), disjoint ones are enforced by not granting") {
  // The backend reports nothing itself: it hands the driver each deny it cannot enforce with its
  // E0606, reported unless another selected backend (os) enforces the deny.
  auto inside = build(R"(filesystem {
      landlock abi >= 3
      read, write "/workspace"
      deny write "/workspace/.git"
    })");
  REQUIRE(inside.out);
  CHECK(inside.c->count(diag::Code::DenyInsideAllow) == 0);
  REQUIRE(inside.out->unenforceable.size() == 1);
  const diag::Diagnostic& d = inside.out->unenforceable[0].diagnostic;
  CHECK(d.code == diag::Code::DenyInsideAllow);
  CHECK(d.message.find("\"/workspace\" grants it on everything beneath it") != std::string::npos);
  CHECK(d.notes.size() == 2);
  // Every right it denies is granted there: landlock.json enforces none of it and claims nothing.
  const auto claims_git = [](const backends::Enforcements& claims) {
    return std::find_if(claims.begin(), claims.end(),
                        [](const auto& e) { return e.how.find("/workspace/.git") != std::string::npos; });
  };
  CHECK(claims_git(inside.out->enforced) == inside.out->enforced.end());
  // A deny of rights some of which no grant reaches: those are enforced by not granting, in part.
  auto part = build(R"(filesystem {
      landlock abi >= 3
      read "/workspace"
      deny read, write "/workspace/.git"
    })");
  REQUIRE(part.out);
  CHECK(part.out->unenforceable.size() == 1);
  const auto partial = claims_git(part.out->enforced);
  REQUIRE(partial != part.out->enforced.end());
  CHECK(partial->extent == backends::Extent::Partial);
  CHECK(partial->how.find("cannot take back read_file, read_dir that \"/workspace\" grants there") !=
        std::string::npos);

  auto above = build(R"(filesystem {
      landlock abi >= 3
      deny read "/home"
      read "/home/agent"
    })");
  REQUIRE(above.out);
  REQUIRE(above.out->unenforceable.size() == 1);
  CHECK(above.out->unenforceable[0].diagnostic.message.find("inside it is granted it") != std::string::npos);

  auto root = build(R"(filesystem {
      landlock abi >= 3
      read "/"
      deny read "/etc/shadow"
    })");
  REQUIRE(root.out);
  CHECK(root.out->unenforceable.size() == 1);

  auto other_rights = build(R"(filesystem {
      landlock abi >= 3
      read "/workspace"
      deny write "/workspace/.git"
      deny execute "/workspace"
    })");
  REQUIRE(other_rights.out);
  CHECK(other_rights.out->unenforceable.empty());
  CHECK(other_rights.doc["fs"]["rules"].size() == 1);
  // Denies are listed for launchers to check on the host's resolved paths, one per path.
  const auto& denies = other_rights.doc["fs"]["denies"];
  REQUIRE(denies.size() == 2);
  CHECK(denies[0]["path"] == "/workspace");
  CHECK(denies[0]["access"] == json({"execute"}));
  CHECK(denies[1]["path"] == "/workspace/.git");

  auto sibling = build(R"(filesystem {
      landlock abi >= 3
      read, write "/workspace"
      deny write "/workspace2"
    })");
  REQUIRE(sibling.out);
  CHECK(sibling.out->unenforceable.empty());
}

TEST_CASE("landlock: beneath() compares whole path components") {
  using backends::landlock::beneath;
  CHECK(beneath("/a/b", "/a"));
  CHECK(beneath("/a", "/a"));
  CHECK(beneath("/anything", "/"));
  CHECK_FALSE(beneath("/ab", "/a"));
  CHECK_FALSE(beneath("/a", "/a/b"));
}

TEST_CASE("landlock: the network layer needs ABI 4 or best effort") {
  const std::string net = R"(network {
      connect tcp 443, 8000-8002 to 10.0.0.0/8
    })";
  auto absent = build("filesystem {\n landlock abi >= 3\n read \"/usr\"\n }\n" + net);
  REQUIRE(absent.out);
  CHECK(absent.doc["net"].is_null());

  auto best = build("filesystem {\n landlock abi >= 3\n landlock best_effort network\n read \"/usr\"\n }\n" + net);
  REQUIRE(best.out);
  CHECK(best.doc["net"]["best_effort"] == true);
  CHECK(best.doc["net"]["abi"] == 4);

  auto required = build("filesystem {\n landlock abi >= 4\n read \"/usr\"\n }\n" + net);
  REQUIRE(required.out);
  const auto& n = required.doc["net"];
  CHECK(n["best_effort"] == false);
  // No bind rule: every bind is refused (handled, no rule); connects only to the allowed ports.
  CHECK(n["handled_access"] == json({"bind_tcp", "connect_tcp"}));
  REQUIRE(n["rules"].size() == 1);
  CHECK(n["rules"][0]["access"] == json({"connect_tcp"}));
  CHECK(n["rules"][0]["ports"] == ports({{443, 443}, {8000, 8002}}));
}

TEST_CASE("landlock: the proxy's port is connectable, domain rules' own ports are not, port-only denies win") {
  auto b = build(R"(filesystem {
      landlock abi >= 4
      read "/usr"
    }
    network {
      proxy 127.0.0.1 port 3128
      connect tcp 443 to "pypi.org"
      connect tcp 8000-8010 to 127.0.0.1
      connect tcp any
      bind tcp 9000
      deny connect tcp 25, 8005
      deny tcp 9000
    })");
  REQUIRE(b.out);
  const auto& n = b.doc["net"];
  // `connect tcp any` allows every port minus the denied ones (`deny tcp 9000` covers both
  // directions), and the bind on 9000 is denied, which leaves no bind rule.
  CHECK(n["handled_access"] == json({"bind_tcp", "connect_tcp"}));
  REQUIRE(n["rules"].size() == 1);
  CHECK(n["rules"][0]["access"] == json({"connect_tcp"}));
  CHECK(n["rules"][0]["ports"] == ports({{1, 24}, {26, 8004}, {8006, 8999}, {9001, 65535}}));

  auto proxy_only = build(R"(filesystem {
      landlock abi >= 4
      read "/usr"
    }
    network {
      proxy 127.0.0.1 port 3128
      connect tcp 443 to "pypi.org"
      bind tcp 7000-7001
    })");
  REQUIRE(proxy_only.out);
  const auto& p = proxy_only.doc["net"]["rules"];
  REQUIRE(p.size() == 2);
  CHECK(p[0]["access"] == json({"bind_tcp"}));
  CHECK(p[0]["ports"] == ports({{7000, 7001}}));
  CHECK(p[1]["ports"] == ports({{3128, 3128}}));
}

TEST_CASE("landlock: every port allowed both ways leaves the network layer out") {
  auto b = build(R"(filesystem {
      landlock abi >= 4
      read "/usr"
    }
    network {
      connect tcp any
      bind tcp any
      connect udp 53 to 10.0.0.53
    })");
  REQUIRE(b.out);
  CHECK(b.doc["net"].is_null());
}

TEST_CASE("landlock: scopes, required at ABI 6 and best effort below") {
  auto required = build(R"(filesystem {
      landlock abi >= 6
      landlock scope signal, abstract_unix_socket
      read "/usr"
    })");
  REQUIRE(required.out);
  CHECK(required.doc["scope"]["best_effort"] == false);
  CHECK(required.doc["scope"]["scoped"] == json({"abstract_unix_socket", "signal"}));

  auto best = build(R"(filesystem {
      landlock abi >= 3
      landlock scope signal
      landlock best_effort scope
      read "/usr"
    })");
  REQUIRE(best.out);
  CHECK(best.doc["scope"]["best_effort"] == true);
  CHECK(best.doc["scope"]["scoped"] == json({"signal"}));

  auto refused = test::compile(test::policy_with(R"(filesystem {
      landlock abi >= 3
      landlock scope signal
      read "/usr"
    })"));
  CHECK_FALSE(refused->policy);
  CHECK(refused->has(diag::Code::RightNeedsNewerAbi));
}

TEST_CASE("landlock: output is deterministic and reports what it enforces") {
  const std::string body = R"(filesystem {
      landlock abi >= 6
      landlock scope signal
      read "/usr", "/etc/ssl"
      read, write "/workspace"
    }
    network {
      connect tcp 8080 to 127.0.0.1
      deny connect tcp 25
    })";
  auto a = build(body);
  auto b = build(body);
  REQUIRE(a.out);
  REQUIRE(b.out);
  CHECK(a.out->json == b.out->json);
  size_t full = 0, partial = 0;
  for (const auto& e : a.out->enforced) (e.extent == backends::Extent::Full ? full : partial)++;
  CHECK(full == 5);     // 3 paths, the scope, the ABI statement (every right not granted)
  CHECK(partial == 2);  // the address rule (ports only), the connect deny (not TCP Fast Open)
}

}  // namespace
}  // namespace polc
