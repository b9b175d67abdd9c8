// A small, realistic Node.js workload whose system calls bench/record_syscall_mix.sh records: the
// module loads, file reads and writes, one child process, hashing and one loopback HTTP request
// that an agent's tool typically does. Usage: node node_mix.js TMPDIR
'use strict';
const childProcess = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const path = require('path');

function files(tmp) {
  // Write, list, read back and delete a few files: a tool's scratch output.
  for (let i = 0; i < 5; i++) {
    const squares = Array.from({ length: 100 }, (_, j) => j * j);
    fs.writeFileSync(path.join(tmp, `result_${i}.json`), JSON.stringify({ i, squares }));
  }
  let total = 0;
  for (const name of fs.readdirSync(tmp).filter((n) => n.startsWith('result_')).sort()) {
    total += JSON.parse(fs.readFileSync(path.join(tmp, name), 'utf8')).squares.length;
    fs.unlinkSync(path.join(tmp, name));
  }
  return total;
}

async function loopback() {
  // An HTTP server on 127.0.0.1 and one client request to it, in the same process.
  const server = http.createServer((req, res) => {
    const hash = crypto.createHash('sha256');
    req.on('data', (chunk) => hash.update(chunk));
    req.on('end', () => res.end(hash.digest('hex')));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  const body = await new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', agent: false }, (res) => {
      let data = '';
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve(data));
    });
    req.on('error', reject);
    req.end('ping'.repeat(64));
  });
  await new Promise((resolve) => server.close(resolve));
  return body.length;
}

async function main() {
  const tmp = process.argv[2];
  const total = files(tmp);
  // Asynchronous reads go through libuv's thread pool, as a server's would.
  const own = await fs.promises.readFile(__filename, 'utf8');
  childProcess.execFileSync('/bin/true');
  const random = crypto.randomBytes(32).toString('hex');
  const reply = await loopback();
  console.log(JSON.stringify({ squares: total, own: own.length, random: random.length, reply }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
