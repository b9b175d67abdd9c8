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
"$POLC" verify dist/tiny --trust trust.json
