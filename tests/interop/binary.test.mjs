// WABinary codec and JIDs: our C++ (through wa_peer) against the real Baileys 7.
//
// Baileys encodes → we decode (and compare with Baileys' own decoding of the
// same bytes); we encode → Baileys decodes; and where both encoders are defined
// to agree (src/wa/binary/encoder.h), the bytes must be identical.
// Run: WAGATE_PEER=build-wa/tests/interop/wa_peer node --test binary.test.mjs
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { deflateSync } from 'node:zlib'

import { decodeBinaryNode, encodeBinaryNode, jidDecode, jidEncode } from 'baileys'
import { DOUBLE_BYTE_TOKENS, SINGLE_BYTE_TOKENS } from 'baileys/lib/WABinary/constants.js'

import { baileysJidText, fromBaileys, toBaileys, untype } from './lib/node_json.mjs'
import { Peer } from './lib/peer.mjs'

const SINGLE = SINGLE_BYTE_TOKENS.slice(1)
const DOUBLE = DOUBLE_BYTE_TOKENS.flat()
const TOKENS = new Set([...SINGLE, ...DOUBLE])
// Names Baileys' TOKEN_MAP (a plain object) resolves through Object.prototype.
const PROTO = new Set(Object.getOwnPropertyNames(Object.prototype))

let peer
before(() => { peer = new Peer() })
after(() => peer.close())

// ---------------------------------------------------------------- helpers

const encodeOurs = async node => (await peer.call('node.encode', { json: JSON.stringify(node) })).hex
const decodeOurs = async hex => (await peer.call('node.decode', { hex })).node
// Baileys' public API works on frame payloads: flags byte 0, then the node.
const encodeBaileys = node => encodeBinaryNode(toBaileys(node)).subarray(1).toString('hex')
const decodeBaileys = async hex => fromBaileys(await decodeBinaryNode(Buffer.from('00' + hex, 'hex')))

async function decodeBaileysOrError (hex) {
  try {
    return { node: await decodeBaileys(hex) }
  } catch (error) {
    return { error }
  }
}

async function decodeOursOrError (hex) {
  try {
    return { node: await decodeOurs(hex) }
  } catch (error) {
    return { error }
  }
}

// assert.equal on long hex strings, reporting where they first differ.
function sameHex (actual, expected, label) {
  if (actual === expected) return
  let i = 0
  while (i < actual.length && actual[i] === expected[i]) i++
  const at = i - (i % 2)
  assert.fail(`${label}: bytes differ at byte ${at / 2} (lengths ${actual.length / 2} vs ` +
    `${expected.length / 2}):\n ours     ...${actual.slice(Math.max(0, at - 20), at + 40)}\n` +
    ` baileys  ...${expected.slice(Math.max(0, at - 20), at + 40)}`)
}

// Text content that is not a token or packable goes out as a raw string, which
// every decoder reads back as bytes (encoder.h, decoder.h).
const packable = s => s.length >= 1 && s.length <= 127 && (/^[0-9.-]+$/.test(s) || /^[0-9A-F]+$/.test(s))
const staysText = s => TOKENS.has(s) || packable(s)
function expectDecoded (node) {
  let content = node.content ?? null
  if (typeof content === 'string' && !staysText(content)) {
    content = { hex: Buffer.from(content, 'utf8').toString('hex') }
  } else if (Array.isArray(content)) {
    content = content.map(expectDecoded)
  }
  return { tag: node.tag, attrs: node.attrs ?? {}, content }
}

// ---------------------------------------------------------------- random nodes

