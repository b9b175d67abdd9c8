# E0802: a manifest cut short (located at the byte where JSON parsing stopped), one in another
# spelling of the same JSON, and one whose artifact path leaves the bundle. E0801: no bundle.
. "$CASES/lib.bash"
build_tiny
cp dist/tiny/manifest.json manifest.orig
head -c 200 manifest.orig >dist/tiny/manifest.json
status "$POLC" verify dist/tiny --integrity-only
python3 -c 'import json; print(json.dumps(json.load(open("manifest.orig")), indent=1))' >dist/tiny/manifest.json
status "$POLC" verify dist/tiny --integrity-only
cp manifest.orig dist/tiny/manifest.json
edit_manifest 'm["artifacts"][0]["path"] = "../escape"'
status "$POLC" verify dist/tiny --integrity-only
"$POLC" verify no/such/bundle --integrity-only
