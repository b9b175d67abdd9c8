// Unit tests of Landlock's access-bit names: the compiler's table (compiler/ir/landlock_names.h)
// against sbx-exec's own reading of landlock.json (launcher/landlock_names.h), kept apart on
// purpose (see there), and both against the kernel's header where it defines the bit.
#include <doctest/doctest.h>
#include <linux/landlock.h>

#include <span>
#include <string>
#include <string_view>

#include "compiler/ir/landlock_names.h"
#include "launcher/landlock_names.h"

namespace ir = polc::ir;
namespace launcher = polc::launcher;

namespace {

// Both tables list the same names with the same bits and ABIs, in the same (bit) order.
void check_same(std::span<const ir::LandlockName> compiler, std::span<const launcher::LandlockName> sbx_exec) {
  REQUIRE(compiler.size() == sbx_exec.size());
  for (size_t i = 0; i < compiler.size(); ++i) {
    INFO("entry " << i << ": " << std::string(compiler[i].name));
    CHECK(compiler[i].name == std::string_view(sbx_exec[i].name));
    CHECK(compiler[i].bit == sbx_exec[i].bit);
    CHECK(static_cast<int>(compiler[i].abi) == sbx_exec[i].abi);
  }
}

// One entry per bit, from bit 0 up: what makes landlock_names print in the kernel's bit order.
void check_bit_order(std::span<const ir::LandlockName> table) {
  for (size_t i = 0; i < table.size(); ++i) CHECK(table[i].bit == uint64_t{1} << i);
}

}  // namespace

TEST_CASE("the compiler and sbx-exec read landlock.json's names alike") {
  check_same(ir::kFsRightNames, launcher::kFsRights);
  check_same(ir::kNetRightNames, launcher::kNetRights);
  check_same(ir::kScopeNames, launcher::kScopes);
}

TEST_CASE("Landlock name tables are in bit order") {
  check_bit_order(ir::kFsRightNames);
  check_bit_order(ir::kNetRightNames);
  check_bit_order(ir::kScopeNames);
  check_bit_order(ir::kLayerNames);
}

TEST_CASE("Landlock names round-trip through their bits") {
  for (std::span<const ir::LandlockName> table :
       {std::span<const ir::LandlockName>(ir::kFsRightNames), std::span<const ir::LandlockName>(ir::kNetRightNames),
        std::span<const ir::LandlockName>(ir::kScopeNames), std::span<const ir::LandlockName>(ir::kLayerNames)}) {
    uint64_t all = 0;
    for (const ir::LandlockName& n : table) {
      CHECK(ir::landlock_name(n.bit, table) == n.name);
      CHECK(ir::landlock_names(n.bit, table) == std::vector<std::string>{std::string(n.name)});
      all |= n.bit;
    }
    CHECK(ir::landlock_names(all, table).size() == table.size());
    CHECK(ir::landlock_name(all, table).empty());  // not one bit
    CHECK(ir::landlock_name(0, table).empty());
  }
  CHECK(ir::fs_right_name(ir::fs_right::kReadFile) == "read_file");
  CHECK(ir::net_right_name(ir::net_right::kConnectTcp) == "connect_tcp");
  CHECK(ir::fs_right_names(ir::fs_right::kExecute | ir::fs_right::kIoctlDev) ==
        std::vector<std::string>{"execute", "ioctl_dev"});
  CHECK(ir::scope_names(ir::scope::kSignal | ir::scope::kAbstractUnixSocket) ==
        std::vector<std::string>{"abstract_unix_socket", "signal"});
  CHECK(ir::layer_names(ir::layer::kScope) == std::vector<std::string>{"scope"});
}

TEST_CASE("each ABI restricts the filesystem rights the name table gives it") {
  for (unsigned abi = 1; abi <= ir::kMaxLandlockAbi; ++abi) {
    uint64_t known = 0;
    for (const ir::LandlockName& n : ir::kFsRightNames)
      if (n.abi <= abi) known |= n.bit;
    INFO("ABI " << abi);
    CHECK(ir::fs_rights_for_abi(abi) == known);
  }
}

TEST_CASE("the name tables agree with the kernel's header where it defines the bit") {
  CHECK(ir::fs_right::kExecute == LANDLOCK_ACCESS_FS_EXECUTE);
  CHECK(ir::fs_right::kWriteFile == LANDLOCK_ACCESS_FS_WRITE_FILE);
  CHECK(ir::fs_right::kReadFile == LANDLOCK_ACCESS_FS_READ_FILE);
  CHECK(ir::fs_right::kReadDir == LANDLOCK_ACCESS_FS_READ_DIR);
  CHECK(ir::fs_right::kRemoveDir == LANDLOCK_ACCESS_FS_REMOVE_DIR);
  CHECK(ir::fs_right::kRemoveFile == LANDLOCK_ACCESS_FS_REMOVE_FILE);
  CHECK(ir::fs_right::kMakeChar == LANDLOCK_ACCESS_FS_MAKE_CHAR);
  CHECK(ir::fs_right::kMakeDir == LANDLOCK_ACCESS_FS_MAKE_DIR);
  CHECK(ir::fs_right::kMakeReg == LANDLOCK_ACCESS_FS_MAKE_REG);
  CHECK(ir::fs_right::kMakeSock == LANDLOCK_ACCESS_FS_MAKE_SOCK);
  CHECK(ir::fs_right::kMakeFifo == LANDLOCK_ACCESS_FS_MAKE_FIFO);
  CHECK(ir::fs_right::kMakeBlock == LANDLOCK_ACCESS_FS_MAKE_BLOCK);
  CHECK(ir::fs_right::kMakeSym == LANDLOCK_ACCESS_FS_MAKE_SYM);
#ifdef LANDLOCK_ACCESS_FS_REFER
  CHECK(ir::fs_right::kRefer == LANDLOCK_ACCESS_FS_REFER);
#endif
#ifdef LANDLOCK_ACCESS_FS_TRUNCATE
  CHECK(ir::fs_right::kTruncate == LANDLOCK_ACCESS_FS_TRUNCATE);
#endif
#ifdef LANDLOCK_ACCESS_FS_IOCTL_DEV
  CHECK(ir::fs_right::kIoctlDev == LANDLOCK_ACCESS_FS_IOCTL_DEV);
#endif
#ifdef LANDLOCK_ACCESS_NET_BIND_TCP
  CHECK(ir::net_right::kBindTcp == LANDLOCK_ACCESS_NET_BIND_TCP);
  CHECK(ir::net_right::kConnectTcp == LANDLOCK_ACCESS_NET_CONNECT_TCP);
#endif
#ifdef LANDLOCK_SCOPE_SIGNAL
  CHECK(ir::scope::kAbstractUnixSocket == LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET);
  CHECK(ir::scope::kSignal == LANDLOCK_SCOPE_SIGNAL);
#endif
}
