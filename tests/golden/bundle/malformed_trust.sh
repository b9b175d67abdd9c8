# E0807: a trust file that does not parse (located), and one with a misspelt key, a key listed
# twice, an id that is not its key's, and a threshold no bundle could meet.
. "$CASES/lib.bash"
setup_keys
build_tiny
printf '{"format": "polc.trust/1", "threshold": 1,\n "keys": [}\n' >trust.json
status "$POLC" verify dist/tiny --trust trust.json
python3 - <<'PY'
import json
a = json.load(open("keys/alice.entry"))
b = dict(json.load(open("keys/bob.entry")), id="00" * 32)
doc = {"format": "polc.trust/1", "treshold": 1, "threshold": 4, "keys": [a, a, b],
       "policies": {"tiny": {"min_version": 1}}}
json.dump(doc, open("trust.json", "w"), indent=2)
PY
status "$POLC" verify dist/tiny --trust trust.json
# A key written twice in one object (the last would silently win), and the identity point as a
# public key (small order: R = identity, S = 0 would verify over any manifest).
printf '{"format": "polc.trust/1", "threshold": 2, "keys": [%s], "policies": {"tiny": {"min_version": 3}},\n "threshold": 1}\n' \
  "$(cat keys/alice.entry)" >trust.json
status "$POLC" verify dist/tiny --trust trust.json
python3 - <<'PY'
import base64, hashlib, json
identity = bytes([1] + [0] * 31)
key = {"id": hashlib.sha256(identity).hexdigest(), "name": "nobody", "public_key": base64.b64encode(identity).decode()}
json.dump({"format": "polc.trust/1", "threshold": 1, "keys": [key], "policies": {"tiny": {"min_version": 1}}},
          open("trust.json", "w"))
PY
"$POLC" verify dist/tiny --trust trust.json
