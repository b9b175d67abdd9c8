// Stage: launcher (learning). The file accesses of a call, each with the one Landlock right it
// needs (https://docs.kernel.org/userspace-api/landlock.html), and the programs it executes:
//   open/openat/openat2/creat: O_RDONLY -> read_file (read_dir on a directory), O_WRONLY ->
//     write_file, O_RDWR -> both, O_TRUNC on an existing file -> truncate, O_CREAT of a missing
//     file -> make_reg; O_PATH -> nothing.
//   execve/execveat -> Exec, execute and read_file on the file, and on each interpreter the kernel
//     opens for it (a script's "#!" interpreter, also an Exec; an ELF file's loader).
//   mkdir(at) -> make_dir; unlink(at) -> remove_file (remove_dir with AT_REMOVEDIR); rmdir ->
//     remove_dir; rename(at,at2) -> remove_<kind> on the old entry, make_<kind> on the new one
//     (remove_<kind> on a replaced one), refer on both when their directories differ, both ways for
//     RENAME_EXCHANGE; link(at) -> make_<kind> on the new entry, refer when the directories differ;
//     symlink(at) -> make_sym; mknod(at) -> make_<type>; truncate -> truncate;
//   ftruncate -> truncate on the descriptor's file: Landlock decides it when the file is opened
//     for writing, so the right must be granted on that path (coreutils' truncate opens without
//     O_TRUNC and calls ftruncate);
//   ioctl on a character or block device -> ioctl_dev on the device (not FIOCLEX, FIONCLEX,
//     FIONBIO, FIOASYNC, which Landlock always allows).
#pragma once

#include <vector>

#include "compiler/learn/recording.h"
#include "launcher/record/call_context.h"
#include "launcher/record/decode_calls.h"

namespace polc::record {

// Appends the events of `call` (decoded by `decoder`, one of the file or exec decoders).
void decode_files(Decoder decoder, const CallContext& call, std::vector<learn::Event>& out);

}  // namespace polc::record
