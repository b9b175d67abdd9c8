# What `cmake --install` (and `make install PREFIX=...`) puts where, under CMAKE_INSTALL_PREFIX:
#   bin/polc, bin/sbx-exec
#   share/man/man1/polc.1, polc-VERB.1 (one per verb), sbx-exec.1   generated from the help texts
#   share/bash-completion/completions/{polc,sbx-exec}                generated from the help texts
#   share/zsh/vendor-completions/{_polc,_sbx-exec} (site-functions outside /usr)
#   share/fish/vendor_completions.d/{polc,sbx-exec}.fish
#   share/doc/polc/: docs/*.md, README.md, the license (also as `copyright`) and examples/
# polc needs nothing else at run time: the standard library is built into it, and `polc run` finds
# sbx-exec beside itself. SARIF output links the installed diagnostics.md (docs_location.cpp), and
# the Debian package (CPack, `cpack -G DEB` in the build directory) installs this same tree.
find_program(POLC_PYTHON3 python3 REQUIRED)

set(POLC_GENERATED ${CMAKE_BINARY_DIR}/generated)
set(POLC_MAN_STAMP ${POLC_GENERATED}/man.stamp)
set(POLC_COMPLETIONS_STAMP ${POLC_GENERATED}/completions.stamp)
add_custom_command(
  OUTPUT ${POLC_MAN_STAMP}
  COMMAND ${POLC_PYTHON3} ${CMAKE_SOURCE_DIR}/scripts/gen-man.py $<TARGET_FILE:polc> $<TARGET_FILE:sbx-exec>
          ${POLC_GENERATED}/man
  COMMAND ${CMAKE_COMMAND} -E touch ${POLC_MAN_STAMP}
  DEPENDS polc sbx-exec ${CMAKE_SOURCE_DIR}/scripts/gen-man.py ${CMAKE_SOURCE_DIR}/scripts/help_overview.py
  COMMENT "Writing the manual pages from the help texts")
add_custom_command(
  OUTPUT ${POLC_COMPLETIONS_STAMP}
  COMMAND ${POLC_PYTHON3} ${CMAKE_SOURCE_DIR}/scripts/gen-completions.py $<TARGET_FILE:polc>
          $<TARGET_FILE:sbx-exec> ${POLC_GENERATED}/completions
  COMMAND ${CMAKE_COMMAND} -E touch ${POLC_COMPLETIONS_STAMP}
  DEPENDS polc sbx-exec ${CMAKE_SOURCE_DIR}/scripts/gen-completions.py ${CMAKE_SOURCE_DIR}/scripts/help_overview.py
  COMMENT "Writing the shell completions from the help texts")
add_custom_target(polc_install_files ALL DEPENDS ${POLC_MAN_STAMP} ${POLC_COMPLETIONS_STAMP})

# Debian's zsh reads vendor completions from /usr/share/zsh/vendor-completions; zsh built
# elsewhere reads PREFIX/share/zsh/site-functions. -DPOLC_ZSH_COMPLETION_DIR=DIR (relative: under
# the prefix) chooses another; without it, the choice follows the prefix of each configure.
if(POLC_ZSH_COMPLETION_DIR)
  set(polc_zsh_dir ${POLC_ZSH_COMPLETION_DIR})
elseif(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(polc_zsh_dir ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
else()
  set(polc_zsh_dir ${CMAKE_INSTALL_DATADIR}/zsh/site-functions)
endif()

# The layout, for the install.package test (tests/install/install_test.sh).
file(WRITE ${CMAKE_BINARY_DIR}/install-layout.sh
     "prefix='${CMAKE_INSTALL_PREFIX}'\nbindir='${CMAKE_INSTALL_BINDIR}'\nmandir='${CMAKE_INSTALL_MANDIR}'\n"
     "datadir='${CMAKE_INSTALL_DATADIR}'\ndocdir='${CMAKE_INSTALL_DOCDIR}'\nzshdir='${polc_zsh_dir}'\n"
     "version='${PROJECT_VERSION}'\n")

install(TARGETS polc sbx-exec RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${POLC_GENERATED}/man/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 FILES_MATCHING PATTERN "*.1")
install(FILES ${POLC_GENERATED}/completions/bash/polc ${POLC_GENERATED}/completions/bash/sbx-exec
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
install(FILES ${POLC_GENERATED}/completions/zsh/_polc ${POLC_GENERATED}/completions/zsh/_sbx-exec
        DESTINATION ${polc_zsh_dir})
install(FILES ${POLC_GENERATED}/completions/fish/polc.fish ${POLC_GENERATED}/completions/fish/sbx-exec.fish
        DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/examples DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${CMAKE_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR} RENAME copyright)

# The Debian package: `cpack -G DEB` in the build directory (`make deb`). It installs under the
# configured prefix, the one compiled into polc (docs_location.cpp): configure with
# -DCMAKE_INSTALL_PREFIX=/usr for a package that installs like a distribution's.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME polc)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "polc maintainers <maintainers@polc.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "policy-as-code compiler for seccomp, Landlock and network sandboxes")
# Debian's long description: CPack writes the summary as its first line, then these lines.
set(CPACK_PACKAGE_DESCRIPTION
    "polc compiles one declarative .sbx policy into seccomp BPF programs, an OCI
seccomp profile, a Landlock ruleset, nftables and proxy allowlists, proves
it free of conflicts with Z3, and packs the artifacts into a reproducible,
signable bundle. sbx-exec verifies such a bundle and runs a command
confined by it.")
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_STRIP_FILES ON)
# sbx-exec runs nft for --netns and --join-netns; the egress proxy is squid.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "nftables")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "squid, bubblewrap")
# The shared libraries polc and sbx-exec link (Z3, libseccomp, OpenSSL 3, the ANTLR 4 runtime,
# libstdc++): dpkg-shlibdeps names their packages; without it, Debian 12's names are listed.
find_program(POLC_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(POLC_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS
      "libc6, libstdc++6, libgcc-s1, libz3-4, libseccomp2, libssl3, libantlr4-runtime4.9")
endif()
include(CPack)
