#!/usr/bin/env node
// Times Baileys 7's encodeBinaryNode / decodeDecompressedBinaryNode on the
// inputs of bench/data/wa_binary_inputs.json (the ones wa_binary_bench uses)
// and prints JSON. MB/s counts bytes of the encoded node (without the flags byte);
// mb_per_s is by wall time, mb_per_s_cpu by the process's CPU time (GC threads included).
// Needs tests/interop/node_modules (npm ci there).
// Usage: node bench/baileys_binary_bench.mjs [--min-seconds=1]
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const baileysDir = join(here, '..', 'tests', 'interop', 'node_modules', 'baileys')
const { encodeBinaryNode, decodeDecompressedBinaryNode } =
  await import(pathToFileURL(join(baileysDir, 'lib', 'WABinary', 'index.js')).href)
const constants = await import(pathToFileURL(join(baileysDir, 'lib', 'WABinary', 'constants.js')).href)
const { toBaileys } = await import(pathToFileURL(join(here, '..', 'tests', 'interop', 'lib', 'node_json.mjs')).href)
const version = JSON.parse(readFileSync(join(baileysDir, 'package.json'), 'utf8')).version

const minSeconds = Number((process.argv.find(a => a.startsWith('--min-seconds=')) ?? '=1').split('=')[1])
const inputs = JSON.parse(readFileSync(join(here, 'data', 'wa_binary_inputs.json'), 'utf8'))
const stanza = toBaileys(inputs.message_stanza)
const large = toBaileys(inputs.large_binary.node)
large.content = Buffer.alloc(inputs.large_binary.content_bytes).map((_, i) => (7 * i) & 0xff)

function time (name, fn, bytes) {
  for (let i = 0; i < 3; i++) fn() // warm up
  let iterations = 0
  const start = process.hrtime.bigint()
  const cpuStart = process.cpuUsage()
  let elapsed = 0
  while (elapsed < minSeconds) {
    fn()
    iterations++
    elapsed = Number(process.hrtime.bigint() - start) / 1e9
  }
  const cpu = process.cpuUsage(cpuStart)
  const cpuSeconds = (cpu.user + cpu.system) / 1e6 // all threads, GC included
  return {
    name,
    iterations,
    seconds: elapsed,
    cpu_seconds: cpuSeconds,
    node_bytes: bytes,
    ns_per_op: (elapsed * 1e9) / iterations,
    mb_per_s: (bytes * iterations) / elapsed / 1e6,
    mb_per_s_cpu: (bytes * iterations) / cpuSeconds / 1e6,
  }
}

const results = []
for (const [label, node] of [['MessageStanza', stanza], ['LargeBinary', large]]) {
  const body = encodeBinaryNode(node).subarray(1)
  results.push(time(`Encode${label}`, () => encodeBinaryNode(node), body.length))
  results.push(time(`Decode${label}`, () => decodeDecompressedBinaryNode(body, constants), body.length))
}
console.log(JSON.stringify({ implementation: `baileys@${version}`, node: process.version, benchmarks: results }, null, 1))
