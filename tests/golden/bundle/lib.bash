# Shared steps of the bundle cases (sourced; see README.md).

# keys/NAME.key copied here with the mode polc sign requires (git does not keep 0600).
setup_keys() {
  mkdir -p keys
  cp "$CASES"/keys/*.key "$CASES"/keys/*.entry keys/
  chmod 600 keys/*.key
}

# Builds tiny.sbx into dist/tiny (quietly: the build's own output is tested elsewhere).
build_tiny() {
  "$POLC" build "$CASES/tiny.sbx" -o dist "$@" >/dev/null 2>&1
}

# trust.json with a threshold, the minimum version of `tiny`, and the keys named after them.
write_trust() {
  local threshold=$1 min_version=$2
  shift 2
  python3 - "$threshold" "$min_version" "$@" <<'PY'
import json, sys
threshold, min_version, names = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
keys = [json.load(open(f"keys/{n}.entry")) for n in names]
doc = {"format": "polc.trust/1", "threshold": threshold, "keys": keys,
       "policies": {"tiny": {"min_version": min_version}}}
json.dump(doc, open("trust.json", "w"), indent=2)
PY
}

# Rewrites dist/tiny/manifest.json canonically after applying a Python statement to `m`, as an
# attacker with write access to the bundle would (the digests stay consistent).
edit_manifest() {
  python3 - "$1" <<'PY'
import json, sys
path = "dist/tiny/manifest.json"
m = json.load(open(path))
exec(sys.argv[1])
open(path, "w").write(json.dumps(m, sort_keys=True, separators=(",", ":"), ensure_ascii=False))
PY
}

# Signs dist/tiny with keys/NAME.key through the openssl command line, not polc: the signature
# format is documented (docs/bundle.md), and this also signs what polc sign refuses to.
openssl_sign() {
  local name=$1
  { printf 'polc.signature/1\n'; cat dist/tiny/manifest.json; } >message
  openssl pkeyutl -sign -rawin -inkey "keys/$name.key" -in message -out signature
  python3 - "$name" <<'PY'
import base64, hashlib, json, os, sys
entry = json.load(open(f"keys/{sys.argv[1]}.entry"))
manifest = open("dist/tiny/manifest.json", "rb").read()
path = "dist/tiny/signatures.json"
doc = json.load(open(path)) if os.path.exists(path) else {"format": "polc.signatures/1", "signatures": []}
doc["manifest_sha256"] = hashlib.sha256(manifest).hexdigest()
doc["signatures"].append({"algorithm": "ed25519", "key_id": entry["id"],
                          "signature": base64.b64encode(open("signature", "rb").read()).decode()})
open(path, "w").write(json.dumps(doc, sort_keys=True, separators=(",", ":")))
PY
  rm -f message signature
}

# Runs a command and prints its exit status, so that a case can go on after an expected failure.
status() {
  set +e
  "$@"
  echo "-> exit status $?"
  set -e
}
