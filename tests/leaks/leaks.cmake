# Makes every test require the leak check (tests/leaks/CMakeLists.txt): include this before any
# add_test. It wraps add_test so that, at the end of each directory that adds tests (after that
# directory's own set_tests_properties, which would replace the properties), every test of the
# directory appends the fixture and the environment marker. CMake 3.25 can set a test's properties
# only from the directory that added it, hence the wrapper rather than one pass at the end.
set(POLC_LEAK_MARKER "POLC_TEST_SUITE=${CMAKE_BINARY_DIR}")

function(polc_require_leak_check)
  get_property(tests DIRECTORY PROPERTY TESTS)
  foreach(test ${tests})
    if(NOT test MATCHES "^leaks\\.")
      set_property(TEST ${test} APPEND PROPERTY FIXTURES_REQUIRED polc_leaks)
      set_property(TEST ${test} APPEND PROPERTY ENVIRONMENT "${POLC_LEAK_MARKER}")
    endif()
  endforeach()
endfunction()

function(add_test)
  _add_test(${ARGV})
  get_property(scheduled DIRECTORY PROPERTY POLC_LEAK_CHECK_SCHEDULED)
  if(NOT scheduled)
    set_property(DIRECTORY PROPERTY POLC_LEAK_CHECK_SCHEDULED TRUE)
    cmake_language(DEFER CALL polc_require_leak_check)
  endif()
endfunction()
