"""benign_workload.py: what an agent's ordinary Python task does, run by run_attacks.sh under the
same sandbox as the attacks (and first without it). Every step must work; the script exits 0 and
prints "BENIGN OK" only if all of them did, and names the failing step otherwise.

usage: python3.11 benign_workload.py WORKDIR URL EXPECTED_BODY
"""
import sys

WORKDIR, URL, EXPECTED = sys.argv[1], sys.argv[2], sys.argv[3]
steps = []


def step(name):
    def run(fn):
        try:
            detail = fn()
        except Exception as e:  # report every failure as a failed step, never a traceback
            print(f"FAIL {name}: {type(e).__name__}: {e}")
            sys.exit(1)
        steps.append(name)
        print(f"ok   {name}" + (f": {detail}" if detail else ""))
        return fn
    return run


@step("imports")
def _():
    import asyncio, csv, decimal, hashlib, json, sqlite3, ssl, subprocess, tempfile, threading  # noqa: F401,E401
    import urllib.request, zlib  # noqa: F401,E401
    return "json ssl sqlite3 subprocess asyncio hashlib threading urllib zlib"


@step("read files under /usr")
def _():
    import os
    with open(os.__file__, encoding="utf-8") as f:
        source = f.read()
    assert "def makedirs" in source, "os.py does not look like os.py"
    names = os.listdir("/usr/lib/python3.11/json")
    assert "__init__.py" in names
    return f"{len(source)} bytes of {os.__file__}"


@step("TLS context with the system CA bundle")
def _():
    import ssl
    ctx = ssl.create_default_context()
    count = len(ctx.get_ca_certs()) or ctx.cert_store_stats()["x509_ca"]
    return f"{count} CA certificates"


@step("write and read back a workspace file")
def _():
    import json, os
    path = os.path.join(WORKDIR, "benign-output.json")
    data = {"task": "report", "values": list(range(10))}
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f)
    with open(path, encoding="utf-8") as f:
        assert json.load(f) == data
    os.unlink(path)
    return path


@step("sqlite database in the workspace")
def _():
    import os, sqlite3
    path = os.path.join(WORKDIR, "benign.sqlite")
    con = sqlite3.connect(path)
    con.execute("create table t (x integer)")
    con.executemany("insert into t values (?)", [(i,) for i in range(100)])
    con.commit()
    (total,) = con.execute("select sum(x) from t").fetchone()
    con.close()
    os.unlink(path)
    assert total == 4950
    return f"sum = {total}"


@step("scratch file in /tmp")
def _():
    import tempfile
    with tempfile.TemporaryDirectory() as d, open(f"{d}/scratch.bin", "wb+") as f:
        f.write(b"\0" * 4096)
        f.seek(0)
        assert len(f.read()) == 4096
    return None


@step("subprocess python3.11 -c")
def _():
    import subprocess
    out = subprocess.run([sys.executable, "-c", "print(6 * 7)"], capture_output=True, text=True,
                         check=True, timeout=60).stdout.strip()
    assert out == "42", out
    return f"{sys.executable} printed {out}"


@step("thread pool")
def _():
    import hashlib
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(4) as pool:
        digests = list(pool.map(lambda i: hashlib.sha256(str(i).encode()).hexdigest(), range(16)))
    assert len(set(digests)) == 16
    return None


@step("HTTP to the allowed tool server")
def _():
    import urllib.request
    # The launcher may point HTTP(S)_PROXY at the egress proxy; the tool server is reached
    # directly, as the policy allows.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(URL, timeout=10) as response:
        body = response.read().decode()
    assert body == EXPECTED, f"unexpected body {body!r}"
    return f"GET {URL} -> {body!r}"


print(f"BENIGN OK ({len(steps)} steps)")
