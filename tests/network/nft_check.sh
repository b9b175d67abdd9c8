#!/bin/sh
# network.nft_check: every example's nftables.nft and every test policy's must be accepted by nft
# (checked in a fresh network namespace, where `nft -c` gets the capability it needs), and must load
# twice in a row (the replace idiom works whether or not the table exists).
# Usage: nft_check.sh EMIT_TOOL SOURCE_DIR
. "$(dirname "$0")/lib.sh"
EMIT=$1
SRC=$2
need_root_and nft unshare

for policy in "$SRC"/examples/*.sbx "$SRC"/tests/network/policies/*.sbx; do
  name=$(basename "$policy" .sbx)
  out="$WORK/$name"
  mkdir -p "$out"
  # An example with domain rules that does not name its proxy yet gets one in a copy.
  if grep -q '"' "$policy" && ! grep -q '^ *proxy ' "$policy"; then
    sed 's/^\( *\)network {$/&\n\1  proxy 127.0.0.1 port 3128/' "$policy" >"$out/$name.sbx"
    policy="$out/$name.sbx"
  fi
  if ! "$EMIT" "$policy" "$out"; then
    fail "$name: the network backend did not run"
    continue
  fi
  expect_ok "$name: nft -c accepts nftables.nft" unshare -n nft -c -f "$out/nftables.nft"
  table=$(sed -n 's/^table inet \([A-Za-z0-9_]*\) {$/\1/p' "$out/nftables.nft" | head -n 1)
  expect_ok "$name: nftables.nft loads twice and lists table $table" unshare -n sh -c \
    "nft -f '$out/nftables.nft' && nft -f '$out/nftables.nft' && nft list table inet '$table' >/dev/null"
done
finish
