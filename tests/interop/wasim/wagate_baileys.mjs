// Launcher of the wagate ↔ Baileys interop test (ctest `wagate_baileys`):
// starts wasim and wagate (both on 127.0.0.1, free ports), writes the media
// host's CA (GET /admin/info mediaCaPem) to a file that both wagate
// (WAGATE_WA_CA_FILE) and the node child (NODE_EXTRA_CA_CERTS, read only at
// start) trust, runs wagate_baileys_child.mjs under `node --test`, and kills
// both servers by PID at the end. Exit code = the child's.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import { fileURLToPath } from 'node:url'

const WASIM = process.env.WASIM
const WAGATE = process.env.WAGATE
if (!WASIM || !WAGATE) { console.error('set WASIM and WAGATE to the binaries'); process.exit(2) }
const API_KEY = 'interop-test-key-0123456789abcdef'
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wagate-baileys-'))
const procs = []
const logs = { wasim: [], wagate: [] }

function keep(name, buf) {
  const arr = logs[name]
  arr.push(buf.toString())
  if (arr.length > 4000) arr.splice(0, arr.length - 4000)
  if (process.env.INTEROP_STDERR) process.stderr.write(`[${name}] ${buf}`)
}

async function stopAll() {
  for (const p of procs.reverse()) {
    if (p.exitCode !== null || p.signalCode !== null) continue
    p.kill('SIGTERM')
    const done = await new Promise(r => { p.once('exit', () => r(true)); setTimeout(() => r(false), 10_000) })
    if (!done) { p.kill('SIGKILL'); await new Promise(r => { p.once('exit', r); setTimeout(r, 5000) }) }
  }
}

function firstLine(stream, match, ms, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start`)), ms)
    const rl = readline.createInterface({ input: stream })
    rl.on('line', l => {
      const m = match(l)
      if (m) { clearTimeout(timer); resolve(m) }
    })
  })
}

let code = 1
try {
  const wasim = spawn(WASIM, ['--host', '127.0.0.1', '--data', path.join(tmp, 'wasim'),
    '--log-level', process.env.WASIM_LOG || 'info'], { stdio: ['ignore', 'pipe', 'pipe'] })
  procs.push(wasim)
  wasim.on('error', e => console.error('wasim:', e.message))
  wasim.stderr.on('data', d => keep('wasim', d))
  const info = JSON.parse(await firstLine(wasim.stdout, l => l.startsWith('{') && l, 10_000, 'wasim'))
  const adminInfo = await (await fetch(info.adminUrl + '/admin/info')).json()
  const caFile = path.join(tmp, 'media-ca.pem')
  fs.writeFileSync(caFile, adminInfo.mediaCaPem)

  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('WAGATE_')))
  Object.assign(env, {
    WAGATE_API_KEY: API_KEY, WAGATE_WA_URL: info.wsUrl, WAGATE_WA_ROOT_KEY: info.rootPublicKey,
    WAGATE_WA_CA_FILE: caFile, WAGATE_MEDIA_ALLOW_PRIVATE: '1',
    WAGATE_LOG_LEVEL: process.env.WAGATE_LOG || 'info'
  })
  const wagateDir = path.join(tmp, 'wagate')
  fs.mkdirSync(wagateDir)
  const wagate = spawn(WAGATE, ['--host', '127.0.0.1', '--port', '0', '--db', `sqlite:${wagateDir}/wagate.db`,
    '--media-dir', path.join(wagateDir, 'media')], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  procs.push(wagate)
  wagate.on('error', e => console.error('wagate:', e.message))
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('wagate did not start')), 30_000)
    for (const stream of [wagate.stdout, wagate.stderr]) {
      readline.createInterface({ input: stream }).on('line', l => {
        keep('wagate', l + '\n')
        const m = l.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/)
        if (m) { clearTimeout(timer); resolve(m[1]) }
      })
    }
  })

  const child = spawn(process.execPath,
    ['--test', '--test-reporter=spec', path.join(path.dirname(fileURLToPath(import.meta.url)), 'wagate_baileys_child.mjs')],
    { stdio: 'inherit', env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile, WASIM_INFO: JSON.stringify(info),
      WAGATE_URL: `http://127.0.0.1:${port}`, WAGATE_TEST_KEY: API_KEY, INTEROP_TMP: tmp } })
  procs.push(child)
  const killer = setTimeout(() => { console.error('child timed out'); child.kill('SIGKILL') }, 570_000)
  code = await new Promise(resolve => child.once('exit', (c, s) => resolve(c ?? (s ? 1 : 0))))
  clearTimeout(killer)
} catch (e) {
  console.error(e)
}
await stopAll()
if (code !== 0 && !process.env.INTEROP_STDERR) {
  process.stderr.write('--- wasim log (tail) ---\n' + logs.wasim.join('').slice(-15000))
  process.stderr.write('--- wagate log (tail) ---\n' + logs.wagate.join('').slice(-15000))
}
if (!process.env.INTEROP_KEEP) fs.rmSync(tmp, { recursive: true, force: true })
process.exit(code)
