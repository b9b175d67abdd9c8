# E0811: the manifest's expiry (covered by the signature) has passed. polc build refuses a past
# --expires and polc sign refuses an expired bundle, so this bundle is made as an old one would
# look: the expiry written into the manifest and signed with openssl.
. "$CASES/lib.bash"
setup_keys
build_tiny --expires 2099-01-01
write_trust 1 3 alice
status "$POLC" build "$CASES/tiny.sbx" -o dist --expires 2001-01-01
edit_manifest 'm["expires"] = "2020-01-31T00:00:00Z"'
status "$POLC" sign dist/tiny --key keys/alice.key
openssl_sign alice
"$POLC" verify dist/tiny --trust trust.json
