# polc sign --manifest-sha256: the digest shown on the review page pins what is signed; a bundle
# rebuilt (here: with another expiry) after the review is refused (E0803), the reviewed one signed.
# A symlink planted at signatures.json is replaced, never written through.
. "$CASES/lib.bash"
setup_keys
build_tiny
reviewed=$(sha256sum dist/tiny/manifest.json | cut -d' ' -f1)
build_tiny --expires 2099-01-01
status "$POLC" sign dist/tiny --key keys/alice.key --manifest-sha256 "$reviewed"
build_tiny
echo "do not overwrite" >outside.txt
ln -s ../../outside.txt dist/tiny/signatures.json
status "$POLC" sign dist/tiny --key keys/alice.key --manifest-sha256 "$reviewed"
rm dist/tiny/signatures.json
"$POLC" sign dist/tiny --key keys/alice.key --manifest-sha256 "$reviewed"
cat outside.txt
ls dist/tiny
