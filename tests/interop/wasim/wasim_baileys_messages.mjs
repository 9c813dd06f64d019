// Launcher of the messaging test (ctest `wasim_baileys_messages`): starts
// wasim, writes the media host's self-signed CA (GET /admin/info mediaCaPem)
// to a file and runs wasim_messages_child.mjs under `node --test` with
// NODE_EXTRA_CA_CERTS set — Node reads it only at start, and Baileys' media
// upload (https) and download (fetch) both honour it. Exit code = the child's.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import { fileURLToPath } from 'node:url'

const WASIM = process.env.WASIM
if (!WASIM) { console.error('set WASIM to the wasim binary'); process.exit(2) }
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wasim-msg-'))
const wasim = spawn(WASIM, ['--data', path.join(tmp, 'data'), '--log-level', process.env.WASIM_LOG || 'info'],
  { stdio: ['ignore', 'pipe', 'pipe'] })
const stderr = []
wasim.stderr.on('data', d => { stderr.push(d.toString()); if (process.env.WASIM_STDERR) process.stderr.write(d) })
const timer = setTimeout(() => { console.error('wasim did not start', stderr.join('')); process.exit(1) }, 10_000)
const line = await new Promise(resolve => readline.createInterface({ input: wasim.stdout }).once('line', resolve))
clearTimeout(timer)
const info = JSON.parse(line)
const adminInfo = await (await fetch(info.adminUrl + '/admin/info')).json()
const caFile = path.join(tmp, 'media-ca.pem')
fs.writeFileSync(caFile, adminInfo.mediaCaPem)

const child = spawn(process.execPath,
  ['--test', '--test-reporter=spec', path.join(path.dirname(fileURLToPath(import.meta.url)), 'wasim_messages_child.mjs')],
  { stdio: 'inherit', env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile, WASIM_INFO: JSON.stringify(info), WASIM_TMP: tmp } })
const code = await new Promise(resolve => child.once('exit', (c, s) => resolve(c ?? (s ? 1 : 0))))
wasim.kill('SIGTERM')
await new Promise(r => { wasim.once('exit', r); setTimeout(r, 5000) })
if (code !== 0 && !process.env.WASIM_STDERR) process.stderr.write(stderr.join('').slice(-20000))
fs.rmSync(tmp, { recursive: true, force: true })
process.exit(code)
