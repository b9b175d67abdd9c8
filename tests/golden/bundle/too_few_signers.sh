# E0810: one distinct signer where two are needed; the same key's signature twice (added by
# hand) still counts once. An unsigned bundle names every missing key.
. "$CASES/lib.bash"
setup_keys
build_tiny
write_trust 2 3 alice bob carol
status "$POLC" verify dist/tiny --trust trust.json
openssl_sign alice
openssl_sign alice
"$POLC" verify dist/tiny --trust trust.json
