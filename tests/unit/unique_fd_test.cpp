// Unit tests of the owned descriptor (compiler/posix/unique_fd.h).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "compiler/posix/unique_fd.h"

using polc::UniqueFd;

namespace {

int open_null() { return open("/dev/null", O_RDONLY | O_CLOEXEC); }

// Whether `fd` is an open descriptor of this process.
bool is_open(int fd) { return fcntl(fd, F_GETFD) != -1 || errno != EBADF; }

}  // namespace

TEST_CASE("an owned descriptor is closed when its owner goes") {
  int raw = -1;
  {
    const UniqueFd fd(open_null());
    raw = fd.get();
    REQUIRE(fd.valid());
    CHECK(is_open(raw));
  }
  CHECK_FALSE(is_open(raw));
  CHECK_FALSE(UniqueFd().valid());
  CHECK(UniqueFd().get() == -1);
}

TEST_CASE("moving a descriptor hands it on; the moved-from owner closes nothing") {
  UniqueFd a(open_null());
  const int raw = a.get();
  UniqueFd b(std::move(a));
  CHECK(b.get() == raw);
  CHECK_FALSE(a.valid());  // NOLINT(bugprone-use-after-move): the state after a move is defined

  UniqueFd c(open_null());
  const int replaced = c.get();
  c = std::move(b);  // c's own descriptor is closed, b's is now c's
  CHECK(c.get() == raw);
  CHECK_FALSE(is_open(replaced));
  CHECK(is_open(raw));
  CHECK_FALSE(b.valid());  // NOLINT(bugprone-use-after-move)

  UniqueFd& self = c;
  c = std::move(self);  // a self-move keeps the descriptor open
  CHECK(c.get() == raw);
  CHECK(is_open(raw));
}

TEST_CASE("release gives the descriptor up; reset closes it") {
  UniqueFd fd(open_null());
  const int raw = fd.release();
  CHECK_FALSE(fd.valid());
  CHECK(is_open(raw));  // the owner is gone, the descriptor is not
  fd.reset(raw);
  CHECK(fd.get() == raw);
  fd.reset(raw);  // holding it again is not closing it
  CHECK(is_open(raw));
  fd.reset();
  CHECK_FALSE(fd.valid());
  CHECK_FALSE(is_open(raw));
}
