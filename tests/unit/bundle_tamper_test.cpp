// Unit tests of bundle integrity (compiler/bundle/bundle_reader.h) on a real bundle built and
// signed in-process: every single-byte change of every file is rejected, as is every file added,
// removed or replaced by a symlink, directory or FIFO, each with the problem kind (and file) that
// `polc verify` and sbx-exec report. Malformed manifests: bundle_manifest_test.cpp.
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "compiler/driver/commands.h"
#include "tests/unit/bundle_test_support.h"

using namespace polc;
using namespace polc::test::bundles;

TEST_CASE("bundle fixture: a freshly built, 2-of-3 signed bundle is intact and accepted") {
  const SignedBundle b;
  const Outcome o = b.check();
  INFO(dump(o.all()));
  REQUIRE(o.bundle.intact());
  REQUIRE(o.report.accepted());
  CHECK(o.accepted());
  CHECK(o.bundle.manifest.policy_name == kPolicyName);
  CHECK(o.bundle.manifest.policy_version == kPolicyVersion);
  CHECK(o.bundle.manifest.compiler.rfind("polc ", 0) == 0);
  CHECK_FALSE(o.bundle.manifest.expires.has_value());
  CHECK(o.bundle.manifest_sha256 == bundle::sha256_hex(b.manifest()));
  CHECK(o.report.valid_signers == 2);
  CHECK(o.report.threshold == 2);
  REQUIRE(o.report.signers.size() == 3);
  CHECK(o.report.signers[0].state == bundle::SignerStatus::State::Signed);
  CHECK(o.report.signers[1].state == bundle::SignerStatus::State::Signed);
  CHECK(o.report.signers[2].state == bundle::SignerStatus::State::Missing);
  CHECK(o.report.min_version == kPolicyVersion);

  // Every file the build wrote is listed with its bytes, and nothing else is: the artifacts, the
  // policy, its local import and the standard module it imports.
  const driver::Artifacts& files = built_files();
  CHECK(o.bundle.files.size() + 1 == files.size());  // + manifest.json
  size_t sources = 0;
  for (const auto& f : o.bundle.files) {
    INFO(f.path);
    REQUIRE(files.count(f.path) == 1);
    CHECK(f.bytes == std::string(files.at(f.path).begin(), files.at(f.path).end()));
    CHECK(f.size == f.bytes.size());
    CHECK(f.sha256 == bundle::sha256_hex(f.bytes));
    CHECK(f.source == (f.path.rfind("sources/", 0) == 0));
    sources += f.source;
  }
  CHECK(sources == 2);
  CHECK(o.bundle.find("sources/policy.sbx") != nullptr);
  CHECK(o.bundle.find("sources/lib/extra.sbx") != nullptr);
  CHECK(o.bundle.find("landlock.json") != nullptr);
  CHECK(o.bundle.find("seccomp.x86_64.bpf") != nullptr);
  CHECK(o.bundle.find("nftables.nft") != nullptr);
}

TEST_CASE("bundle fixture: polc sign writes the same signatures.json as the library calls here") {
  const SignedBundle b;
  const std::string expected = read_file(b.path(bundle::kSignaturesFile));
  REQUIRE(unlink(b.path(bundle::kSignaturesFile).c_str()) == 0);
  for (Signer s : {Bob, Alice}) {
    const std::string key_file = b.tmp.path() + "/" + signer_name(s) + ".key";
    write_file(key_file, key(s).to_pem());
    REQUIRE(chmod(key_file.c_str(), 0600) == 0);
    // polc sign reports to stderr: captured, and checked.
    std::ostringstream err;
    std::streambuf* const saved = std::cerr.rdbuf(err.rdbuf());
    const int status = driver::cmd_sign({b.dir, "--key", key_file});
    std::cerr.rdbuf(saved);
    INFO(err.str());
    REQUIRE(status == driver::kExitOk);
    CHECK(err.str().find("polc sign: signed trusty version 5") != std::string::npos);
    CHECK(err.str().find("with key " + id_of(s).substr(0, 16)) != std::string::npos);
  }
  // Ed25519 signatures are deterministic: the same keys over the same manifest give the same bytes.
  CHECK(read_file(b.path(bundle::kSignaturesFile)) == expected);
  CHECK(b.check().accepted());
}

