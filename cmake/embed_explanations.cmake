# Writes a C++ header that embeds every docs/diagnostics/<id>.md, the long explanations that
# `polc explain` prints, so that each lives in one Markdown file and the binary still carries them.
# An explanation is its file's text without the final newline.
# Inputs: DOCS_DIR, OUTPUT.
get_filename_component(DOCS_DIR "${DOCS_DIR}" ABSOLUTE)
file(GLOB files RELATIVE ${DOCS_DIR} ${DOCS_DIR}/*.md)
list(SORT files)
set(delimiter "polc_explanation")
set(body "")
foreach(rel ${files})
  if(NOT rel MATCHES "^[EW][0-9][0-9][0-9][0-9]\\.md$")
    message(FATAL_ERROR "${DOCS_DIR}/${rel}: explanations are named after their code, like E0201.md")
  endif()
  string(REGEX REPLACE "\\.md$" "" id "${rel}")
  file(READ ${DOCS_DIR}/${rel} text)
  string(REGEX REPLACE "\n$" "" text "${text}")
  string(FIND "${text}" ")${delimiter}\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${DOCS_DIR}/${rel} contains `)${delimiter}\"`, which ends the raw string")
  endif()
  string(APPEND body "constexpr std::string_view ${id} = R\"${delimiter}(${text})${delimiter}\";\n")
endforeach()
file(WRITE ${OUTPUT}.tmp
"// Generated from docs/diagnostics/*.md by cmake/embed_explanations.cmake. Do not edit.
#include <string_view>

namespace polc::diag::explanation {

${body}
}  // namespace polc::diag::explanation
")
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)
