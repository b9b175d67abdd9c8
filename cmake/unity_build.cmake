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

# Targets built file by file. The test executables: their files share many helper names, and
# they compile without optimization (tests/CMakeLists.txt) with a precompiled header, so batches
# would save little. polc_record: gcc's -O2 inlines more across a batch and sees a false
# -Wmaybe-uninitialized (an error here) in a std::variant of compiler/learn/recording.h.
function(polc_unity_off)
  foreach(target ${ARGN})
    if(TARGET ${target})
      set_target_properties(${target} PROPERTIES UNITY_BUILD OFF)
    endif()
  endforeach()
endfunction()
polc_unity_off(polc_record polc_unit_tests polc_kernel_tests polc_launcher_os_tests polc_record_tests)

polc_unity_exclude(polc_backend_landlock backends/landlock/fs_layer.cpp)
# ActionOrder: also in backends/seccomp/gen/conditions.cpp (on main since this list was made).
polc_unity_exclude(polc_backend_seccomp backends/seccomp/partition.cpp)
polc_unity_exclude(polc_driver compiler/driver/cmd_diff.cpp compiler/driver/cmd_trust.cpp compiler/driver/output_file.cpp)
polc_unity_exclude(polc_import compiler/import/oci_source.cpp)
polc_unity_exclude(polc_learn compiler/learn/draft.cpp compiler/learn/path_collapse.cpp compiler/learn/replay.cpp)
polc_unity_exclude(polc_report compiler/report/test_report.cpp)
polc_unity_exclude(polc_sema compiler/sema/conditions.cpp compiler/sema/constants.cpp)
polc_unity_exclude(polc_verify compiler/verify/blind_sockets.cpp compiler/verify/net_diff.cpp
                   compiler/verify/net_model.cpp compiler/verify/syscall_diff.cpp)
polc_unity_exclude(polc_launcher_os launcher/os/workspace.cpp)
polc_unity_exclude(polc_telemetry launcher/telemetry/audit_channel.cpp launcher/telemetry/audit_netlink.cpp
                   launcher/telemetry/audit_records.cpp)