namespace {

// One single-byte change: file `file` (an index into the paths), byte `offset`, XOR `mask`.
struct Flip {
  size_t file;
  size_t offset;
  uint8_t mask;
};

struct FlipTally {
  std::map<uint8_t, size_t> flips;  // by mask
  size_t accepted = 0, wrong_problem = 0;
  std::string first_accepted, first_wrong;
};

// Applies each flip to the bundle at `dir` in turn (one pwrite), checks the bundle as a launcher
// would, and restores the byte. `listed` is how many of `paths` the manifest lists.
FlipTally run_flips(const std::string& dir, const std::vector<std::string>& paths,
                    const std::vector<std::string>& originals, size_t listed, const bundle::Trust& trust,
                    std::time_t now, const std::vector<Flip>& flips) {
  FlipTally t;
  std::vector<int> fds;
  for (const std::string& rel : paths) fds.push_back(open((dir + "/" + rel).c_str(), O_WRONLY | O_CLOEXEC));
  auto fail = [](size_t& count, std::string& first, const std::string& what) {
    if (count++ == 0) first = what;
  };
  for (const Flip& f : flips) {
    const std::string& rel = paths[f.file];
    const char original = originals[f.file][f.offset];
    const char flipped = static_cast<char>(original ^ static_cast<char>(f.mask));
    const std::string where = rel + " byte " + std::to_string(f.offset) + " ^ " + std::to_string(f.mask);
    if (fds[f.file] < 0 || pwrite(fds[f.file], &flipped, 1, static_cast<off_t>(f.offset)) != 1) {
      fail(t.wrong_problem, t.first_wrong, where + ": cannot write");
      continue;
    }
    ++t.flips[f.mask];
    // A launcher stops at a bundle that is not intact; the trust decision is only made on one that is.
    Outcome o;
    o.bundle = bundle::read_bundle(dir);
    if (o.bundle.intact()) o.report = bundle::evaluate_trust(o.bundle, trust, now);
    const Problems& p = o.bundle.problems;
    if (o.bundle.intact() && o.report.accepted()) {
      fail(t.accepted, t.first_accepted, where);
    } else if (f.file < listed) {
      // Exactly one problem: this file does not match its digest.
      if (p.size() != 1 || p[0].kind != ProblemKind::FileModified || p[0].file != rel)
        fail(t.wrong_problem, t.first_wrong, where + ":" + dump(p));
    } else if (rel == bundle::kManifestFile) {
      // A flip that leaves the manifest well-formed (and the files matching) still changes its
      // digest: signatures.json was made for another manifest.
      if (o.bundle.intact() && !has(o.report.problems, ProblemKind::MalformedSignatures))
        fail(t.wrong_problem, t.first_wrong, where + ":" + dump(o.all()));
    } else {
      // signatures.json is not covered by the manifest: the bundle stays intact, its signatures
      // do not.
      const Problems& r = o.report.problems;
      if (!o.bundle.intact() || !(has(r, ProblemKind::MalformedSignatures) || has(r, ProblemKind::BadSignature) ||
                                  has(r, ProblemKind::UnknownSigner)))
        fail(t.wrong_problem, t.first_wrong, where + ":" + dump(o.all()));
    }
    if (pwrite(fds[f.file], &original, 1, static_cast<off_t>(f.offset)) != 1)
      fail(t.wrong_problem, t.first_wrong, where + ": cannot restore");
  }
  for (int fd : fds)
    if (fd >= 0) close(fd);
  return t;
}

}  // namespace

