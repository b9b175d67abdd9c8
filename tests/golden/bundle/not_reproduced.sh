# E0815: an artifact replaced and its digest updated in the manifest (so the bundle is intact and
# could even be signed): polc inspect rebuilds from the bundled sources and names the difference.
. "$CASES/lib.bash"
build_tiny
printf 'table inet polc {}\n' >dist/tiny/nftables.nft
edit_manifest '
import hashlib
data = open("dist/tiny/nftables.nft", "rb").read()
for a in m["artifacts"]:
    if a["path"] == "nftables.nft":
        a["sha256"], a["size"] = hashlib.sha256(data).hexdigest(), len(data)'
"$POLC" verify dist/tiny --integrity-only
"$POLC" inspect dist/tiny >/dev/null
