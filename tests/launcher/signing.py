"""Ed25519 keys, signatures.json and trust files for the sbx-exec tests, made with the openssl
command line (as docs/bundle.md describes the formats), independently of `polc keygen` and
`polc sign`: the launcher must accept what the documented format says, whoever wrote it.

Keys are generated at test time in the test's temp dir; none is committed.
"""

import base64
import hashlib
import json
import os
import shutil
import subprocess

from harness import Skip

CONTEXT = b"polc.signature/1\n"


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class Key:
    def __init__(self, name, pem, raw):
        self.name = name
        self.pem = pem  # path of the PKCS#8 private key
        self.raw = raw  # the 32-byte public key
        self.id = hashlib.sha256(raw).hexdigest()
        self.public_b64 = base64.b64encode(raw).decode()

    def entry(self):
        """The trust file's entry for this key (what `polc keygen` prints)."""
        return {"id": self.id, "name": self.name, "public_key": self.public_b64}

    def sign(self, message):
        # From a file: for Ed25519 (one-shot signing) pkeyutl needs to know the input's size.
        msg = self.pem + ".msg"
        with open(msg, "wb") as f:
            f.write(message)
        r = subprocess.run(["openssl", "pkeyutl", "-sign", "-rawin", "-inkey", self.pem, "-in", msg],
                           capture_output=True, check=True)
        os.unlink(msg)
        assert len(r.stdout) == 64, r.stdout
        return r.stdout


def require_openssl():
    if not shutil.which("openssl"):
        raise Skip("the openssl command line is needed to make test keys and signatures")


def keygen(directory, name):
    require_openssl()
    os.makedirs(directory, exist_ok=True)
    pem = os.path.join(directory, f"{name}.key")
    subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", pem], check=True, capture_output=True)
    os.chmod(pem, 0o600)
    der = subprocess.run(["openssl", "pkey", "-in", pem, "-pubout", "-outform", "DER"], check=True,
                         capture_output=True).stdout
    return Key(name, pem, der[-32:])


def signature_entry(key, manifest_bytes):
    return {"algorithm": "ed25519", "key_id": key.id,
            "signature": base64.b64encode(key.sign(CONTEXT + manifest_bytes)).decode()}


def write_signatures(bundle, entries, manifest_bytes=None):
    """signatures.json with `entries` as given (duplicates and order kept), for the manifest in
    the bundle (or `manifest_bytes`)."""
    if manifest_bytes is None:
        manifest_bytes = open(os.path.join(bundle, "manifest.json"), "rb").read()
    doc = {"format": "polc.signatures/1", "manifest_sha256": hashlib.sha256(manifest_bytes).hexdigest(),
           "signatures": entries}
    with open(os.path.join(bundle, "signatures.json"), "w") as f:
        f.write(canonical(doc))


def sign(bundle, keys):
    """Signs the bundle's manifest as it is now with each key (replacing signatures.json)."""
    manifest = open(os.path.join(bundle, "manifest.json"), "rb").read()
    entries = sorted((signature_entry(k, manifest) for k in keys), key=lambda e: e["key_id"])
    write_signatures(bundle, entries, manifest)


def write_trust(path, keys, threshold, policies=None):
    """A polc.trust/1 file; `policies` maps policy names to min_version (default fixture: 0)."""
    policies = {"fixture": 0} if policies is None else policies
    doc = {"format": "polc.trust/1", "threshold": threshold, "keys": [k.entry() for k in keys],
           "policies": {name: {"min_version": v} for name, v in policies.items()}}
    with open(path, "w") as f:
        json.dump(doc, f, indent=2)
    os.chmod(path, 0o644)
    return path
