#!/usr/bin/env node
// Socket.IO fan-out benchmark: wagate-testserver (the `wagate serve`
// composition plus a stdin channel that publishes events) against many
// socket.io-client 4 websocket-only clients spread over worker processes.
//
// Measures, for each client count N:
//   - server RSS per idle connection: (RSS with N idle clients - RSS before) / N
//   - fan-out: events published at a target rate for a fixed time; events/s
//     delivered to all clients, delivery latency p50/p99/max (each payload
//     carries its publish time, taken in the server just before Publish),
//     and clients the server dropped as too slow.
// Bounded in time: every phase has a deadline. Writes JSON to
// bench/results/socketio_fanout.json (or --out).
//
// Usage: node bench/socketio_fanout.mjs --server build/tests/socketio/wagate-testserver
//   [--clients 1000,5000,10000] [--workers 4] [--rates 1000:100,1000:1000,5000:100,10000:100]
//   [--seconds 5] [--out FILE]
// Needs socket.io-client (tests/socketio/node_modules: `npm ci` there) and
// `ulimit -n` above the largest client count (the server and each worker
// hold one descriptor per connection).
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const require = createRequire(join(root, 'tests/socketio/package.json'));
const KEY = 'bench-key-0123456789abcdef';
const BUCKET_MS = 0.1;  // latency histogram resolution
const BUCKETS = 200000; // up to 20 s

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const nowMs = () => performance.timeOrigin + performance.now();

// ---------------------------------------------------------------- worker
async function worker() {
  const { io } = require('socket.io-client');
  let sockets = [];
  let hist = new Uint32Array(BUCKETS);
  let received = 0;
  let dropped = 0;
  let measuring = false;
  let cpuAtStart = process.cpuUsage();
  const onEvent = (m) => {
    if (!measuring) return;
    received++;
    const lat = nowMs() - m.sentAt;
    hist[Math.min(BUCKETS - 1, Math.max(0, Math.floor(lat / BUCKET_MS)))]++;
  };
  process.on('message', async (msg) => {
    if (msg.cmd === 'connect') {
      let failed = 0;
      const batch = 100;
      for (let i = 0; i < msg.count; i += batch) {
        const wave = [];
        for (let j = i; j < Math.min(msg.count, i + batch); j++) {
          const s = io(msg.url, { forceNew: true, reconnection: false, transports: ['websocket'],
            auth: { token: KEY }, timeout: 60000 });
          s.on('new-message', onEvent);
          s.on('disconnect', (reason) => { if (measuring && reason !== 'io client disconnect') dropped++; });
          sockets.push(s);
          wave.push(new Promise((res) => {
            s.once('connect', res);
            s.once('connect_error', () => { failed++; res(); });
          }));
        }
        await Promise.all(wave);
      }
      process.send({ type: 'connected', count: sockets.length - failed, failed });
    } else if (msg.cmd === 'start') {
      cpuAtStart = process.cpuUsage();
      hist = new Uint32Array(BUCKETS);
      received = 0;
      dropped = 0;
      measuring = true;
      process.send({ type: 'started' });
    } else if (msg.cmd === 'count') {
      process.send({ type: 'count', received, dropped });
    } else if (msg.cmd === 'stop') {
      measuring = false;
      // Sparse histogram: [bucket, count] pairs.
      const sparse = [];
      for (let i = 0; i < BUCKETS; i++) if (hist[i]) sparse.push([i, hist[i]]);
      const cpu = process.cpuUsage(cpuAtStart);
      process.send({ type: 'stats', received, dropped, hist: sparse,
        cpu_us: cpu.user + cpu.system,
        connected: sockets.filter((s) => s.connected).length });
    } else if (msg.cmd === 'close') {
      for (const s of sockets) s.close();
      sockets = [];
      await sleep(200);
      process.send({ type: 'closed' });
    }
  });
  process.send({ type: 'ready' });
}

// ------------------------------------------------------------------ main
function rssKiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
}

