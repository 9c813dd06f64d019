// The Baileys 7 side of bench/messaging_bench.py: the same scenarios as
// wagate's, through the same wasim, in the same run. Talks to the driver
// with JSON lines on stdout and "go" on stdin:
//   1. link account BENCH_PHONE by QR (wasim's admin scan), measure RSS idle;
//   2. close the socket, print {"state":"offline"}, wait for "go" (the
//      driver queues BENCH_N messages for us at wasim meanwhile);
//   3. reconnect with the saved auth, count messages.upsert until BENCH_N:
//      incoming messages/s (decrypt + emit; Baileys stores nothing);
//   4. sendMessage to BENCH_PEER with BENCH_CONCURRENCY in flight for
//      BENCH_DURATION s: sends/s, p50/p99 until the server ack resolved it;
//   5. print {"result": {...}} and exit.
import { createInterface } from 'node:readline'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const modules = join(here, '..', 'tests', 'interop', 'node_modules')
const baileys = await import(pathToFileURL(join(modules, 'baileys', 'lib', 'index.js')).href)
const pino = (await import(pathToFileURL(join(modules, 'pino', 'pino.js')).href)).default
const makeWASocket = baileys.default
const { useMultiFileAuthState, WA_CERT_DETAILS } = baileys

const info = JSON.parse(process.env.WASIM_INFO)
const phone = process.env.BENCH_PHONE
const peer = process.env.BENCH_PEER
const N = Number(process.env.BENCH_N || 5000)
const duration = Number(process.env.BENCH_DURATION || 10)
const concurrency = Number(process.env.BENCH_CONCURRENCY || 32)
const authDir = join(process.env.BENCH_TMP, 'baileys-auth')
const logger = pino({ level: 'silent' })
const sleep = ms => new Promise(r => setTimeout(r, ms))
const say = o => process.stdout.write(JSON.stringify(o) + '\n')
const rssKib = () => Math.round(process.memoryUsage().rss / 1024)
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]()

async function until (what, fn, ms = 120000) {
  const end = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > end) throw new Error(`timeout: ${what}`)
    await sleep(20)
  }
}

async function connect () {
  const { state, saveCreds } = await useMultiFileAuthState(authDir)
  const sock = makeWASocket({ auth: state, waWebSocketUrl: info.wsUrl, logger, markOnlineOnConnect: false,
    shouldSyncHistoryMessage: () => false, defaultQueryTimeoutMs: 20000 })
  const c = { sock, updates: [], count: 0, saves: [] }
  sock.ev.on('creds.update', () => c.saves.push(saveCreds()))
  sock.ev.on('connection.update', u => c.updates.push(u))
  sock.ev.on('messages.upsert', u => {
    for (const m of u.messages) if (!m.key.fromMe && m.message) c.count++
  })
  return c
}

WA_CERT_DETAILS.PUBLIC_KEY.set(Buffer.from(info.rootPublicKey, 'hex'))
let c = await connect()
const { qr } = await until('qr', () => c.updates.find(u => u.qr))
await fetch(`${info.adminUrl}/admin/accounts/${phone}/scan`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ qr })
})
await until('515', () => c.updates.find(u => u.connection === 'close'))
await Promise.all(c.saves)
c = await connect()
await until('open', () => c.updates.find(u => u.connection === 'open'))
await sleep(3000)
global.gc?.()
const rssIdle = rssKib()

c.sock.end(undefined)
await Promise.all(c.saves)
await sleep(500)
say({ state: 'offline' })
await lines.next()  // "go": the driver queued N messages for us

const t0 = performance.now()
c = await connect()
let peak = 0
await until('all upserts', () => { peak = Math.max(peak, rssKib()); return c.count >= N }, 600000)
const incomingS = (performance.now() - t0) / 1000
await until('open', () => c.updates.find(u => u.connection === 'open'))

// Sends: `concurrency` loops, each awaiting its sendMessage (resolved when
// Baileys has sent the stanza and... the server ack is not awaited by
// Baileys; we time until sendMessage resolves, as a gateway would answer).
const jid = `${peer}@s.whatsapp.net`
for (let i = 0; i < 20; i++) await c.sock.sendMessage(jid, { text: 'warm-up' })
// `concurrency` loops sending for `duration` s, each to the next of `jids`.
async function sendPhase (jids) {
  const latencies = []
  let errors = 0
  let n = 0
  const end = performance.now() + duration * 1000
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      const to = jids[n++ % jids.length]
      const s = performance.now()
      try {
        await c.sock.sendMessage(to, { text: 'benchmark send' })
        latencies.push(performance.now() - s)
      } catch { errors++ }
    }
  }))
  latencies.sort((a, b) => a - b)
  return { latencies, errors }
}
const one = await sendPhase([jid])
const peers = (process.env.BENCH_PEERS || peer).split(',').map(p => `${p}@s.whatsapp.net`)
for (const to of peers) for (let i = 0; i < 3; i++) await c.sock.sendMessage(to, { text: 'warm-up' })
const many = await sendPhase(peers)
const pctOf = (latencies, p) => latencies.length ? Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] * 100) / 100 : null
const { latencies, errors } = one
const pct = p => pctOf(latencies, p)
say({
  result: {
    incoming_messages: N,
    incoming_seconds: Math.round(incomingS * 1000) / 1000,
    incoming_per_s: Math.round(N / incomingS * 10) / 10,
    send_per_s: Math.round(latencies.length / duration * 10) / 10,
    send_p50_ms: pct(0.5),
    send_p99_ms: pct(0.99),
    send_errors: errors,
    send_chats: peers.length,
    send_many_chats_per_s: Math.round(many.latencies.length / duration * 10) / 10,
    send_many_chats_p50_ms: pctOf(many.latencies, 0.5),
    send_many_chats_p99_ms: pctOf(many.latencies, 0.99),
    send_many_chats_errors: many.errors,
    rss_idle_linked_kib: rssIdle,
    rss_peak_incoming_kib: peak,
    rss_after_send_kib: rssKib(),
    concurrency,
    node: process.version
  }
})
c.sock.end(undefined)
setTimeout(() => process.exit(0), 300)
