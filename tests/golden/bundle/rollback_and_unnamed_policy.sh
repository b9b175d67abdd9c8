# E0812: version 3 below the trust file's minimum of 4 (a rollback). E0813: a trust file that
# does not name the policy at all.
. "$CASES/lib.bash"
setup_keys
build_tiny
write_trust 1 4 alice
"$POLC" sign dist/tiny --key keys/alice.key
status "$POLC" verify dist/tiny --trust trust.json
python3 -c '
import json; t = json.load(open("trust.json")); t["policies"] = {"other": {"min_version": 1}}
json.dump(t, open("trust.json", "w"))'
"$POLC" verify dist/tiny --trust trust.json
