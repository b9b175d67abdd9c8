// Workspaces on the real kernel (launcher/os/workspace.h, workspace_commit.h): a run in a forked
// child's private mount namespace changes the workspace through the overlay; the commit must give
// exactly the tree the same changes give when made directly on a copy, a discard must leave the
// tree as it was to the nanosecond, and no symbolic link, planted in the workspace or made by the
// payload, may lead the commit outside it.
#include "launcher/os/workspace.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "launcher/errors.h"
#include "launcher/os/mounts.h"
#include "launcher/os/workspace_commit.h"
#include "tests/launcher_os/harness.h"

namespace polc::launcher::os {
namespace {

using test::TempDir;

Workspace workspace_at(const std::string& path) {
  Workspace w;
  w.path = path;
  return w;
}

// Runs `script` (sh -c, "$1" = the workspace) as the payload would: in a child with its own mount
// namespace where the overlay is mounted. Returns the script's exit status.
int run_payload(const PreparedWorkspace& prepared, const std::string& script) {
  return test::in_private_mount_ns([&] {
    OsSpec spec;
    spec.mount_ns = true;
    apply_mounts(spec, {prepared});
    return test::run_shell("set -e; cd \"$1\"; " + script, {prepared.spec.path});
  });
}

// A workspace with files, directories, a link, fixed times and modes, and a copy of it.
struct Fixture {
  TempDir root;
  std::string ws = root / "ws";
  std::string copy = root / "copy";
  std::string staging = root / "staging";
  std::string outside = root / "outside";

  Fixture() {
    REQUIRE(test::run_shell(R"(set -e
      mkdir -p "$1" "$2/keep"
      cd "$1"
      echo "A" > a.txt; chmod 644 a.txt
      mkdir -p d/deep e o untouched
      echo x > d/x; echo y > d/y; echo deep > d/deep/z
      echo z > e/z
      echo 1 > o/1; echo 2 > o/2
      echo same > untouched/u; chmod 600 untouched/u
      ln -s a.txt l
      echo kept > "$2/keep/file"
      find . "$2" -exec touch -h -d '2000-01-01 00:00:00' {} +
      cp -a "$1" "$3")",
                            {ws, outside, copy}) == 0);
  }
};

// Creates, edits, deletes, renames (a file and a directory), chmods, links, replaces a directory
// (opaque), a FIFO; then fixes the times of what it touched so that both trees can be compared.
const char* const kChanges = R"(
  echo new > new.txt
  echo more >> a.txt
  rm d/y
  mv e/z e/z2
  mv d d2
  chmod 600 a.txt
  chmod 700 untouched
  ln -s new.txt newlink
  mkdir -p newdir/sub && echo deep > newdir/sub/f
  rm -rf o && mkdir o && echo fresh > o/only
  mkfifo pipe
  rm l && ln -s d2/x l
  touch -h -d '2001-01-01 00:00:00' new.txt a.txt d2/x d2/deep/z e/z2 newlink newdir/sub/f o/only pipe l
)";

