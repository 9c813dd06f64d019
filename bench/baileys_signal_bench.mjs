#!/usr/bin/env node
// The Baileys-side counterpart of bench/wa_signal_bench.cc: the Signal stack
// Baileys 7.0.0-rc14 runs (libsignal-node, the WhiskeySockets fork, for 1:1
// sessions; Baileys' lib/Signal/Group for sender keys), two in-process parties
// with in-memory stores shaped like Baileys' signalStorage (records go through
// serialize()/deserialize() on every load/store, TOFU identities).
//
//   EncryptDecrypt100       established session: encrypt 100 bytes at A,
//                           decrypt them at B (the session is answered first,
//                           so these are 'msg', not 'pkmsg')
//   GroupEncryptDecrypt100  sender key: GroupCipher.encrypt of 100 bytes at A,
//                           GroupCipher.decrypt at B (SKDM processed beforehand)
//
// Each case: warm-up, then 3 runs (interleaved across cases) of at least
// --min-seconds each; us_per_op is the median over the runs of process CPU
// time per op (process.cpuUsage: all threads, GC included), wall_us_per_op the
// median wall time. Prints one JSON object.
//
//   node bench/baileys_signal_bench.mjs [--min-seconds=1] [--runs=3]
//
// Needs tests/interop/node_modules (npm ci there).
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const modules = join(here, '..', 'tests', 'interop', 'node_modules')
const baileysDir = join(modules, 'baileys')
const libsignal = (await import(pathToFileURL(join(modules, 'libsignal', 'index.js')).href)).default
const {
  GroupCipher,
  GroupSessionBuilder,
  SenderKeyDistributionMessage,
  SenderKeyName
} = await import(pathToFileURL(join(baileysDir, 'lib', 'Signal', 'Group', 'index.js')).href)
const baileysVersion = JSON.parse(readFileSync(join(baileysDir, 'package.json'), 'utf8')).version
const libsignalVersion = JSON.parse(readFileSync(join(modules, 'libsignal', 'package.json'), 'utf8')).version

const { SessionBuilder, SessionCipher } = libsignal

const arg = (name, dflt) => Number(process.argv.find(a => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt)
const minSeconds = arg('min-seconds', 1)
const runs = arg('runs', 3)

const GROUP = '120363000000000001@g.us'

function pattern(n) {
  const b = Buffer.alloc(n)
  for (let i = 0; i < n; i++) b[i] = (Math.imul(i, 2654435761) >>> 13) & 0xff
  return b
}

// The test suite's libsignal-node party (one pre-key is enough here).
const { JsSignalParty } = await import(
  pathToFileURL(join(here, '..', 'tests', 'interop', 'lib', 'js_signal_party.mjs')).href)

class Party extends JsSignalParty {
  constructor(name, device = 0) {
    super(name, device, 1)
  }

  async encrypt(to, plaintext) {
    const { type, body } = await new SessionCipher(this.storage, to).encrypt(plaintext)
    return { type, body: Buffer.from(body, 'binary') }
  }

  async decrypt(from, { type, body }) {
    const cipher = new SessionCipher(this.storage, from)
    return Buffer.from(type === 3
      ? await cipher.decryptPreKeyWhisperMessage(body)
      : await cipher.decryptWhisperMessage(body))
  }
}

const plain = pattern(100)

function check(out) {
  if (!Buffer.from(out).equals(plain)) throw new Error('plaintext mismatch')
}

async function setupPairwise() {
  const a = new Party('15550001111', 0)
  const b = new Party('100000000000002_1', 0)
  await new SessionBuilder(a.storage, b.address).initOutgoing(b.bundle())
  await b.decrypt(a.address, await a.encrypt(b.address, Buffer.from('hi')))
  const reply = await b.encrypt(a.address, Buffer.from('hi'))
  if (reply.type === 3) throw new Error('reply is still a pkmsg')
  await a.decrypt(b.address, reply)
  return async () => {
    const message = await a.encrypt(b.address, plain)
    check(await b.decrypt(a.address, message))
  }
}

async function setupGroup() {
  const a = new Party('15550001111', 0)
  const b = new Party('15550002222', 0)
  const name = new SenderKeyName(GROUP, a.address)
  const skdm = await new GroupSessionBuilder(a.storage).create(name)
  await new GroupSessionBuilder(b.storage).process(name,
    new SenderKeyDistributionMessage(null, null, null, null, skdm.serialize()))
  const sender = new GroupCipher(a.storage, name)
  const receiver = new GroupCipher(b.storage, name)
  return async () => {
    const skmsg = await sender.encrypt(plain)
    check(await receiver.decrypt(skmsg))
  }
}

async function run(fn) {
  let iterations = 0
  const cpu0 = process.cpuUsage()
  const start = process.hrtime.bigint()
  let elapsed = 0n
  do {
    await fn()
    iterations++
    elapsed = process.hrtime.bigint() - start
  } while (elapsed < BigInt(Math.round(minSeconds * 1e9)))
  const cpu = process.cpuUsage(cpu0)
  return {
    iterations,
    cpu_us: (cpu.user + cpu.system) / iterations,
    wall_us: Number(elapsed) / 1e3 / iterations
  }
}

const median = xs => {
  const s = [...xs].sort((x, y) => x - y)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const round2 = x => Math.round(x * 100) / 100

const cases = [
  { name: 'EncryptDecrypt100', fn: await setupPairwise() },
  { name: 'GroupEncryptDecrypt100', fn: await setupGroup() }
]
for (const c of cases) {
  const until = process.hrtime.bigint() + 300_000_000n // warm-up: 0.3 s
  do await c.fn(); while (process.hrtime.bigint() < until)
  c.runs = []
}
for (let r = 0; r < runs; r++) {
  for (const c of cases) c.runs.push(await run(c.fn))
}

console.log(JSON.stringify({
  benchmark: 'Signal encrypt+decrypt of 100 bytes (1:1 session, sender key), counterpart of bench/wa_signal_bench.cc',
  measure: `median of ${runs} interleaved runs of >= ${minSeconds} s; us_per_op = process CPU time (process.cpuUsage, all threads incl. GC) per op`,
  cases: cases.map(c => ({
    name: c.name,
    us_per_op: round2(median(c.runs.map(x => x.cpu_us))),
    wall_us_per_op: round2(median(c.runs.map(x => x.wall_us))),
    iterations: c.runs.map(x => x.iterations)
  })),
  node: process.version,
  baileys: `baileys@${baileysVersion}`,
  libsignal: `libsignal@${libsignalVersion}`
}, null, 1))
