#!/bin/sh
# network.netns: loads the nftables.nft of policies/netns_client.sbx into a client namespace wired
# to a server namespace by a veth pair (10.231.0.0/24, link-local 169.254.0.0/16 routed through
# it), and shows that what the policy allows connects and everything else fails. Each check that
# must fail is first shown to succeed without the ruleset, so a failure means nftables refused it.
# Usage: netns.sh POLC SOURCE_DIR
. "$(dirname "$0")/lib.sh"
POLC=$1
SRC=$2
HERE=$(cd "$(dirname "$0")" && pwd)
need_root_and ip nft python3

"$POLC" build "$SRC/tests/network/policies/netns_client.sbx" -o "$WORK/dist" || { echo "FAIL: polc build"; exit 1; }
NFT="$WORK/dist/netns_client/nftables.nft"

new_netns C client
new_netns S server
ip link add "pc$$" type veth peer name "ps$$"
ip link set "pc$$" netns "$C"
ip link set "ps$$" netns "$S"
ip -n "$C" addr add 10.231.0.1/24 dev "pc$$"
ip -n "$S" addr add 10.231.0.2/24 dev "ps$$"
ip -n "$S" addr add 10.231.0.3/24 dev "ps$$"
ip -n "$C" link set "pc$$" up
ip -n "$S" link set "ps$$" up
# The metadata endpoint and another link-local server, on a dummy interface behind the server
# (on its loopback where the kernel has no dummy driver: the server accepts either way).
META=lo
if ip -n "$S" link add meta0 type dummy 2>/dev/null; then META=meta0; fi
ip -n "$S" addr add 169.254.169.254/32 dev "$META"
ip -n "$S" addr add 169.254.10.10/32 dev "$META"
ip -n "$S" link set "$META" up
ip -n "$C" route add 169.254.0.0/16 via 10.231.0.2
ip netns exec "$S" sysctl -qw net.ipv4.conf.all.rp_filter=0

# Listeners: the client's own loopback servers, and the server namespace's.
bg ip netns exec "$C" python3 "$HERE/listen.py" tcp:0.0.0.0:8080 tcp:0.0.0.0:9090 tcp:[::]:8080 >"$WORK/lc" 2>&1
bg ip netns exec "$S" python3 "$HERE/listen.py" tcp:0.0.0.0:8000 tcp:0.0.0.0:8004 tcp:0.0.0.0:8005 \
  tcp:0.0.0.0:8011 tcp:0.0.0.0:80 udp:0.0.0.0:5300 udp:0.0.0.0:5301 >"$WORK/ls" 2>&1
for i in $(seq 50); do
  grep -q ready "$WORK/lc" 2>/dev/null && grep -q ready "$WORK/ls" 2>/dev/null && break
  sleep 0.1
done

probe() { ip netns exec "$C" python3 "$HERE/probe.py" "$@"; }

# Endpoints the policy allows, and endpoints it does not (each reachable without the ruleset).
ALLOWED="tcp,127.0.0.1,8080 tcp,10.231.0.2,8000 tcp,10.231.0.2,8004 udp,10.231.0.2,5300 tcp,169.254.10.10,80"
REFUSED="tcp,127.0.0.1,9090 tcp,127.0.0.2,8080 tcp,::1,8080 tcp,10.231.0.3,8000 tcp,10.231.0.2,8011 \
tcp,10.231.0.2,8005 udp,10.231.0.2,5301 tcp,169.254.169.254,80 tcp,::ffff:169.254.169.254,80"

for e in $ALLOWED $REFUSED; do
  IFS=, read -r proto host port <<EOT
$e
EOT
  expect_ok "without the ruleset: $proto $host port $port reachable" probe "$proto" "$host" "$port"
done

ip netns exec "$C" nft -f "$NFT"
# Loading it again must replace it, not fail or duplicate it.
ip netns exec "$C" nft -f "$NFT"
[ "$(ip netns exec "$C" nft list tables | grep -c 'inet polc_netns_client')" = 1 ] || fail "table loaded once"

for e in $ALLOWED; do
  IFS=, read -r proto host port <<EOT
$e
EOT
  expect_ok "allowed: $proto $host port $port" probe "$proto" "$host" "$port"
done
for e in $REFUSED; do
  IFS=, read -r proto host port <<EOT
$e
EOT
  expect_fail "refused: $proto $host port $port" probe "$proto" "$host" "$port"
done
finish