function mulberry32 (seed) {
  return () => {
    seed = (seed + 0x6D2B79F5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const UNICODE = ['é', 'ж', '中', '😀', 'ß', '\u0000', '\n', '"', '\\', 'ä', '€', '\u{10FFFF}']
const WORD = 'abcdefghijklmnopqrstuvwxyz_-:./ 0123456789'

// Nodes in the JSON form. With lax = false every node is one both encoders
// must write identically: no '@' in strings, no prototype names, JIDs only of
// the kinds Baileys writes faithfully. With lax = true those are mixed in.
function generator (seed, { lax = false, maxDepth = 4, budget = 1500 } = {}) {
  const next = mulberry32(seed)
  const int = n => Math.floor(next() * n)
  const pick = a => a[int(a.length)]
  const chance = p => next() < p
  const from = (alphabet, n) => Array.from({ length: n }, () => alphabet[int(alphabet.length)]).join('')
  const digits = n => from('0123456789', n)
  const pn = () => '1555' + digits(7)
  const lid = () => '1' + digits(14)
  let nodes = 0

  function rawString () {
    switch (int(11)) {
      case 0: return pick(SINGLE)
      case 1: return pick(DOUBLE)
      case 2: return from('0123456789-.', 1 + int(chance(0.2) ? 140 : 20))
      case 3: return from('0123456789ABCDEF', 1 + int(chance(0.2) ? 140 : 20))
      case 4: return from('0123456789abcdef', 1 + int(30))
      case 5: return ''
      case 6: return Array.from({ length: 1 + int(8) }, () => pick(UNICODE)).join('')
      case 7: return chance(0.3) ? from(WORD, 256 + int(3000)) : from(WORD, 1 + int(300))
      case 8: if (lax) return pick([...PROTO].filter(p => p !== '__proto__'))
      // falls through
      case 9: if (lax) return pick([`${from(WORD, int(6))}@${from(WORD, 1 + int(6))}`, `@${from(WORD, 3)}`])
      // falls through
      default: return from(WORD, 1 + int(24))
    }
  }
  function string () {
    for (;;) {
      const s = rawString()
      if (!PROTO.has(s) || lax) return s
    }
  }
  function tagString () {
    for (;;) {
      const s = rawString()
      if (s !== '' && !PROTO.has(s)) return s
    }
  }
  function jid () {
    switch (int(lax ? 14 : 12)) {
      case 0: return `${pn()}@s.whatsapp.net`
      case 1: return `${pn()}:${1 + int(255)}@s.whatsapp.net`
      case 2: return `${pn()}:0@s.whatsapp.net`
      case 3: return `${lid()}@lid`
      case 4: return `${lid()}:${int(256)}@lid`
      case 5: return `${pn()}:99@hosted`
      case 6: return `${lid()}:99@hosted.lid`
      case 7: return `${pn()}_${pick([2, 3, 5, 17, 200, 255])}:${int(256)}@s.whatsapp.net`
      case 8: return pick(['@s.whatsapp.net', '@g.us', '@call', 'status@broadcast', '0@c.us', '13135550002@bot', '@lid'])
      case 9: return `120363${digits(12)}@g.us`
      case 10: return `${digits(10)}@newsletter`
      case 11: return `${from('abcdefghij0123456789-.', 1 + int(12))}@${pick(['s.whatsapp.net', 'g.us', 'broadcast', 'c.us', 'call'])}`
      case 12: return `${pn()}:${int(65536)}@msgr`
      default: return `${int(65536)}-${pn()}:${int(65536)}@interop`
    }
  }
  function node (depth) {
    nodes++
    const attrs = {}
    const attrCount = chance(0.05) ? 20 + int(30) : int(6)
    for (let i = 0; i < attrCount; i++) attrs[string()] = chance(0.3) ? { jid: jid() } : string()
    const out = { tag: tagString(), attrs, content: null }
    const kind = int(10)
    if (kind === 3) out.content = string()
    else if (kind === 4) out.content = { hex: Buffer.from(from(WORD, chance(0.1) ? 256 + int(5000) : int(64))).toString('hex') }
    else if (kind === 5) out.content = { jid: jid() }
    else if (kind >= 6 && depth < maxDepth && nodes < budget) {
      const wide = chance(0.03)
      const count = wide ? 256 + int(50) : int(4)
      out.content = []
      for (let i = 0; i < count && nodes < budget; i++) out.content.push(node(wide ? maxDepth : depth + 1))
    }
    return out
  }
  return { node: () => node(1), jid, string, int, chance, next }
}

// ---------------------------------------------------------------- tests

describe('fixed vectors [whatsapp-protocol.md §4.5]', () => {
  const vectors = [
    [{ tag: 'iq', attrs: { id: '1', to: 's.whatsapp.net', type: 'get', xmlns: 'w:p' }, content: [{ tag: 'ping', attrs: {}, content: null }] },
      'f80a190855110304291657f801f80156'],
    [{ tag: 'to', attrs: { jid: { jid: '15551234567:3@s.whatsapp.net' } }, content: null }, 'f803110cf70003ff8615551234567f'],
    [{ tag: 'to', attrs: { jid: { jid: '123456789012345:3@lid' } }, content: null }, 'f803110cf70103ff88123456789012345f'],
    [{ tag: 'to', attrs: { jid: { jid: '123456789012345@lid' } }, content: null }, 'f803110cfaff88123456789012345f76'],
    [{ tag: 'x', attrs: { jid: { jid: '15551234567:99@hosted' } }, content: null }, 'f803fc01780cf78063ff8615551234567f'],
    [{ tag: 'iq', attrs: { to: { jid: '@g.us' } }, content: null }, 'f8031911fa001c'],
    [{ tag: 'iq', attrs: { to: { jid: '@s.whatsapp.net' } }, content: null }, 'f8031911fa0003'],
    [{ tag: 'x', attrs: { a: 'abc', h: 'DEADBEEF', l: 'deadbeef', e: '' }, content: null },
      'f809fc0178fc0161fc03616263fc0168fb04deadbeeffc016cfc086465616462656566edebfc00'],
  ]
  for (const [node, hex] of vectors) {
    test(JSON.stringify(node).slice(0, 90), async () => {
      assert.equal(encodeBaileys(node), hex)
      assert.equal(await encodeOurs(node), hex)
      assert.deepStrictEqual(await decodeOurs(hex), node)
      assert.deepStrictEqual(await decodeBaileys(hex), untype(node))
    })
  }
})

test('every token encodes identically as tag, attribute and content', async () => {
  const children = [...TOKENS].map(t => ({ tag: t, attrs: { a: t }, content: t }))
  const node = { tag: 'tokens', attrs: {}, content: children }
  sameHex(await encodeOurs(node), encodeBaileys(node), 'tokens')
  assert.deepStrictEqual(await decodeOurs(encodeBaileys(node)), node)
})

test('random nodes encode byte-identically and decode like Baileys', async () => {
  for (let seed = 1; seed <= 300; seed++) {
    const node = generator(seed).node()
    const theirs = encodeBaileys(node)
    sameHex(await encodeOurs(node), theirs, `seed ${seed}`)
    const ours = await decodeOurs(theirs)
    assert.deepStrictEqual(ours, expectDecoded(node), `seed ${seed}: our decoding`)
    assert.deepStrictEqual(untype(ours), await decodeBaileys(theirs), `seed ${seed}: vs Baileys decoding`)
  }
})

test('random nodes with strings Baileys reads as JIDs, msgr/interop JIDs, prototype names', async () => {
  let bothDecoded = 0
  for (let seed = 1001; seed <= 1200; seed++) {
    const node = generator(seed, { lax: true }).node()
    // Ours → Baileys: Baileys sees our typed values as their text.
    const ourHex = await encodeOurs(node)
    assert.deepStrictEqual(await decodeOurs(ourHex), expectDecoded(node), `seed ${seed}: our round trip`)
    assert.deepStrictEqual(await decodeBaileys(ourHex), untype(expectDecoded(node)), `seed ${seed}: Baileys reads ours`)
    // Baileys → ours: whatever Baileys made of the strings, both decoders agree.
    const theirHex = encodeBaileys(node)
    const theirs = await decodeBaileysOrError(theirHex)
    const ours = await decodeOursOrError(theirHex)
    if (theirs.error) {
      assert.ok(ours.error, `seed ${seed}: Baileys rejects its own bytes but we accept them`)
      continue
    }
    if (ours.error) {
      // Baileys writes JID_PAIR with a JID as server for strings with two '@'.
      assert.match(ours.error.message, /jid inside a jid/, `seed ${seed}`)
      continue
    }
    bothDecoded++
    assert.deepStrictEqual(untype(ours.node), theirs.node, `seed ${seed}: decoders disagree`)
  }
  assert.ok(bothDecoded > 150, `only ${bothDecoded} of 200 compared`)
})

describe('large and wide nodes', () => {
  const big = n => Buffer.alloc(n, 0).map((_, i) => (i * 7) & 0xff).toString('hex')
  const cases = {
    'BINARY_20 content': { tag: 'enc', attrs: { v: '2' }, content: { hex: big(300000) } },
    'BINARY_32 content': { tag: 'enc', attrs: { v: '2' }, content: { hex: big((1 << 20) + 17) } },
    'BINARY_20 attribute string': { tag: 'x', attrs: { a: 'q'.repeat(70000) }, content: null },
    'BINARY_32 attribute string': { tag: 'x', attrs: { a: 'z'.repeat((1 << 20) + 5) }, content: null },
    'LIST_16 of 300': { tag: 'list', attrs: {}, content: Array.from({ length: 300 }, (_, i) => ({ tag: 'item', attrs: { n: String(i) }, content: null })) },
    'LIST_16 of 20000': { tag: 'list', attrs: {}, content: Array.from({ length: 20000 }, () => ({ tag: 'i', attrs: {}, content: null })) },
  }
  for (const [name, node] of Object.entries(cases)) {
    test(name, async () => {
      const theirs = encodeBaileys(node)
      sameHex(await encodeOurs(node), theirs, name)
      assert.deepStrictEqual(await decodeOurs(theirs), node)
    })
  }

  test('nesting: 64 levels decode, 65 are refused (our limit; Baileys has none)', async () => {
    const nest = depth => {
      let node = { tag: 'leaf', attrs: {}, content: null }
      for (let i = 1; i < depth; i++) node = { tag: 'n', attrs: {}, content: [node] }
      return node
    }
    const ok = nest(64)
    sameHex(await encodeOurs(ok), encodeBaileys(ok), 'depth 64')
    assert.deepStrictEqual(await decodeOurs(encodeBaileys(ok)), ok)
    const deep = encodeBaileys(nest(65))
    await decodeBaileys(deep)
    await assert.rejects(decodeOurs(deep), /decode node: nodes nested deeper than 64 at byte \d+/)
  })
})

describe('JIDs on the wire', () => {
  test('FB_JID and INTEROP_JID bytes decode like Baileys', async () => {
    const cases = [
      'f803fc0178fc016af6ff8615550100001f012ccc', // 15550100001:300@msgr
      'f803fc0178fc016af6ff8615550100001f000003', // FB_JID on s.whatsapp.net: text only
      'f803fc0178fc016af5ff8615550100001f00020007fc07696e7465726f70', // 7-15550100001:2@interop
      'f802fc0178f6fc0175ffffcc', // FB_JID as content, device 65535
    ]
    for (const hex of cases) assert.deepStrictEqual(untype(await decodeOurs(hex)), await decodeBaileys(hex), hex)
    assert.deepStrictEqual((await decodeOurs(cases[0])).attrs.j, { jid: '15550100001:300@msgr' })
    assert.deepStrictEqual((await decodeOurs(cases[1])).attrs.j, '15550100001:0@s.whatsapp.net')
    assert.deepStrictEqual((await decodeOurs(cases[2])).attrs.j, { jid: '7-15550100001:2@interop' })
  })

  test('our msgr/interop JIDs reach Baileys as their text', async () => {
    const node = { tag: 'x', attrs: { a: { jid: '15550100001:300@msgr' }, b: { jid: '7-15550100001:2@interop' } }, content: null }
    assert.deepStrictEqual(await decodeBaileys(await encodeOurs(node)), untype(node))
  })

  test('AD_JID device 0 and unknown domains: typed for us, plain text for Baileys', async () => {
    const zero = 'f803110cf70000ff8615551234567f'
    const agent = 'f803110cf70502ff8615551234567f'
    assert.deepStrictEqual((await decodeOurs(zero)).attrs.jid, { jid: '15551234567:0@s.whatsapp.net' })
    assert.deepStrictEqual((await decodeBaileys(zero)).attrs.jid, '15551234567@s.whatsapp.net')
    assert.deepStrictEqual((await decodeOurs(agent)).attrs.jid, { jid: '15551234567_5:2@s.whatsapp.net' })
    assert.deepStrictEqual((await decodeBaileys(agent)).attrs.jid, '15551234567:2@s.whatsapp.net')
    // Both re-encode to the same bytes they came from.
    assert.equal(await encodeOurs(await decodeOurs(zero)), zero)
    assert.equal(await encodeOurs(await decodeOurs(agent)), agent)
  })

  test('JID text form parses like Baileys jidDecode', async () => {
    const gen = generator(77)
    for (let i = 0; i < 300; i++) {
      const text = gen.jid()
      const ours = await peer.call('jid.parse', { text })
      const theirs = jidDecode(text)
      assert.equal(ours.user, theirs.user, text)
      assert.equal(ours.server, theirs.server, text)
      assert.equal(ours.device, theirs.device ?? 0, text)
      assert.equal(ours.has_device, theirs.device !== undefined, text)
      assert.equal(ours.agent, theirs.domainType, text)
      assert.equal(ours.string, text)
      assert.equal(baileysJidText(ours.string), jidEncode(theirs.user, theirs.server, theirs.device), text)
      // Baileys' Signal address rule [§8.3; lib/Signal/libsignal.js jidToSignalProtocolAddress].
      const name = theirs.domainType !== 0 ? `${theirs.user}_${theirs.domainType}` : theirs.user
      assert.equal(ours.signal_address, `${name}.${theirs.device || 0}`, text)
    }
  })
})

describe('malformed input', () => {
  test('raw strings with invalid UTF-8 decode like Buffer.toString', async () => {
    const gen = generator(4242)
    for (let i = 0; i < 300; i++) {
      const bytes = Buffer.from(Array.from({ length: 1 + gen.int(24) }, () => gen.chance(0.5) ? 0x80 + gen.int(128) : gen.int(256)))
      const raw = 'fc' + bytes.length.toString(16).padStart(2, '0') + bytes.toString('hex')
      const hex = 'f803' + raw + 'fc0161' + raw // tag and attribute value
      const ours = await decodeOurs(hex)
      assert.deepStrictEqual(ours, await decodeBaileys(hex), bytes.toString('hex'))
    }
  })

  test('every strict prefix is refused by both, with our error format', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const hex = encodeBaileys(generator(seed, { budget: 40 }).node())
      const step = Math.max(1, Math.floor(hex.length / 2 / 60))
      for (let n = 0; n < hex.length / 2; n += step) {
        const prefix = hex.slice(0, 2 * n)
        await assert.rejects(decodeBaileys(prefix), `Baileys accepted a ${n}-byte prefix (seed ${seed})`)
        await assert.rejects(decodeOurs(prefix), /^Error: InvalidArgument: decode node: .+ at byte \d+$/)
      }
    }
  })

  test('mutated bytes: whenever we accept, Baileys accepts the same tree', async () => {
    const gen = generator(99)
    let accepted = 0
    for (let seed = 1; seed <= 150; seed++) {
      const bytes = Buffer.from(encodeBaileys(generator(seed, { budget: 30 }).node()), 'hex')
      for (let k = 0; k < 10; k++) {
        const mutated = Buffer.from(bytes)
        for (let m = 0; m <= gen.int(3); m++) mutated[gen.int(mutated.length)] = gen.int(256)
        const hex = mutated.toString('hex')
        const ours = await decodeOursOrError(hex)
        if (ours.error) {
          assert.match(ours.error.message, /^InvalidArgument: decode node: .+ at byte \d+$/)
          continue
        }
        accepted++
        const theirs = await decodeBaileysOrError(hex)
        assert.ok(!theirs.error, `we accept ${hex} but Baileys says ${theirs.error}`)
        assert.deepStrictEqual(untype(ours.node), theirs.node, hex)
      }
    }
    assert.ok(accepted > 100, `only ${accepted} mutations decoded`)
  })

  test('documented differences from Baileys', async () => {
    // Trailing bytes: Baileys ignores them, we refuse.
    await decodeBaileys('f8011900')
    await assert.rejects(decodeOurs('f8011900'), /1 trailing bytes at byte 3/)
    // A JID inside a JID (Baileys writes it for strings with two '@').
    const nested = encodeBaileys({ tag: 'x', attrs: { a: 'a@b@c' }, content: null })
    assert.equal((await decodeBaileys(nested)).attrs.a, 'a@b@c')
    await assert.rejects(decodeOurs(nested), /jid inside a jid/)
    // Baileys guesses JIDs from strings; we write strings as strings.
    const at = { tag: 'x', attrs: { e: 'user@example.com' }, content: null }
    assert.notEqual(await encodeOurs(at), encodeBaileys(at))
    assert.deepStrictEqual(await decodeBaileys(await encodeOurs(at)), at)
    // Baileys writes a lone 00 for Object.prototype names (its TOKEN_MAP bug).
    const proto = { tag: 'x', attrs: { constructor: 'toString' }, content: null }
    assert.equal(encodeBaileys(proto), 'f803fc01780000')
    assert.equal(await encodeOurs(proto), 'f803fc0178fc0b636f6e7374727563746f72fc08746f537472696e67')
    assert.deepStrictEqual(await decodeBaileys(await encodeOurs(proto)), proto)
  })
})

describe('frames [whatsapp-protocol.md §1.3]', () => {
  test('zlib-compressed frames made by node decode like Baileys', async () => {
    for (let seed = 500; seed < 540; seed++) {
      const node = generator(seed).node()
      const body = Buffer.from(encodeBaileys(node), 'hex')
      for (const payload of [Buffer.concat([Buffer.from([2]), deflateSync(body)]), Buffer.concat([Buffer.from([0]), body])]) {
        const ours = (await peer.call('frame.decode', { hex: payload.toString('hex') })).node
        assert.deepStrictEqual(ours, expectDecoded(node), `seed ${seed}`)
        assert.deepStrictEqual(untype(ours), fromBaileys(await decodeBinaryNode(payload)), `seed ${seed}`)
      }
    }
  })

  test('our compressed and plain frames decode in Baileys', async () => {
    for (let seed = 600; seed < 620; seed++) {
      const node = generator(seed).node()
      for (const compress of [false, true]) {
        const { hex } = await peer.call('frame.encode', { json: JSON.stringify(node), compress })
        assert.equal(hex.slice(0, 2), compress ? '02' : '00')
        assert.deepStrictEqual(fromBaileys(await decodeBinaryNode(Buffer.from(hex, 'hex'))), untype(expectDecoded(node)))
      }
    }
  })

  test('a zip bomb stops at the inflate limit', async () => {
    const bomb = Buffer.concat([Buffer.from([2]), deflateSync(Buffer.alloc(40 << 20))])
    await assert.rejects(peer.call('frame.decode', { hex: bomb.toString('hex') }), /inflated body exceeds the limit of 16777216 bytes/)
  })
})