// User and system CPU of a process so far, in ms (clock ticks of 10 ms).
function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) * 10, sys: Number(fields[12]) * 10 };
}

async function startServer(bin, dir) {
  const proc = spawn(bin, ['--port=0', `--db=sqlite:${join(dir, 'bench.db')}`, `--data-dir=${dir}`,
    '--log-level=warn', '--events-keep=100000'], {
    env: { ...process.env, WAGATE_API_KEY: KEY }, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout });
  const waiters = [];
  let port;
  const ready = new Promise((res, rej) => {
    lines.on('line', (line) => {
      if (line.startsWith('READY ')) { port = Number(line.slice(6)); res(); }
      else if (line.startsWith('PUBLISHED') || line.startsWith('BURST')) waiters.shift()?.(line);
    });
    proc.on('exit', (c) => rej(new Error(`server exited ${c}`)));
  });
  await Promise.race([ready, sleep(15000).then(() => { throw new Error('server not ready'); })]);
  return { proc, url: `http://127.0.0.1:${port}`,
    send: (line) => proc.stdin.write(line + '\n'),
    command: (line) => new Promise((res) => { waiters.push(res); proc.stdin.write(line + '\n'); }) };
}

class Workers {
  constructor(n) {
    this.list = [];
    for (let i = 0; i < n; i++) {
      const w = fork(fileURLToPath(import.meta.url), ['--worker'], { stdio: 'inherit' });
      w.queue = [];
      w.on('message', (m) => w.queue.shift()?.(m));
      this.list.push(w);
    }
  }
  ask(w, msg) { return new Promise((res) => { w.queue.push(res); if (msg) w.send(msg); }); }
  async ready() { await Promise.all(this.list.map((w) => this.ask(w, null))); }
  all(msgFor) { return Promise.all(this.list.map((w, i) => this.ask(w, msgFor(i)))); }
  kill() { for (const w of this.list) w.kill(); }
}

function percentile(hist, total, p) {
  let acc = 0;
  const target = Math.ceil(total * p);
  for (const [b, c] of hist) { acc += c; if (acc >= target) return +(b * BUCKET_MS).toFixed(2); }
  return null;
}

async function fanout(server, workers, clients, rate, seconds) {
  await workers.all(() => ({ cmd: 'start' }));
  const cpu0 = cpuMs(server.proc.pid);
  const total = Math.round(rate * seconds);
  const tick = 10;  // ms
  const start = nowMs();
  let sent = 0;
  // Publishes on schedule: by time t, rate * t events.
  while (sent < total) {
    const due = Math.min(total, Math.floor((nowMs() - start) / 1000 * rate) + 1);
    while (sent < due) { server.send(`publish-now new-message {"id":"bench-${sent}"}`); sent++; }
    await sleep(tick);
  }
  const publishedIn = (nowMs() - start) / 1000;
  const expected = total * clients;
  // Drain: until everything arrived, or no progress for 3 s, or 60 s.
  let last = -1, stale = 0, received = 0;
  const drainEnd = nowMs() + 60000;
  while (nowMs() < drainEnd) {
    const counts = await workers.all(() => ({ cmd: 'count' }));
    received = counts.reduce((a, c) => a + c.received, 0);
    if (received >= expected) break;
    if (received === last) { if (++stale >= 6) break; } else stale = 0;
    last = received;
    await sleep(500);
  }
  const elapsed = (nowMs() - start) / 1000;
  const cpu1 = cpuMs(server.proc.pid);
  const stats = await workers.all(() => ({ cmd: 'stop' }));
  const merged = new Map();
  let got = 0, dropped = 0, stillConnected = 0, clientCpuUs = 0;
  for (const s of stats) {
    got += s.received; dropped += s.dropped; stillConnected += s.connected;
    clientCpuUs += s.cpu_us;
    for (const [b, c] of s.hist) merged.set(b, (merged.get(b) ?? 0) + c);
  }
  const hist = [...merged.entries()].sort((a, b) => a[0] - b[0]);
  return {
    clients, rate_target: rate, seconds, events_published: total,
    publish_seconds: +publishedIn.toFixed(2),
    deliveries_expected: expected, deliveries: got,
    deliveries_per_s: Math.round(got / elapsed),
    events_per_s_to_all: +(got / clients / elapsed).toFixed(1),
    latency_ms: { p50: percentile(hist, got, 0.5), p99: percentile(hist, got, 0.99),
      max: hist.length ? +(hist[hist.length - 1][0] * BUCKET_MS).toFixed(2) : null },
    clients_dropped_slow: dropped, clients_connected_after: stillConnected,
    // The server's own cost, whatever the clients manage to absorb.
    server_cpu_ms: { user: cpu1.user - cpu0.user, sys: cpu1.sys - cpu0.sys },
    server_cpu_us_per_delivery: got ? +(((cpu1.user - cpu0.user) + (cpu1.sys - cpu0.sys)) * 1000 / got).toFixed(2) : null,
    // The socket.io-client side, for comparison: all workers together.
    client_cpu_us_per_delivery: got ? +(clientCpuUs / got).toFixed(2) : null,
  };
}

