# E0808: a signature by a key the trust file does not list (mallory). E0809: a trusted key's
# signature with one byte changed.
. "$CASES/lib.bash"
setup_keys
build_tiny
write_trust 1 3 alice bob
"$POLC" sign dist/tiny --key keys/mallory.key
"$POLC" sign dist/tiny --key keys/bob.key
python3 - <<'PY'
import base64, json
path = "dist/tiny/signatures.json"
doc = json.load(open(path))
bob = json.load(open("keys/bob.entry"))["id"]
for s in doc["signatures"]:
    if s["key_id"] == bob:
        raw = bytearray(base64.b64decode(s["signature"]))
        raw[10] ^= 1
        s["signature"] = base64.b64encode(bytes(raw)).decode()
open(path, "w").write(json.dumps(doc, sort_keys=True, separators=(",", ":")))
PY
"$POLC" verify dist/tiny --trust trust.json