TEST_CASE("bundle tamper: flipping any byte of any file of a signed bundle is rejected") {
  const SignedBundle b;
  REQUIRE(b.check().accepted());
  std::vector<std::string> paths;
  for (const auto& f : b.check().bundle.files) paths.push_back(f.path);
  const size_t listed = paths.size();
  paths.push_back(bundle::kManifestFile);
  paths.push_back(bundle::kSignaturesFile);
  std::vector<std::string> originals;
  for (const std::string& rel : paths) originals.push_back(read_file(b.path(rel)));

  // Every byte of every file with its lowest bit flipped; the manifest also with every bit
  // flipped, and signatures.json with its top bit (both give bytes that are not ASCII).
  std::vector<Flip> flips;
  size_t total_bytes = 0;
  std::map<uint8_t, size_t> expected;
  for (size_t n = 0; n < paths.size(); ++n) {
    REQUIRE(!originals[n].empty());
    total_bytes += originals[n].size();
    std::vector<uint8_t> masks = {0x01};
    if (paths[n] == bundle::kManifestFile) masks.push_back(0xff);
    if (paths[n] == bundle::kSignaturesFile) masks.push_back(0x80);
    for (uint8_t mask : masks) {
      expected[mask] += originals[n].size();
      for (size_t i = 0; i < originals[n].size(); ++i) flips.push_back({n, i, mask});
    }
  }

  // The flips are shared among a few threads, each on its own copy of the bundle.
  const size_t workers = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 8);
  std::vector<std::string> dirs = {b.dir};
  for (size_t w = 1; w < workers; ++w) {
    dirs.push_back(b.tmp.path() + "/copy" + std::to_string(w) + "/" + kPolicyName);
    const auto err = driver::write_directory_atomically(dirs.back(), built_files());
    REQUIRE_MESSAGE(!err, *err);
    write_file(dirs.back() + "/" + bundle::kSignaturesFile, originals.back());
    REQUIRE(check_dir(dirs.back(), b.trust).accepted());
  }
  const std::time_t now = std::time(nullptr);
  std::vector<FlipTally> tallies(workers);
  const auto start = std::chrono::steady_clock::now();
  {
    std::vector<std::thread> threads;
    for (size_t w = 0; w < workers; ++w)
      threads.emplace_back([&, w] {
        std::vector<Flip> mine;
        for (size_t i = w; i < flips.size(); i += workers) mine.push_back(flips[i]);
        tallies[w] = run_flips(dirs[w], paths, originals, listed, b.trust, now, mine);
      });
    for (std::thread& t : threads) t.join();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  FlipTally total;
  for (const FlipTally& t : tallies) {
    for (const auto& [mask, n] : t.flips) total.flips[mask] += n;
    if (total.first_accepted.empty()) total.first_accepted = t.first_accepted;
    if (total.first_wrong.empty()) total.first_wrong = t.first_wrong;
    total.accepted += t.accepted;
    total.wrong_problem += t.wrong_problem;
  }
  size_t done = 0;
  for (const auto& [mask, n] : total.flips) done += n;
  MESSAGE(done << " single-byte flips of " << paths.size() << " files (" << total_bytes << " bytes) in " << seconds
               << " s on " << workers << " thread(s)");
  CHECK_MESSAGE(total.accepted == 0, total.accepted << " flips were accepted, first: " << total.first_accepted);
  CHECK_MESSAGE(total.wrong_problem == 0,
                total.wrong_problem << " flips reported the wrong problem, first: " << total.first_wrong);
  // Nothing was skipped: one flip per byte of every file, one more per byte of the manifest and
  // of signatures.json.
  CHECK(total.flips[0x01] == total_bytes);
  CHECK(total.flips[0xff] == originals[listed].size());
  CHECK(total.flips[0x80] == originals[listed + 1].size());
  CHECK(total.flips == expected);
  CHECK(done == flips.size());
  CHECK(paths.size() == built_files().size() + 1);                                               // + signatures.json
  for (size_t n = 0; n < paths.size(); ++n) CHECK(read_file(b.path(paths[n])) == originals[n]);  // every byte restored
  CHECK(b.check().accepted());
}

