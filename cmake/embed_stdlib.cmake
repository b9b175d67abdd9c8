# Writes a C++ source that embeds every stdlib/*.sbx file, so the polc binary carries the standard
# library it was built with (a policy's meaning then depends only on the compiler version).
# Inputs: STDLIB_DIR, OUTPUT.
file(GLOB_RECURSE files RELATIVE ${STDLIB_DIR} ${STDLIB_DIR}/*.sbx)
list(SORT files)
set(body "")
foreach(rel ${files})
  file(READ ${STDLIB_DIR}/${rel} text)
  string(REGEX REPLACE "\\.sbx$" "" stem ${rel})
  string(REPLACE "/" "." module "std.${stem}")
  string(APPEND body "    {\"${module}\", \"${rel}\", R\"polc_sbx(${text})polc_sbx\"},\n")
endforeach()
file(WRITE ${OUTPUT}.tmp
"// Generated from stdlib/ by cmake/embed_stdlib.cmake. Do not edit.
#include \"compiler/sema/stdlib.h\"

namespace polc::sema {

std::span<const StdlibModule> embedded_stdlib() {
  static const StdlibModule kModules[] = {
${body}    {\"\", \"\", \"\"},
  };
  return {kModules, sizeof(kModules) / sizeof(kModules[0]) - 1};
}

}  // namespace polc::sema
")
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)
