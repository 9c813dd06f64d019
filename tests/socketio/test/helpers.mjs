// Starts wagate-testserver (the `wagate serve` composition plus a stdin
// channel to publish events) and drives it. WAGATE_TESTSERVER names the
// binary (ctest sets it).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const KEY = 'socketio-test-key-0123456789';

export function tempDir() {
  return mkdtempSync(join(tmpdir(), 'wagate-sio-'));
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

// Resolves with { port, url, publish, publishNow, stop, stderr() }.
export async function startServer({ dir, port = 0, env = {}, args = [] } = {}) {
  const bin = process.env.WAGATE_TESTSERVER;
  if (!bin) throw new Error('WAGATE_TESTSERVER is not set');
  const proc = spawn(bin, [`--port=${port}`, `--db=sqlite:${join(dir, 'wagate.db')}`,
    `--data-dir=${dir}`, '--log-level=warn', ...args], {
    env: { ...process.env, WAGATE_API_KEY: KEY, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const lines = createInterface({ input: proc.stdout });
  const waiting = [];
  let ready;
  const readyPromise = new Promise((resolve, reject) => {
    ready = resolve;
    proc.on('exit', (code) => reject(new Error(`testserver exited ${code}: ${stderr}`)));
  });
  lines.on('line', (line) => {
    if (line.startsWith('READY ')) ready(Number(line.slice(6)));
    else if (line.startsWith('PUBLISHED ') || line.startsWith('BURST ')) {
      waiting.shift()?.resolve(Number(line.split(' ')[1]));
    } else if (line.startsWith('ERROR ')) waiting.shift()?.reject(new Error(line));
  });
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  const bound = await Promise.race([
    readyPromise,
    new Promise((_, reject) => setTimeout(() => reject(new Error('no READY in 10 s')), 10000)),
  ]);
  const command = (line) => new Promise((resolve, reject) => {
    waiting.push({ resolve, reject });
    proc.stdin.write(line + '\n');
  });
  return {
    port: bound,
    url: `http://127.0.0.1:${bound}`,
    publish: (name, payload) => command(`publish ${name} ${JSON.stringify(payload)}`),
    publishNow: (name, payload) => command(`publish-now ${name} ${JSON.stringify(payload)}`),
    burst: (n, name, payload) => command(`burst ${n} ${name} ${JSON.stringify(payload)}`),
    stderr: () => stderr,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      const code = await Promise.race([exited,
        new Promise((r) => setTimeout(() => { proc.kill('SIGKILL'); r('killed'); }, 10000))]);
      return code;
    },
  };
}

// Resolves with the first `event` emitted by `emitter`, or rejects after `ms`.
export function once(emitter, event, ms = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${event}" within ${ms} ms`)), ms);
    emitter.once(event, (...args) => {
      clearTimeout(timer);
      resolve(args.length > 1 ? args : args[0]);
    });
  });
}

// Waits until `predicate()` holds, polling, with a deadline.
export async function until(predicate, ms = 5000, what = 'condition') {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