TEST_CASE("bundle tamper: a file added anywhere in the bundle is unlisted") {
  SUBCASE("a file at the top") {
    const SignedBundle b;
    write_file(b.path("extra.txt"), "hello");
    const Outcome o = b.check();
    CHECK(only(o.bundle.problems, ProblemKind::FileUnlisted));
    CHECK(has(o.bundle.problems, ProblemKind::FileUnlisted, "extra.txt"));
    CHECK(o.bundle.problems.size() == 1);
    CHECK_FALSE(o.accepted());
  }
  SUBCASE("a file inside sources/ and in a nested source directory") {
    const SignedBundle b;
    write_file(b.path("sources/evil.sbx"), "module evil {}\n");
    write_file(b.path("sources/lib/evil.sbx"), "module evil {}\n");
    const Outcome o = b.check();
    CHECK(has(o.bundle.problems, ProblemKind::FileUnlisted, "sources/evil.sbx"));
    CHECK(has(o.bundle.problems, ProblemKind::FileUnlisted, "sources/lib/evil.sbx"));
    CHECK(o.bundle.problems.size() == 2);
  }
  SUBCASE("an empty file and a dotfile") {
    const SignedBundle b;
    write_file(b.path(".hidden"), "");
    write_file(b.path("sources/.keep"), "");
    const Outcome o = b.check();
    CHECK(has(o.bundle.problems, ProblemKind::FileUnlisted, ".hidden"));
    CHECK(has(o.bundle.problems, ProblemKind::FileUnlisted, "sources/.keep"));
    CHECK(o.bundle.problems.size() == 2);
  }
  SUBCASE("an empty directory, at the top and under sources/") {
    const SignedBundle b;
    REQUIRE(mkdir(b.path("empty").c_str(), 0755) == 0);
    REQUIRE(mkdir(b.path("sources/lib/empty").c_str(), 0755) == 0);
    const Outcome o = b.check();
    CHECK(has(o.bundle.problems, ProblemKind::FileUnlisted, "empty"));
    CHECK(has(o.bundle.problems, ProblemKind::FileUnlisted, "sources/lib/empty"));
    CHECK(mentions(o.bundle.problems, "empty is a directory"));
    CHECK(o.bundle.problems.size() == 2);
  }
  SUBCASE("a symlink to a listed file") {
    const SignedBundle b;
    REQUIRE(symlink("landlock.json", b.path("landlock2.json").c_str()) == 0);
    const Outcome o = b.check();
    CHECK(has(o.bundle.problems, ProblemKind::FileUnlisted, "landlock2.json"));
    CHECK(mentions(o.bundle.problems, "is a symlink"));
    CHECK(o.bundle.problems.size() == 1);
  }
  SUBCASE("a symlink out of the bundle") {
    const SignedBundle b;
    REQUIRE(symlink("/etc/passwd", b.path("sources/passwd").c_str()) == 0);
    REQUIRE(symlink("../../..", b.path("up").c_str()) == 0);
    const Outcome o = b.check();
    CHECK(has(o.bundle.problems, ProblemKind::FileUnlisted, "sources/passwd"));
    CHECK(has(o.bundle.problems, ProblemKind::FileUnlisted, "up"));
    CHECK(o.bundle.problems.size() == 2);
  }
  SUBCASE("a FIFO (read without blocking)") {
    const SignedBundle b;
    REQUIRE(mkfifo(b.path("fifo").c_str(), 0644) == 0);
    const Outcome o = b.check();
    CHECK(has(o.bundle.problems, ProblemKind::FileUnlisted, "fifo"));
    CHECK(mentions(o.bundle.problems, "a special file"));
    CHECK(o.bundle.problems.size() == 1);
  }
}

TEST_CASE("bundle tamper: a listed file replaced by a symlink, directory or FIFO is refused") {
  SUBCASE("a symlink to an identical copy outside the bundle") {
    const SignedBundle b;
    const std::string copy = b.tmp.path() + "/landlock.json";
    REQUIRE(rename(b.path("landlock.json").c_str(), copy.c_str()) == 0);
    REQUIRE(symlink(copy.c_str(), b.path("landlock.json").c_str()) == 0);
    const Outcome o = b.check();
    CHECK(only(o.bundle.problems, ProblemKind::FileUnlisted));
    CHECK(has(o.bundle.problems, ProblemKind::FileUnlisted, "landlock.json"));
    CHECK(o.bundle.find("landlock.json")->bytes.empty());  // never read through the link
  }
  SUBCASE("sources/ as a symlink to an identical copy of it") {
    const SignedBundle b;
    const std::string copy = b.tmp.path() + "/sources-copy";
    REQUIRE(rename(b.path("sources").c_str(), copy.c_str()) == 0);
    REQUIRE(symlink(copy.c_str(), b.path("sources").c_str()) == 0);
    const Outcome o = b.check();
    CHECK(only(o.bundle.problems, ProblemKind::FileUnlisted));
    CHECK(has(o.bundle.problems, ProblemKind::FileUnlisted, "sources"));
    CHECK(has(o.bundle.problems, ProblemKind::FileUnlisted, "sources/policy.sbx"));
    CHECK(has(o.bundle.problems, ProblemKind::FileUnlisted, "sources/lib/extra.sbx"));
  }
  SUBCASE("a directory") {
    const SignedBundle b;
    REQUIRE(unlink(b.path("nftables.nft").c_str()) == 0);
    REQUIRE(mkdir(b.path("nftables.nft").c_str(), 0755) == 0);
    const Outcome o = b.check();
    CHECK(has(o.bundle.problems, ProblemKind::FileUnlisted, "nftables.nft"));
    CHECK(o.bundle.problems.size() == 1);
  }
  SUBCASE("a FIFO") {
    const SignedBundle b;
    REQUIRE(unlink(b.path("sources/lib/extra.sbx").c_str()) == 0);
    REQUIRE(mkfifo(b.path("sources/lib/extra.sbx").c_str(), 0644) == 0);
    const Outcome o = b.check();
    CHECK(has(o.bundle.problems, ProblemKind::FileUnlisted, "sources/lib/extra.sbx"));
    CHECK(o.bundle.problems.size() == 1);
  }
  SUBCASE("a file grown past the size cap (sparse, never read)") {
    const SignedBundle b;
    REQUIRE(truncate(b.path("seccomp.x86_64.bpf").c_str(), (64 << 20) + 1) == 0);
    const Outcome o = b.check();
    CHECK(has(o.bundle.problems, ProblemKind::FileModified, "seccomp.x86_64.bpf"));
    CHECK(o.bundle.problems.size() == 1);
  }
  SUBCASE("a file truncated or extended by one byte") {
    const SignedBundle b;
    const std::string original = read_file(b.path("landlock.json"));
    write_file(b.path("landlock.json"), original.substr(0, original.size() - 1));
    CHECK(has(b.check().bundle.problems, ProblemKind::FileModified, "landlock.json"));
    write_file(b.path("landlock.json"), original + " ");
    CHECK(has(b.check().bundle.problems, ProblemKind::FileModified, "landlock.json"));
    CHECK(mentions(b.check().bundle.problems, "manifest.json says " + std::to_string(original.size())));
    write_file(b.path("landlock.json"), original);
    CHECK(b.check().accepted());
  }
  SUBCASE("signatures.json as a symlink to a valid copy, or as a directory") {
    const SignedBundle b;
    const std::string copy = b.tmp.path() + "/signatures.json";
    REQUIRE(rename(b.path(bundle::kSignaturesFile).c_str(), copy.c_str()) == 0);
    REQUIRE(symlink(copy.c_str(), b.path(bundle::kSignaturesFile).c_str()) == 0);
    Outcome o = b.check();
    CHECK(has(o.bundle.problems, ProblemKind::FileUnlisted, bundle::kSignaturesFile));
    CHECK_FALSE(o.bundle.signatures_bytes.has_value());
    CHECK_FALSE(o.accepted());
    REQUIRE(unlink(b.path(bundle::kSignaturesFile).c_str()) == 0);
    REQUIRE(mkdir(b.path(bundle::kSignaturesFile).c_str(), 0755) == 0);
    o = b.check();
    CHECK(has(o.bundle.problems, ProblemKind::FileUnlisted, bundle::kSignaturesFile));
    CHECK_FALSE(o.accepted());
  }
}