async function main() {
  const bin = arg('server', process.env.WAGATE_TESTSERVER);
  if (!bin) throw new Error('--server <wagate-testserver> or WAGATE_TESTSERVER');
  const sizes = arg('clients', '1000,5000,10000').split(',').map(Number);
  const nWorkers = Number(arg('workers', '4'));
  const rates = arg('rates', '1000:100,1000:1000,5000:100,10000:100').split(',')
    .map((s) => s.split(':').map(Number));
  const seconds = Number(arg('seconds', '5'));
  const out = arg('out', join(root, 'bench/results/socketio_fanout.json'));

  const workers = new Workers(nWorkers);
  await workers.ready();
  const result = { benchmark: 'socketio_fanout', date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version,
      note: 'server and client workers share these cores (and other users of the machine)' },
    server: bin, workers: nWorkers, memory: [], fanout: [] };
  try {
    for (const n of sizes) {
      // A fresh server per size: RSS freed by an earlier round would
      // otherwise be reused and hide the cost of new connections.
      const dir = mkdtempSync(join(tmpdir(), 'wagate-bench-'));
      const server = await startServer(bin, dir);
      try {
        // Warm the allocator and the code paths with one small round.
        await workers.all((i) => ({ cmd: 'connect', url: server.url, count: i === 0 ? 50 : 0 }));
        await workers.all(() => ({ cmd: 'close' }));
        await sleep(1000);
        const before = rssKiB(server.proc.pid);
        const t0 = nowMs();
        const per = (i) => Math.floor(n / nWorkers) + (i < n % nWorkers ? 1 : 0);
        const conn = await workers.all((i) => ({ cmd: 'connect', url: server.url, count: per(i) }));
        const connectS = (nowMs() - t0) / 1000;
        const connected = conn.reduce((a, c) => a + c.count, 0);
        await sleep(2000);
        const afterKiB = rssKiB(server.proc.pid);
        const m = { clients: n, connected, connect_seconds: +connectS.toFixed(2),
          server_rss_before_kib: before, server_rss_idle_kib: afterKiB,
          rss_per_idle_connection_bytes: Math.round((afterKiB - before) * 1024 / connected) };
        result.memory.push(m);
        console.log(JSON.stringify(m));
        for (const [c, rate] of rates) {
          if (c !== n) continue;
          const f = await fanout(server, workers, n, rate, seconds);
          result.fanout.push(f);
          console.log(JSON.stringify(f));
          await sleep(1000);
        }
        await workers.all(() => ({ cmd: 'close' }));
      } finally {
        server.proc.kill('SIGTERM');
        await sleep(1000);
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    workers.kill();
  }
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  console.log(`wrote ${out}`);
}

if (process.argv.includes('--worker')) {
  worker();
} else {
  main().catch((e) => { console.error(e); process.exit(1); });
}
