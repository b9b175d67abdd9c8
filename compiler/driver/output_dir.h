// Stage: driver. Writes a build's artifacts as one directory, atomically: everything goes into a
// temporary directory beside the destination, which then replaces the destination in one rename.
// A reader (or a launcher) sees the old output or the new one, never a mix, and a failure leaves
// the old output untouched.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace polc::driver {

using Artifacts = std::map<std::string, std::vector<uint8_t>>;  // file name -> bytes (sorted: deterministic)

// Replaces `dir` (created with its parents if needed) by a directory holding exactly `files`.
// Returns an error message on failure, after removing everything it created.
std::optional<std::string> write_directory_atomically(const std::string& dir, const Artifacts& files);

// The same in steps, so that a build writes the files it already has while its proofs run:
// open() creates the temporary directory, write() adds files to it as they become known, and
// publish() adds the rest, makes every file durable and swaps the directory in. Nothing is
// visible at `dir` before publish(); destroying an unpublished one removes what it wrote.
class StagedDirectory {
 public:
  // nullptr with `error` set when the temporary directory cannot be made. With `make_parents`
  // false, nullptr and no error when the directory `dir` goes in does not exist yet (a build
  // that stages before it knows it will succeed must not leave directories behind).
  static std::unique_ptr<StagedDirectory> open(const std::string& dir, std::string& error, bool make_parents = true);
  ~StagedDirectory();
  StagedDirectory(const StagedDirectory&) = delete;
  StagedDirectory& operator=(const StagedDirectory&) = delete;

  // Writes every file of `files` not written yet (a name is written once: the caller must not
  // change a file's bytes after handing it over). Returns an error message; the directory is then
  // removed, and every later call fails with the same message.
  std::optional<std::string> write(const Artifacts& files);
  // Makes the files written so far durable (publish() does it for the rest).
  std::optional<std::string> sync();
  // write(files), then every file durable and `dir` replaced. Fails, writing nothing there, when
  // the directory `dir` goes in was moved or replaced since open(). Call once.
  std::optional<std::string> publish(const Artifacts& files);

 private:
  struct State;
  explicit StagedDirectory(std::unique_ptr<State> state);
  std::optional<std::string> fail(std::string message);
  std::unique_ptr<State> s_;
};

}  // namespace polc::driver
