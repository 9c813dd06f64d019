#!/usr/bin/env node
// The operations of bench/wa_crypto_bench.cc, done the way Baileys 7.0.0-rc14
// does them, on the same deterministic inputs. Prints one JSON document.
//
//   node bench/baileys_crypto_bench.mjs [--min-time-ms=1000]
//
// Needs tests/interop/node_modules (npm ci there). Media rows:
//   media_encrypt            Baileys' encryptedStream pipeline (AES-CBC, HMAC
//                            over iv ‖ ciphertext, SHA-256 of plain and of
//                            ciphertext ‖ mac) in memory, 64 KiB chunks
//   media_encrypt_stream_api encryptedStream() itself (includes its temp-file write)
//   media_decrypt_unverified what Baileys' downloader does: AES-CBC only, no MAC/hashes
//   media_decrypt_verified   the same work as wagate's decryptor (MAC + both hashes)
import { createCipheriv, createDecipheriv, createHash, createHmac } from 'node:crypto'
import { rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const baileysEntry = join(here, '../tests/interop/node_modules/baileys/lib/index.js')
const { aesDecryptGCM, aesEncryptGCM, Curve, encryptedStream, getMediaKeys } =
  await import(pathToFileURL(baileysEntry).href)
const libsignalCurve = (await import(pathToFileURL(
  join(here, '../tests/interop/node_modules/libsignal/src/curve.js')).href)).default

const minTimeMs = Number(process.argv.find(a => a.startsWith('--min-time-ms='))?.split('=')[1] ?? 1000)
const MiB = 1 << 20
const CHUNK = 64 * 1024

function pattern(n) {
  const b = Buffer.alloc(n)
  for (let i = 0; i < n; i++) b[i] = (Math.imul(i, 2654435761) >>> 13) & 0xff
  return b
}
const mediaKey = Buffer.from(Array.from({ length: 32 }, (_, i) => i))

// Rates use process CPU time, as Google Benchmark's do (the machine is shared,
// so wall time is also reported but is the noisier number).
async function measure(name, fn, bytes) {
  for (let i = 0; i < 2; i++) await fn()  // warm-up
  let iterations = 0
  const cpu0 = process.cpuUsage()
  const start = process.hrtime.bigint()
  let elapsed = 0n
  do {
    await fn()
    iterations++
    elapsed = process.hrtime.bigint() - start
  } while (elapsed < BigInt(minTimeMs) * 1_000_000n)
  const cpu = process.cpuUsage(cpu0)
  const cpuSeconds = (cpu.user + cpu.system) / 1e6
  const wallSeconds = Number(elapsed) / 1e9
  const row = {
    name,
    iterations,
    cpu_ns_per_op: Math.round((cpuSeconds / iterations) * 1e9),
    wall_ns_per_op: Math.round((wallSeconds / iterations) * 1e9)
  }
  if (bytes) row.mb_per_s = Math.round((bytes * iterations) / cpuSeconds / 1e6)
  else row.ops_per_s = Math.round(iterations / cpuSeconds)
  return row
}

function encryptInMemory(plain, { iv, cipherKey, macKey }) {
  const aes = createCipheriv('aes-256-cbc', cipherKey, iv)
  const hmac = createHmac('sha256', macKey).update(iv)
  const shaPlain = createHash('sha256')
  const shaEnc = createHash('sha256')
  const parts = []
  const onChunk = b => { shaEnc.update(b); hmac.update(b); parts.push(b) }
  for (let at = 0; at < plain.length; at += CHUNK) {
    const data = plain.subarray(at, at + CHUNK)
    shaPlain.update(data)
    onChunk(aes.update(data))
  }
  onChunk(aes.final())
  const mac = hmac.digest().subarray(0, 10)
  shaEnc.update(mac)
  parts.push(mac)
  return { data: Buffer.concat(parts), fileSha256: shaPlain.digest(), fileEncSha256: shaEnc.digest() }
}

function decryptUnverified(enc, { iv, cipherKey }) {
  const aes = createDecipheriv('aes-256-cbc', cipherKey, iv)
  const parts = []
  // Baileys' Transform cuts to whole blocks; the 10 MAC bytes are dropped by
  // that and never checked.
  const usable = enc.length - ((enc.length) % 16)
  for (let at = 0; at < usable; at += CHUNK) parts.push(aes.update(enc.subarray(at, Math.min(at + CHUNK, usable))))
  parts.push(aes.final())
  return Buffer.concat(parts)
}

function decryptVerified(enc, { iv, cipherKey, macKey }, expect) {
  const ciphertext = enc.subarray(0, -10)
  const hmac = createHmac('sha256', macKey).update(iv)
  const shaEnc = createHash('sha256')
  const shaPlain = createHash('sha256')
  const aes = createDecipheriv('aes-256-cbc', cipherKey, iv)
  const parts = []
  for (let at = 0; at < ciphertext.length; at += CHUNK) {
    const c = ciphertext.subarray(at, at + CHUNK)
    hmac.update(c)
    shaEnc.update(c)
    const p = aes.update(c)
    shaPlain.update(p)
    parts.push(p)
  }
  if (!hmac.digest().subarray(0, 10).equals(enc.subarray(-10))) throw new Error('mac')
  const last = aes.final()
  shaPlain.update(last)
  parts.push(last)
  shaEnc.update(enc.subarray(-10))
  if (!shaEnc.digest().equals(expect.fileEncSha256) || !shaPlain.digest().equals(expect.fileSha256)) {
    throw new Error('hash')
  }
  return Buffer.concat(parts)
}

const keys = await getMediaKeys(mediaKey, 'image')
const rows = []
for (const size of [MiB, 16 * MiB]) {
  const plain = pattern(size)
  const enc = encryptInMemory(plain, keys)
  rows.push(await measure(`media_encrypt/${size}`, () => encryptInMemory(plain, keys), size))
  rows.push(await measure(`media_encrypt_stream_api/${size}`, async () => {
    const r = await encryptedStream(plain, 'image')
    rmSync(r.encFilePath, { force: true })
  }, size))
  rows.push(await measure(`media_decrypt_unverified/${size}`, () => decryptUnverified(enc.data, keys), enc.data.length))
  rows.push(await measure(`media_decrypt_verified/${size}`, () => decryptVerified(enc.data, keys, enc), enc.data.length))
}

const gcmKey = Buffer.alloc(32, 0x42)
const frame = pattern(1024)
let counter = 0
const ivFor = n => { const iv = Buffer.alloc(12); iv.writeUInt32BE(n, 8); return iv }
rows.push(await measure('gcm_seal_1KiB', () => aesEncryptGCM(frame, gcmKey, ivFor(counter++), Buffer.alloc(0)), 1024))
const sealed = aesEncryptGCM(frame, gcmKey, ivFor(0), Buffer.alloc(0))
rows.push(await measure('gcm_open_1KiB', () => aesDecryptGCM(sealed, gcmKey, ivFor(0), Buffer.alloc(0)), 1024))

const pair = Curve.generateKeyPair()
const message = pattern(100)
const signature = Curve.sign(pair.private, message)
rows.push(await measure('xeddsa_sign', () => Curve.sign(pair.private, message)))
rows.push(await measure('xeddsa_verify', () => {
  if (!libsignalCurve.verifySignature(Buffer.concat([Buffer.from([5]), pair.public]), message, signature)) {
    throw new Error('verify')
  }
}))
const other = Curve.generateKeyPair()
rows.push(await measure('x25519_shared_secret', () => Curve.sharedKey(pair.private, other.public)))

console.log(JSON.stringify({
  implementation: 'baileys 7.0.0-rc14 (node ' + process.version + ')',
  min_time_ms: minTimeMs,
  results: rows
}, null, 2))
