# Two of three trusted keys sign; the threshold is 2: accepted. Signing twice with one key keeps
# one signature.
. "$CASES/lib.bash"
setup_keys
build_tiny
write_trust 2 3 alice bob carol
"$POLC" sign dist/tiny --key keys/alice.key
"$POLC" sign dist/tiny --key keys/alice.key
"$POLC" sign dist/tiny --key keys/bob.key
"$POLC" verify dist/tiny --trust trust.json
