# E0815: an artifact replaced and its digest updated in the manifest (so the bundle is intact and
# could even be signed): polc inspect rebuilds from the bundled sources and names the difference,
# and polc sign refuses to sign it. Claiming another compiler in the manifest does not switch the
# check off: a bundle this polc cannot rebuild is refused too.
. "$CASES/lib.bash"
setup_keys
build_tiny
printf 'table inet polc {}\n' >dist/tiny/nftables.nft
edit_manifest '
import hashlib
data = open("dist/tiny/nftables.nft", "rb").read()
for a in m["artifacts"]:
    if a["path"] == "nftables.nft":
        a["sha256"], a["size"] = hashlib.sha256(data).hexdigest(), len(data)'
"$POLC" verify dist/tiny --integrity-only
status "$POLC" inspect dist/tiny >/dev/null
status "$POLC" sign dist/tiny --key keys/alice.key
edit_manifest 'm["compiler"] = "polc 0.0.9"'
status "$POLC" inspect dist/tiny >/dev/null
"$POLC" sign dist/tiny --key keys/alice.key
