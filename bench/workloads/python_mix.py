"""A small, realistic Python 3 workload whose system calls bench/record_syscall_mix.sh records:
the module imports, file reads and writes, one subprocess and one loopback TCP exchange that an
agent's script typically does. Deterministic in what it does (not in timings), so a rerun gives
nearly the same mix. Usage: python_mix.py TMPDIR"""
import hashlib
import json
import pathlib
import re
import socket
import subprocess
import sys
import threading

def read_stdlib():
    # Read the sources of a few dozen standard modules, as an import-heavy script would.
    root = pathlib.Path(json.__file__).parent.parent
    words = 0
    for path in sorted(root.glob("*.py"))[:40]:
        words += len(re.findall(r"\w+", path.read_text(encoding="utf-8", errors="replace")))
    return words

def files(tmp):
    # Write, list, read back and delete a few files: a script's scratch output.
    out = pathlib.Path(tmp)
    for i in range(5):
        (out / f"result_{i}.json").write_text(json.dumps({"i": i, "squares": [j * j for j in range(100)]}))
    total = sum(len(json.loads(p.read_text())["squares"]) for p in sorted(out.glob("result_*.json")))
    for p in out.glob("result_*.json"):
        p.unlink()
    return total

def loopback():
    # A listener on 127.0.0.1 served by a thread, one client connection, one request and reply.
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def serve():
        conn, _ = server.accept()
        with conn:
            data = conn.recv(4096)
            conn.sendall(hashlib.sha256(data).hexdigest().encode())

    t = threading.Thread(target=serve)
    t.start()
    with socket.create_connection(server.getsockname()) as client:
        client.sendall(b"ping" * 64)
        reply = client.recv(4096)
    t.join()
    server.close()
    return len(reply)

def main():
    tmp = sys.argv[1]
    words = read_stdlib()
    total = files(tmp)
    subprocess.run(["/bin/true"], check=True)
    reply = loopback()
    print(json.dumps({"words": words, "squares": total, "reply": reply}))

if __name__ == "__main__":
    main()
