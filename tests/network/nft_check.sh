#!/bin/sh
# network.nft_check: every example's nftables.nft and every test policy's must be accepted by nft
# (checked in a fresh network namespace, where `nft -c` gets the capability it needs), and must load
# twice in a row (the replace idiom works whether or not the table exists). Their squid.conf files
# must parse.
# Usage: nft_check.sh POLC SOURCE_DIR
. "$(dirname "$0")/lib.sh"
POLC=$1
SRC=$2
need_root_and nft unshare

for policy in "$SRC"/examples/*.sbx "$SRC"/tests/network/policies/*.sbx; do
  name=$(basename "$policy" .sbx)
  if ! "$POLC" build "$policy" -o "$WORK/$name" >"$WORK/$name.log" 2>&1; then
    fail "$name: polc build failed: $(cat "$WORK/$name.log")"
    continue
  fi
  out=$(echo "$WORK/$name"/*)
  expect_ok "$name: nft -c accepts nftables.nft" unshare -n nft -c -f "$out/nftables.nft"
  table=$(sed -n 's/^table inet \([A-Za-z0-9_]*\) {$/\1/p' "$out/nftables.nft" | head -n 1)
  expect_ok "$name: nftables.nft loads twice and lists table $table" unshare -n sh -c \
    "nft -f '$out/nftables.nft' && nft -f '$out/nftables.nft' && nft list table inet '$table' >/dev/null"
  # The proxy's file too, where the policy has one and squid is here.
  if [ -f "$out/squid.conf" ] && command -v squid >/dev/null 2>&1; then
    expect_ok "$name: squid -k parse accepts squid.conf" sh -c "squid -k parse -f '$out/squid.conf' >/dev/null 2>&1"
  fi
done
finish
