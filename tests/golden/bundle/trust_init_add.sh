# `polc trust init` and `polc trust add` write trust files from keygen's public keys: the file
# itself, a bundle it accepts, and every change it refuses (E0816), each leaving the file as it was.
. "$CASES/lib.bash"
setup_keys
cp "$CASES"/keys/*.pub keys/
build_tiny
"$POLC" trust init --key keys/alice.pub --key keys/bob.pub --threshold 2 --policy tiny:3 -o trust.json
cat trust.json
"$POLC" sign dist/tiny --key keys/alice.key >/dev/null
"$POLC" sign dist/tiny --key keys/bob.key >/dev/null
"$POLC" verify dist/tiny --trust trust.json
echo "== add carol, raise tiny's floor to 3 again, add another policy"
"$POLC" trust add trust.json --key keys/carol.pub --policy tiny:3 --policy other
cat trust.json
cp trust.json before.json
echo "== refused: init over an existing file"
status "$POLC" trust init --key keys/mallory.pub --policy tiny -o trust.json
echo "== refused: a key listed twice, a lowered floor"
status "$POLC" trust add trust.json --key keys/bob.pub --policy tiny:2
echo "== refused: a threshold above the keys"
status "$POLC" trust add trust.json --threshold 4
echo "== refused: not a public key"
status "$POLC" trust add trust.json --key keys/alice.key
cmp trust.json before.json && echo "trust.json unchanged"
echo "== usage errors"
status "$POLC" trust init --key keys/alice.pub -o new.json
status "$POLC" trust add trust.json --policy 9lives
status "$POLC" trust
test -e new.json || echo "new.json not written"
