# E0806: signatures.json that is not JSON (located), and one made for another manifest.
. "$CASES/lib.bash"
setup_keys
build_tiny
write_trust 1 3 alice
printf '{"format": "polc.signatures/1", "signatures": [' >dist/tiny/signatures.json
status "$POLC" verify dist/tiny --trust trust.json
rm dist/tiny/signatures.json
"$POLC" sign dist/tiny --key keys/alice.key
edit_manifest 'm["policy"]["version"] = 4'
"$POLC" verify dist/tiny --trust trust.json
