# Unity builds (POLC_UNITY_BUILD, the top CMakeLists.txt): the files below define a name at file
# scope (in an anonymous namespace, or static) that another file of the same target defines too,
# so they cannot share a batch with it; each is compiled on its own. A new collision shows as a
# redefinition error in a Unity/unity_*.cxx file: rename the helper, or add the file here.
function(polc_unity_exclude target)
  if(NOT TARGET ${target})
    return()
  endif()
  foreach(file ${ARGN})
    set_source_files_properties(${CMAKE_SOURCE_DIR}/${file} TARGET_DIRECTORY ${target}
                                PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
  endforeach()
endfunction()

polc_unity_exclude(polc_backend_landlock backends/landlock/fs_layer.cpp)
polc_unity_exclude(polc_driver compiler/driver/cmd_diff.cpp compiler/driver/output_file.cpp)
polc_unity_exclude(polc_import compiler/import/oci_source.cpp)
polc_unity_exclude(polc_learn compiler/learn/draft.cpp compiler/learn/path_collapse.cpp compiler/learn/replay.cpp)
polc_unity_exclude(polc_sema compiler/sema/conditions.cpp compiler/sema/constants.cpp)
polc_unity_exclude(polc_verify compiler/verify/blind_sockets.cpp compiler/verify/net_diff.cpp
                   compiler/verify/net_model.cpp compiler/verify/syscall_diff.cpp)
polc_unity_exclude(polc_launcher_os launcher/os/workspace.cpp)
polc_unity_exclude(polc_record launcher/record/decode_net.cpp)
polc_unity_exclude(polc_telemetry launcher/telemetry/audit_channel.cpp launcher/telemetry/audit_netlink.cpp
                   launcher/telemetry/audit_records.cpp)
polc_unity_exclude(polc_unit_tests
  tests/unit/argument_widths_test.cpp tests/unit/attribution_test.cpp tests/unit/evaluate_access_test.cpp
  tests/unit/learn_draft_test.cpp tests/unit/network_backend_test.cpp tests/unit/os_backend_test.cpp
  tests/unit/os_layer_test.cpp tests/unit/proxy_log_test.cpp tests/unit/run_tests_test.cpp
  tests/unit/seccomp_bpf_test.cpp tests/unit/seccomp_differential_test.cpp tests/unit/translation_test.cpp
  tests/unit/verify_blind_sockets_test.cpp)
polc_unity_exclude(polc_kernel_tests tests/kernel/width_kernel_test.cpp)
polc_unity_exclude(polc_launcher_os_tests tests/launcher_os/mounts_test.cpp)
polc_unity_exclude(polc_record_tests tests/record/record_supervisor_test.cpp)