TEST_SUITE("workspace") {
  TEST_CASE("commit: exactly the changes made directly on a copy") {
    Fixture f;
    const PreparedWorkspace prepared = prepare_workspace(workspace_at(f.ws), f.staging);
    CHECK(prepared.staging.rfind(f.staging + "/run-", 0) == 0);
    struct stat st {};
    REQUIRE(stat(prepared.staging.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0700);
    const std::string before = test::tree_listing(f.ws, true);
    REQUIRE(run_payload(prepared, kChanges) == 0);
    CHECK(test::tree_listing(f.ws, true) == before);  // nothing reached the workspace during the run
    REQUIRE(test::run_shell(std::string("set -e; cd \"$1\"; ") + kChanges, {f.copy}) == 0);

    const CommitReport report = commit_workspace(prepared);
    INFO(report.summary());
    CHECK(report.ok());
    CHECK(test::tree_listing(f.ws, false) == test::tree_listing(f.copy, false));
    // new.txt newlink newdir newdir/sub newdir/sub/f pipe d2 d2/x d2/deep d2/deep/z e/z2 o/only
    CHECK(report.created == 12);
    CHECK(report.deleted == 4);   // d (renamed away, whole), e/z, and o's 1 and 2 (opaque)
    CHECK(report.modified == 3);  // a.txt, l (now another link), untouched (its mode)
    CHECK(report.bytes > 0);
    CHECK(report.skipped == 0);
    // Untouched files keep their times to the nanosecond.
    CHECK(test::tree_listing(f.ws + "/untouched", true).find("u mode") != std::string::npos);
    struct stat u {
    }, c{};
    REQUIRE(stat((f.ws + "/untouched/u").c_str(), &u) == 0);
    REQUIRE(stat((f.copy + "/untouched/u").c_str(), &c) == 0);
    CHECK(u.st_mtim.tv_sec == c.st_mtim.tv_sec);
    CHECK(u.st_mtim.tv_nsec == c.st_mtim.tv_nsec);
    // No temporary name is left behind.
    CHECK(test::tree_listing(f.ws, false).find(".polc-commit-") == std::string::npos);
    discard_workspace(prepared);
    CHECK(access(prepared.staging.c_str(), F_OK) != 0);
  }

  TEST_CASE("commit with sync_files: the same tree") {
    Fixture f;
    const PreparedWorkspace prepared = prepare_workspace(workspace_at(f.ws), f.staging);
    REQUIRE(run_payload(prepared, kChanges) == 0);
    REQUIRE(test::run_shell(std::string("set -e; cd \"$1\"; ") + kChanges, {f.copy}) == 0);
    const CommitReport report = commit_workspace(prepared, true);
    INFO(report.summary());
    CHECK(report.ok());
    CHECK(test::tree_listing(f.ws, false) == test::tree_listing(f.copy, false));
    discard_workspace(prepared);
  }

  TEST_CASE("a run that changes nothing commits nothing, times included") {
    Fixture f;
    const std::string before = test::tree_listing(f.ws, true);
    const PreparedWorkspace prepared = prepare_workspace(workspace_at(f.ws), f.staging);
    REQUIRE(run_payload(prepared, "cat a.txt d/x >/dev/null; ls -R >/dev/null") == 0);
    const CommitReport report = commit_workspace(prepared);
    INFO(report.summary());
    CHECK(report.ok());
    CHECK(report.created + report.modified + report.deleted + report.bytes == 0);
    CHECK(test::tree_listing(f.ws, true) == before);
    discard_workspace(prepared);
  }

  TEST_CASE("discard: the tree byte for byte as before, times included") {
    Fixture f;
    const std::string before = test::tree_listing(f.ws, true);
    const PreparedWorkspace prepared = prepare_workspace(workspace_at(f.ws), f.staging);
    REQUIRE(run_payload(prepared, kChanges) == 0);
    discard_workspace(prepared);
    CHECK(test::tree_listing(f.ws, true) == before);
    CHECK(access(prepared.staging.c_str(), F_OK) != 0);
    CHECK(access(f.staging.c_str(), F_OK) == 0);  // the parent stays for the next run
  }

  TEST_CASE("an opaque directory: the lower entries it does not have are deleted") {
    Fixture f;
    const PreparedWorkspace prepared = prepare_workspace(workspace_at(f.ws), f.staging);
    REQUIRE(run_payload(prepared, "rm -rf o && mkdir o && echo 3 > o/3") == 0);
    char value[4] = {};
    CHECK(getxattr((prepared.upper + "/o").c_str(), "trusted.overlay.opaque", value, sizeof value) == 1);
    CHECK(value[0] == 'y');
    const CommitReport report = commit_workspace(prepared);
    INFO(report.summary());
    CHECK(report.ok());
    CHECK(test::run_shell("test \"$(ls -A \"$1\")\" = 3", {f.ws + "/o"}) == 0);
    CHECK(report.deleted == 2);
    discard_workspace(prepared);
  }

  TEST_CASE("a file whose lower parent was replaced, and a directory replaced by a file") {
    Fixture f;
    test::write_file(f.ws + "/p", "was a file");
    const PreparedWorkspace prepared = prepare_workspace(workspace_at(f.ws), f.staging);
    REQUIRE(run_payload(prepared, "rm p && mkdir p && echo in > p/f; rm -rf d && echo now-a-file > d") == 0);
    const CommitReport report = commit_workspace(prepared);
    INFO(report.summary());
    CHECK(report.ok());
    CHECK(test::read_file(f.ws + "/p/f") == "in\n");
    CHECK(test::read_file(f.ws + "/d") == "now-a-file\n");
    discard_workspace(prepared);
  }

  TEST_CASE("a directory whose lower side became a link to outside is replaced, never followed") {
    Fixture f;
    const std::string outside_before = test::tree_listing(f.outside, true);
    const PreparedWorkspace prepared = prepare_workspace(workspace_at(f.ws), f.staging);
    REQUIRE(run_payload(prepared, "echo planted > d/evil; echo more > d/deep/evil2; echo again >> d/x") == 0);
    // While nobody is looking (overlay's rule says nobody may), the lower d becomes a link.
    REQUIRE(test::run_shell("rm -rf \"$1/d\" && ln -s \"$2\" \"$1/d\"", {f.ws, f.outside}) == 0);
    const CommitReport report = commit_workspace(prepared);
    INFO(report.summary());
    CHECK(test::tree_listing(f.outside, true) == outside_before);
    struct stat st {};
    REQUIRE(lstat((f.ws + "/d").c_str(), &st) == 0);
    CHECK(S_ISDIR(st.st_mode));
    CHECK(test::read_file(f.ws + "/d/evil") == "planted\n");
    discard_workspace(prepared);
  }

  TEST_CASE("a link where the workspace had a directory: the link replaces it, nothing is written through") {
    Fixture f;
    const std::string outside_before = test::tree_listing(f.outside, true);
    const PreparedWorkspace prepared = prepare_workspace(workspace_at(f.ws), f.staging);
    // The payload swaps a directory for a link to outside, and a file for a link too.
    REQUIRE(run_payload(prepared, "rm -rf d && ln -s \"" + f.outside + "/keep\" d; rm a.txt && ln -s \"" + f.outside +
                                      "/keep/file\" a.txt") == 0);
    const CommitReport report = commit_workspace(prepared);
    INFO(report.summary());
    CHECK(report.ok());
    CHECK(test::tree_listing(f.outside, true) == outside_before);
    struct stat st {};
    REQUIRE(lstat((f.ws + "/d").c_str(), &st) == 0);
    CHECK(S_ISLNK(st.st_mode));
    REQUIRE(lstat((f.ws + "/a.txt").c_str(), &st) == 0);
    CHECK(S_ISLNK(st.st_mode));
    discard_workspace(prepared);
  }

  TEST_CASE("a link to outside in the lower layer, a directory of that name in the upper one") {
    Fixture f;
    REQUIRE(symlink(f.outside.c_str(), (f.ws + "/out").c_str()) == 0);
    const std::string outside_before = test::tree_listing(f.outside, true);
    const PreparedWorkspace prepared = prepare_workspace(workspace_at(f.ws), f.staging);
    REQUIRE(run_payload(prepared, "rm out && mkdir -p out/keep && echo mine > out/keep/file && echo x > out/new") == 0);
    const CommitReport report = commit_workspace(prepared);
    INFO(report.summary());
    CHECK(report.ok());
    CHECK(test::tree_listing(f.outside, true) == outside_before);
    CHECK(test::read_file(f.ws + "/out/keep/file") == "mine\n");
    discard_workspace(prepared);
  }

  TEST_CASE("device nodes are skipped and reported") {
    Fixture f;
    const PreparedWorkspace prepared = prepare_workspace(workspace_at(f.ws), f.staging);
    REQUIRE(run_payload(prepared, "mknod nul c 1 3; echo ok > ok") == 0);
    const CommitReport report = commit_workspace(prepared);
    CHECK(report.ok());
    CHECK(report.skipped == 1);
    REQUIRE(report.skipped_paths.size() == 1);
    CHECK(report.skipped_paths[0] == "nul (character device)");
    CHECK(access((f.ws + "/nul").c_str(), F_OK) != 0);
    CHECK(test::read_file(f.ws + "/ok") == "ok\n");
    discard_workspace(prepared);
  }

  TEST_CASE("set-user-ID and set-group-ID bits are not committed on files; a directory keeps set-group-ID") {
    // A payload that ran as root could otherwise leave a set-user-ID root program in the
    // workspace for the host's users to run once the sandbox is gone.
    Fixture f;
    const PreparedWorkspace prepared = prepare_workspace(workspace_at(f.ws), f.staging);
    REQUIRE(run_payload(prepared,
                        "cp /bin/true suid; chmod 6755 suid; chmod 4644 a.txt; mkfifo fifo; "
                        "chmod 2644 fifo; mkdir shared; chmod 2775 shared") == 0);
    const CommitReport report = commit_workspace(prepared);
    CHECK(report.ok());
    struct stat st {};
    REQUIRE(lstat((f.ws + "/suid").c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0755);
    REQUIRE(lstat((f.ws + "/a.txt").c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0644);
    REQUIRE(lstat((f.ws + "/fifo").c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0644);
    REQUIRE(lstat((f.ws + "/shared").c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 02775);
    discard_workspace(prepared);
  }

  TEST_CASE("a sparse file stays sparse: the commit copies its data, not its holes") {
    // One truncate makes a file as long as the payload likes at no cost; copied byte by byte the
    // commit would write that many zeros into the workspace's filesystem (filling it) and keep
    // the supervisor busy for as long.
    Fixture f;
    const PreparedWorkspace prepared = prepare_workspace(workspace_at(f.ws), f.staging);
    REQUIRE(run_payload(prepared, "printf head > sparse; truncate -s 1G sparse; printf tail >> sparse") == 0);
    const CommitReport report = commit_workspace(prepared);
    CHECK(report.ok());
    struct stat st {};
    REQUIRE(lstat((f.ws + "/sparse").c_str(), &st) == 0);
    CHECK(st.st_size == (off_t{1} << 30) + 4);
    CHECK(st.st_blocks * 512 < (off_t{1} << 20));
    CHECK(report.bytes < (uint64_t{1} << 20));
    const int fd = open((f.ws + "/sparse").c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    char head[4] = {}, middle[4] = {1, 1, 1, 1}, tail[4] = {};
    CHECK(pread(fd, head, 4, 0) == 4);
    CHECK(pread(fd, middle, 4, 1 << 20) == 4);
    CHECK(pread(fd, tail, 4, off_t{1} << 30) == 4);
    close(fd);
    CHECK(std::string(head, 4) == "head");
    CHECK(std::string(middle, 4) == std::string(4, '\0'));
    CHECK(std::string(tail, 4) == "tail");
    discard_workspace(prepared);
  }

  TEST_CASE("prepare refuses: a link in the path, a missing workspace, a staging parent others own") {
    Fixture f;
    REQUIRE(symlink(f.ws.c_str(), (f.root / "wslink").c_str()) == 0);
    auto refusal = [&](const std::string& path, const std::string& staging) -> std::string {
      try {
        const PreparedWorkspace p = prepare_workspace(workspace_at(path), staging);
        discard_workspace(p);
      } catch (const Failure& e) {
        return e.what();
      }
      return "";
    };
    CHECK(refusal(f.root / "wslink", f.staging).find("symbolic link") != std::string::npos);
    CHECK(refusal(f.root / "absent", f.staging).find("cannot open") != std::string::npos);
    REQUIRE(mkdir((f.root / "theirs").c_str(), 0700) == 0);
    REQUIRE(chown((f.root / "theirs").c_str(), 4242, 4242) == 0);
    CHECK(refusal(f.ws, f.root / "theirs").find("owned by uid 4242") != std::string::npos);
    REQUIRE(symlink(f.staging.c_str(), (f.root / "staginglink").c_str()) == 0);
    REQUIRE(mkdir(f.staging.c_str(), 0700) == 0);
    CHECK(refusal(f.ws, f.root / "staginglink").find("symbolic link") != std::string::npos);
    CHECK(refusal(f.ws, f.ws + "/staging").find("inside the workspace") != std::string::npos);
    CHECK(refusal(f.ws, "/proc/polc-staging").find("cannot create") != std::string::npos);
    // ramfs has no xattrs, so no whiteouts of the kind overlay needs: refused before any run.
    REQUIRE(mkdir((f.root / "ramfs").c_str(), 0700) == 0);
    CHECK(test::in_private_mount_ns([&] {
            test::ChildChecks check;
            check(mount("ramfs", (f.root / "ramfs").c_str(), "ramfs", 0, nullptr) == 0, "mount ramfs");
            check(refusal(f.ws, f.root / "ramfs/staging").find("cannot hold an overlay") != std::string::npos,
                  "ramfs refused");
            return check.failures;
          }) == 0);
  }
}

}  // namespace
}  // namespace polc::launcher::os