TEST_CASE("bundle tamper: removing any listed file is reported as missing, naming it") {
  const SignedBundle b;
  SUBCASE("each listed file in turn") {
    const auto files = b.check().bundle.files;
    REQUIRE(files.size() == built_files().size() - 1);  // all but manifest.json
    for (const auto& f : files) {
      INFO(f.path);
      const std::string original = read_file(b.path(f.path));
      REQUIRE(unlink(b.path(f.path).c_str()) == 0);
      const Outcome o = b.check();
      CHECK(o.bundle.problems.size() == 1);
      CHECK(has(o.bundle.problems, ProblemKind::FileMissing, f.path));
      CHECK(mentions(o.bundle.problems, f.path + " is missing"));
      CHECK_FALSE(o.accepted());
      write_file(b.path(f.path), original);
    }
    CHECK(b.check().accepted());
  }
  SUBCASE("a whole source directory") {
    REQUIRE(std::filesystem::remove_all(b.path("sources/lib")) == 2);
    const Outcome o = b.check();
    CHECK(o.bundle.problems.size() == 1);
    CHECK(has(o.bundle.problems, ProblemKind::FileMissing, "sources/lib/extra.sbx"));
  }

  SUBCASE("manifest.json removed: not a bundle") {
    REQUIRE(unlink(b.path(bundle::kManifestFile).c_str()) == 0);
    const Outcome o = b.check();
    CHECK(only(o.bundle.problems, ProblemKind::MalformedManifest));
    CHECK(o.bundle.files.empty());
    CHECK_FALSE(o.accepted());
  }
  SUBCASE("signatures.json removed: intact, but too few signers") {
    REQUIRE(unlink(b.path(bundle::kSignaturesFile).c_str()) == 0);
    const Outcome o = b.check();
    CHECK(o.bundle.intact());
    CHECK_FALSE(o.bundle.signatures_bytes.has_value());
    CHECK(o.report.problems.size() == 1);
    CHECK(has(o.report.problems, ProblemKind::TooFewSigners, bundle::kSignaturesFile));
    CHECK(mentions(o.report.problems, "no signatures.json"));
    CHECK(o.report.valid_signers == 0);
  }
  SUBCASE("the bundle directory itself missing") {
    const Outcome o = check_dir(b.dir + "-gone", b.trust);
    CHECK(only(o.bundle.problems, ProblemKind::Unreadable));
    CHECK_FALSE(o.accepted());
  }
}
