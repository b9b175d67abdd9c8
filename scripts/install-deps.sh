#!/usr/bin/env bash
# Installs everything polc needs to build and test on Debian 12. Idempotent: safe to run again.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git python3
  antlr4 libantlr4-runtime-dev          # grammar tool (4.7.2) and C++ runtime (4.9)
  libseccomp-dev seccomp                # syscall tables and BPF generation; scmp_sys_resolver
  libz3-dev                             # SMT solver for the verifier
  libssl-dev                            # Ed25519 signatures (OpenSSL 3)
  nlohmann-json3-dev doctest-dev        # JSON and unit tests
  clang libclang-rt-14-dev              # libFuzzer and sanitizers
  linux-libc-dev linux-libc-dev-arm64-cross linux-libc-dev-armhf-cross \
  linux-libc-dev-riscv64-cross linux-libc-dev-s390x-cross  # UAPI headers: scripts/gen-constants.py
  bubblewrap                            # bwrap, for the kernel.bwrap test
  nftables squid curl iproute2          # the network tests: nft, the egress proxy, ip netns
  golang-github-containers-common       # /usr/share/containers/seccomp.json: containers_seccomp test
  python3-jsonschema util-linux         # telemetry events checked against their schema; setpriv
  python3-venv nodejs                   # polc learn's acceptance workloads (a venv job, a Node script)
  runc crun busybox-static              # the OCI fragment run by real runtimes on a busybox rootfs
  groff-base zsh                        # install.* tests: the manual pages and zsh completions parse
  podman                                # kernel.oci_user_podman: the Docker/Podman seccomp example
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: installed ${missing[*]}"
