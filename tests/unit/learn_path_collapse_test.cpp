// Unit tests of the path collapse rules (compiler/learn/path_collapse.h) and of which paths a draft
// can name (path_text.h) or must never grant (sensitive_paths.h).
#include <doctest/doctest.h>

#include "compiler/ir/vocab.h"
#include "compiler/learn/path_collapse.h"
#include "compiler/learn/path_text.h"
#include "compiler/learn/sensitive_paths.h"

using namespace polc;
using namespace polc::learn;

namespace {
constexpr uint64_t kRead = ir::fs_right::kReadFile;
constexpr uint64_t kWrite = ir::fs_right::kWriteFile;
constexpr uint64_t kExec = ir::fs_right::kExecute;
constexpr uint64_t kMakeReg = ir::fs_right::kMakeReg;
}  // namespace

TEST_CASE("collapse: three files of one directory become the directory, per right") {
  PathRights in = {{"/srv/data/a", kRead}, {"/srv/data/b", kRead}, {"/srv/data/c", kRead | kWrite}};
  PathRights out = collapse_paths(in, {});
  CHECK(out == PathRights{{"/srv/data", kRead}, {"/srv/data/c", kWrite}});
  // Two are not enough.
  PathRights two = {{"/srv/data/a", kRead}, {"/srv/data/b", kRead}};
  CHECK(collapse_paths(two, {}) == two);
}

TEST_CASE("collapse: repeated upwards, never to /, a top-level directory or a home directory") {
  PathRights in;
  for (const char* d : {"/srv/x/a", "/srv/x/b", "/srv/x/c"})
    for (const char* f : {"/1", "/2", "/3"}) in[std::string(d) + f] = kRead;
  CHECK(collapse_paths(in, {}) == PathRights{{"/srv/x", kRead}});
  for (const char* dir : {"/etc", "/usr", "/home/alice", "/root", "/tmp"}) {
    PathRights files = {{std::string(dir) + "/a", kRead}, {std::string(dir) + "/b", kRead}, {std::string(dir) + "/c", kRead}};
    CHECK_MESSAGE(collapse_paths(files, {}) == files, dir);
  }
  PathRights top = {{"/a", kRead}, {"/b", kRead}, {"/c", kRead}};
  CHECK(collapse_paths(top, {}) == top);
  CHECK(collapse_forbidden("/"));
  CHECK(collapse_forbidden("/home/alice"));
  CHECK_FALSE(collapse_forbidden("/home/alice/project"));
}

TEST_CASE("collapse: nothing beneath /proc, /sys or /dev") {
  PathRights in = {{"/proc/sys/kernel/a", kRead}, {"/proc/sys/kernel/b", kRead}, {"/proc/sys/kernel/c", kRead},
                   {"/dev/pts/1", kRead},         {"/dev/pts/2", kRead},         {"/dev/pts/3", kRead},
                   {"/sys/fs/x/a", kRead},        {"/sys/fs/x/b", kRead},        {"/sys/fs/x/c", kRead}};
  CHECK(collapse_paths(in, {}) == in);
}

TEST_CASE("collapse: libraries are read from their multiarch directory; execute stays on the file") {
  PathRights in = {{"/usr/lib/x86_64-linux-gnu/libc.so.6", kRead},
                   {"/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", kRead | kExec}};
  CHECK(collapse_paths(in, {}) == PathRights{{"/usr/lib/x86_64-linux-gnu", kRead},
                                              {"/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", kExec}});
}

TEST_CASE("collapse: never above an observed credential path") {
  PathRights in = {{"/work/p/a", kRead}, {"/work/p/b", kRead}, {"/work/p/c", kRead}};
  CHECK(collapse_paths(in, {"/work/p/.env"}) == in);
  CHECK(collapse_paths(in, {}) == PathRights{{"/work/p", kRead}});
}

TEST_CASE("collapse: created entries are granted on the directory they were created in") {
  PathRights in = {{"/tmp/b", kMakeReg}, {"/tmp/b/cc1.s", kWrite | kRead}};
  // The make_reg observation is already on the parent (/tmp/b is where cc1.s was made).
  CHECK(collapse_paths(in, {}, {"/tmp/b/cc1.s"}) == PathRights{{"/tmp/b", kMakeReg | kWrite | kRead}});
  // Not into a home directory: the entry keeps its path.
  PathRights home = {{"/root", kMakeReg}, {"/root/.history", kWrite}};
  CHECK(collapse_paths(home, {}, {"/root/.history"}) == home);
}

TEST_CASE("collapse: a right granted on an ancestor is not repeated") {
  PathRights in = {{"/srv/a", kRead}, {"/srv/a/b", kRead | kWrite}};
  CHECK(collapse_paths(in, {}) == PathRights{{"/srv/a", kRead}, {"/srv/a/b", kWrite}});
}

TEST_CASE("paths a policy cannot name are recognized, never altered") {
  CHECK_FALSE(unrepresentable_reason("/usr/lib/x"));
  CHECK_FALSE(unrepresentable_reason("/"));
  CHECK_FALSE(unrepresentable_reason("/tmp/caf\xc3\xa9"));
  CHECK(unrepresentable_reason("/tmp/a\nb"));
  CHECK(unrepresentable_reason("/tmp/a\tb"));
  CHECK(unrepresentable_reason("/tmp/a\x7f"));
  CHECK(unrepresentable_reason("/tmp/\xff"));
  CHECK(unrepresentable_reason("/tmp/\xc0\xaf"));  // overlong "/"
  CHECK(unrepresentable_reason("/tmp/\xed\xa0\x80"));  // surrogate
  CHECK(unrepresentable_reason("relative"));
  CHECK(unrepresentable_reason("/tmp//x"));
  CHECK(unrepresentable_reason("/tmp/./x"));
  CHECK(unrepresentable_reason("/tmp/x/"));
  CHECK(quoted_path("/a\"b\\c") == "\"/a\\\"b\\\\c\"");
  CHECK(printable_path("/a\nb\xff") == "/a\\x0ab\\xff");
}

TEST_CASE("credential paths") {
  for (const char* p : {"/root/.ssh/id_ed25519", "/home/u/.gnupg/pubring.kbx", "/work/app/.env", "/work/app/.env.local",
                        "/home/u/.netrc", "/home/u/.aws/credentials", "/home/u/.kube/config", "/tmp/id_rsa",
                        "/home/u/.config/gcloud/credentials.db", "/etc/shadow", "/home/u/.docker/config.json"})
    CHECK_MESSAGE(sensitive_path(p), p);
  for (const char* p : {"/usr/lib/libc.so.6", "/etc/passwd", "/work/app/environment.py", "/home/u/.envrc.d/x",
                        "/srv/identity", "/home/u/.config/app"})
    CHECK_MESSAGE(!sensitive_path(p), p);
}

TEST_CASE("collapse: a created entry's rights stay on it when its directory holds a credential") {
  PathRights in = {{"/work/p", ir::fs_right::kMakeDir}, {"/work/p/out/a.txt", kRead}};
  CHECK(collapse_paths(in, {"/work/p/.env"}, {"/work/p/out"}) == in);
  CHECK(collapse_paths(in, {}, {"/work/p/out"}) == PathRights{{"/work/p", ir::fs_right::kMakeDir | kRead}});
}
