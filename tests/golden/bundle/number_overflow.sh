# E0807, E0806: a number no double can hold (1e400) in a trust file or signatures.json is a
# malformed document, located at the number, not an internal error.
. "$CASES/lib.bash"
setup_keys
build_tiny
printf '{"format": "polc.trust/1", "threshold": 1e400, "keys": [], "policies": {}}\n' >trust.json
status "$POLC" verify dist/tiny --trust trust.json
write_trust 1 1 alice
printf '{"format": "polc.signatures/1", "manifest_sha256": "00", "signatures": [], "n": -1e999}\n' >dist/tiny/signatures.json
status "$POLC" verify dist/tiny --trust trust.json
