// wa/noise against Baileys 7.0.0-rc14 (Utils/noise-handler.js): the real
// Baileys client noise handler, driven offline, completes a Noise XX
// handshake with our responder (held in wa_peer) and both exchange binary-node
// frames; our initiator completes one with a responder written here from
// Baileys' own primitives (sha256, hkdf, AES-GCM, Curve). Certificate chains
// are cross-checked with curve25519-js, and ours verify chains Baileys signed.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'

import {
  aesDecryptGCM,
  aesEncryptGCM,
  Curve,
  decodeBinaryNode,
  encodeBinaryNode,
  hkdf,
  makeNoiseHandler,
  NOISE_MODE,
  NOISE_WA_HEADER,
  proto,
  sha256,
  WA_CERT_DETAILS
} from 'baileys'
import curveJs from 'curve25519-js'

import { hex, Peer, unhex } from './lib/peer.mjs'

const NOT_BEFORE = 1700000000
const NOT_AFTER = 1900000000
const NOW = 1790000000

const silentLogger = { level: 'silent', child() { return this }, trace() {}, debug() {}, info() {} }

let peer
const realRoot = WA_CERT_DETAILS.PUBLIC_KEY
before(() => {
  peer = new Peer()
})
after(() => {
  WA_CERT_DETAILS.PUBLIC_KEY = realRoot
  peer.close()
})

function pki() {
  return {
    root: Curve.generateKeyPair(),
    intermediate: Curve.generateKeyPair(),
    server: Curve.generateKeyPair()
  }
}

// Baileys' client side, step by step as Socket/socket.js validateConnection does it.
async function baileysHandshake({ routingInfo } = {}) {
  const keys = pki()
  // What the real interop does: Baileys trusts the simulator's root.
  WA_CERT_DETAILS.PUBLIC_KEY = keys.root.public
  const { id } = await peer.call('noise.responder.new', {
    static_priv: hex(keys.server.private),
    root_priv: hex(keys.root.private),
    intermediate_priv: hex(keys.intermediate.private),
    not_before: NOT_BEFORE,
    not_after: NOT_AFTER
  })
  const ephemeral = Curve.generateKeyPair()
  const noiseKey = Curve.generateKeyPair()
  const noise = makeNoiseHandler({
    keyPair: ephemeral, NOISE_HEADER: NOISE_WA_HEADER, logger: silentLogger, routingInfo
  })
  const hello = proto.HandshakeMessage.encode({ clientHello: { ephemeral: ephemeral.public } }).finish()
  const first = noise.encodeFrame(hello)
  const r1 = await peer.call('noise.responder.hello', { id, data: hex(first) })
  assert.equal(r1.routing_info, routingInfo ? hex(routingInfo) : '')

  const frames = []
  await noise.decodeFrame(unhex(r1.data), f => frames.push(f))
  assert.equal(frames.length, 1)
  const handshake = proto.HandshakeMessage.decode(frames[0])
  const keyEnc = noise.processHandshake(handshake, noiseKey)
  const payload = proto.ClientPayload.encode({
    username: 15550001111, passive: true, pull: true, device: 7, connectType: 1, connectReason: 1
  }).finish()
  const payloadEnc = noise.encrypt(payload)
  const finish = noise.encodeFrame(proto.HandshakeMessage.encode({
    clientFinish: { static: keyEnc, payload: payloadEnc }
  }).finish())
  const r2 = await peer.call('noise.responder.finish', { id, data: hex(finish) })
  await noise.finishInit()
  return { id, noise, noiseKey, payload, r2, keys, handshake }
}

const iqNode = i => ({
  tag: 'iq',
  attrs: { id: `ping-${i}`, to: '@s.whatsapp.net', type: 'get', xmlns: 'w:p' },
  content: [{ tag: 'ping', attrs: {} }]
})

describe('Baileys client ⇄ our responder', () => {
  test('handshake completes; we get the client static and ClientPayload', async () => {
    const { id, noiseKey, payload, r2 } = await baileysHandshake()
    assert.equal(r2.client_static, hex(noiseKey.public))
    assert.equal(r2.client_payload, hex(payload))
    const decoded = proto.ClientPayload.decode(unhex(r2.client_payload))
    assert.equal(decoded.device, 7)
    await peer.call('noise.close', { id })
  })

  test('the ED routing block in front of the first frame is skipped and reported', async () => {
    const routingInfo = Buffer.from('0801120a08021a060a0408031003', 'hex')
    const { id, r2, noiseKey } = await baileysHandshake({ routingInfo })
    assert.equal(r2.client_static, hex(noiseKey.public))
    await peer.call('noise.close', { id })
  })

  test('transport frames both ways, split and coalesced', async () => {
    const { id, noise } = await baileysHandshake()
    // Baileys → us: three node frames in one buffer, delivered in random pieces.
    const plains = [0, 1, 2].map(i => encodeBinaryNode(iqNode(i)))
    const wire = Buffer.concat(plains.map(p => noise.encodeFrame(p)))
    const got = []
    let pos = 0
    while (pos < wire.length) {
      const n = 1 + Math.floor(Math.random() * 40)
      const r = await peer.call('noise.transport.decrypt', { id, data: hex(wire.subarray(pos, pos + n)) })
      got.push(...r.frames)
      pos += n
    }
    assert.deepEqual(got, plains.map(hex))

    // Us → Baileys: Baileys decrypts and decodes our frames, several per buffer.
    const ours = []
    for (let i = 0; i < 3; i++) {
      const r = await peer.call('noise.transport.encrypt', { id, plaintext: hex(encodeBinaryNode(iqNode(10 + i))) })
      ours.push(unhex(r.data))
    }
    const nodes = []
    await noise.decodeFrame(Buffer.concat(ours), n => nodes.push(n))
    assert.deepEqual(nodes.map(n => n.attrs.id), ['ping-10', 'ping-11', 'ping-12'])
    assert.equal(nodes[0].content[0].tag, 'ping')

    // A large frame each way (bigger than one TCP segment, below 2^24).
    const big = encodeBinaryNode({ tag: 'message', attrs: { id: 'big' }, content: randomBytes(200000) })
    const fromUs = await peer.call('noise.transport.encrypt', { id, plaintext: hex(big) })
    const bigNodes = []
    await noise.decodeFrame(unhex(fromUs.data), n => bigNodes.push(n))
    assert.equal(bigNodes[0].attrs.id, 'big')
    const fromBaileys = await peer.call('noise.transport.decrypt', { id, data: hex(noise.encodeFrame(big)) })
    assert.deepEqual(fromBaileys.frames, [hex(big)])
    await peer.call('noise.close', { id })
  })

  test('a tampered Baileys frame is refused', async () => {
    const { id, noise } = await baileysHandshake()
    const frame = noise.encodeFrame(encodeBinaryNode(iqNode(0)))
    frame[frame.length - 1] ^= 1
    await assert.rejects(peer.call('noise.transport.decrypt', { id, data: hex(frame) }),
      /noise: transport/)
    await peer.call('noise.close', { id })
  })

  test('our certificate chain verifies with curve25519-js and has the fields Baileys checks', async () => {
    const keys = pki()
    const { hex: chainHex } = await peer.call('noise.cert_chain.build', {
      root_priv: hex(keys.root.private),
      intermediate_priv: hex(keys.intermediate.private),
      leaf_pub: hex(keys.server.public),
      not_before: NOT_BEFORE,
      not_after: NOT_AFTER
    })
    const chain = proto.CertChain.decode(unhex(chainHex))
    const Details = proto.CertChain.NoiseCertificate.Details
    const inter = Details.decode(chain.intermediate.details)
    const leaf = Details.decode(chain.leaf.details)
    assert.strictEqual(inter.issuerSerial, 0)  // present on the wire, as Baileys requires
    assert.equal(leaf.issuerSerial, inter.serial)
    assert.deepEqual(Buffer.from(inter.key), keys.intermediate.public)
    assert.deepEqual(Buffer.from(leaf.key), keys.server.public)
    assert.equal(Number(leaf.notBefore), NOT_BEFORE)
    assert.equal(Number(leaf.notAfter), NOT_AFTER)
    assert.equal(curveJs.verify(keys.root.public, chain.intermediate.details, chain.intermediate.signature), true)
    assert.equal(curveJs.verify(keys.intermediate.public, chain.leaf.details, chain.leaf.signature), true)
    assert.equal(curveJs.verify(keys.intermediate.public, chain.intermediate.details, chain.intermediate.signature), false)
  })
})

// A responder written from Baileys' primitives (the same ones its client uses).
function jsResponder({ server, chain }) {
  let h = Buffer.from(NOISE_MODE)
  let ck = h
  let k
  let n = 0
  const iv = c => { const b = Buffer.alloc(12); b.writeUInt32BE(c, 8); return b }
  const mixHash = d => { h = sha256(Buffer.concat([h, d])) }
  const mixKey = ikm => {
    const out = Buffer.from(hkdf(Buffer.from(ikm), 64, { salt: ck, info: '' }))
    ck = out.subarray(0, 32); k = out.subarray(32); n = 0
  }
  const enc = p => { const c = aesEncryptGCM(p, k, iv(n++), h); mixHash(c); return c }
  const dec = c => { const p = aesDecryptGCM(c, k, iv(n++), h); mixHash(c); return p }
  const ephemeral = Curve.generateKeyPair()
  let clientEphemeral
  mixHash(NOISE_WA_HEADER)
  return {
    hello(clientHelloBytes) {
      clientEphemeral = proto.HandshakeMessage.decode(clientHelloBytes).clientHello.ephemeral
      mixHash(clientEphemeral)
      mixHash(ephemeral.public)
      mixKey(Curve.sharedKey(ephemeral.private, clientEphemeral))
      const staticCt = enc(server.public)
      mixKey(Curve.sharedKey(server.private, clientEphemeral))
      const payloadCt = enc(chain)
      return proto.HandshakeMessage.encode({
        serverHello: { ephemeral: ephemeral.public, static: staticCt, payload: payloadCt }
      }).finish()
    },
    finish(clientFinishBytes) {
      const { clientFinish } = proto.HandshakeMessage.decode(clientFinishBytes)
      const clientStatic = dec(clientFinish.static)
      mixKey(Curve.sharedKey(ephemeral.private, clientStatic))
      const payload = dec(clientFinish.payload)
      const out = Buffer.from(hkdf(Buffer.alloc(0), 64, { salt: ck, info: '' }))
      return { clientStatic, payload, recvKey: out.subarray(0, 32), sendKey: out.subarray(32) }
    }
  }
}

// Signs a chain with Baileys' Curve.sign (libsignal).
function baileysChain(keys, { leafKey = keys.server.public, leafIssuer = 1 } = {}) {
  const Details = proto.CertChain.NoiseCertificate.Details
  const inter = Details.encode({ serial: 1, issuerSerial: 0, key: keys.intermediate.public, notBefore: NOT_BEFORE, notAfter: NOT_AFTER }).finish()
  const leaf = Details.encode({ serial: 2, issuerSerial: leafIssuer, key: leafKey, notBefore: NOT_BEFORE, notAfter: NOT_AFTER }).finish()
  return proto.CertChain.encode({
    intermediate: { details: inter, signature: Buffer.from(Curve.sign(keys.root.private, inter)) },
    leaf: { details: leaf, signature: Buffer.from(Curve.sign(keys.intermediate.private, leaf)) }
  }).finish()
}

const stripFrame = (buf, intro = 0) => {
  const b = buf.subarray(intro)
  const len = (b[0] << 16) | (b[1] << 8) | b[2]
  assert.equal(b.length, 3 + len)
  return b.subarray(3)
}
const frame = payload => {
  const b = Buffer.alloc(3 + payload.length)
  b[0] = payload.length >> 16; b[1] = (payload.length >> 8) & 0xff; b[2] = payload.length & 0xff
  Buffer.from(payload).copy(b, 3)
  return b
}

async function ourInitiator(keys, chain, { trustedRoot = keys.root.public, routingInfo } = {}) {
  const noiseKey = Curve.generateKeyPair()
  const responder = jsResponder({ server: keys.server, chain })
  const args = { static_priv: hex(noiseKey.private), trusted_root: hex(trustedRoot), now: NOW }
  if (routingInfo) args.routing_info = hex(routingInfo)
  const r1 = await peer.call('noise.initiator.new', args)
  const first = unhex(r1.data)
  const introLen = routingInfo ? 7 + routingInfo.length + 4 : 4
  assert.deepEqual(first.subarray(introLen - 4, introLen), NOISE_WA_HEADER)
  const serverHello = responder.hello(stripFrame(first, introLen))
  const payload = randomBytes(60)
  const r2 = await peer.call('noise.initiator.finish', { id: r1.id, data: hex(frame(serverHello)), payload: hex(payload) })
  return { id: r1.id, responder, noiseKey, payload, r2 }
}

describe('our initiator ⇄ responder from Baileys primitives', () => {
  test('handshake, Baileys-signed chain accepted, transport both ways', async () => {
    const keys = pki()
    const { id, responder, noiseKey, payload, r2 } = await ourInitiator(keys, baileysChain(keys),
      { routingInfo: Buffer.from('0a0b0c', 'hex') })
    assert.equal(r2.server_static, hex(keys.server.public))
    const done = responder.finish(stripFrame(unhex(r2.data)))
    assert.deepEqual(Buffer.from(done.clientStatic), noiseKey.public)
    assert.deepEqual(Buffer.from(done.payload), payload)

    // Their TransportState, counters from 0 per direction.
    let sendCounter = 0
    let recvCounter = 0
    const iv = c => { const b = Buffer.alloc(12); b.writeUInt32BE(c, 8); return b }
    for (let i = 0; i < 3; i++) {
      const plain = encodeBinaryNode(iqNode(i))
      const ours = await peer.call('noise.transport.encrypt', { id, plaintext: hex(plain) })
      const p = aesDecryptGCM(stripFrame(unhex(ours.data)), done.recvKey, iv(recvCounter++), Buffer.alloc(0))
      assert.equal((await decodeBinaryNode(p)).attrs.id, `ping-${i}`)
      const theirs = aesEncryptGCM(plain, done.sendKey, iv(sendCounter++), Buffer.alloc(0))
      const r = await peer.call('noise.transport.decrypt', { id, data: hex(frame(theirs)) })
      assert.deepEqual(r.frames, [hex(plain)])
    }
    await peer.call('noise.close', { id })
  })

  test('a chain under another root is refused', async () => {
    const keys = pki()
    await assert.rejects(ourInitiator(keys, baileysChain(keys), { trustedRoot: realRoot }),
      /intermediate not signed by the trusted root/)
  })

  test('a leaf issued for another key is refused', async () => {
    const keys = pki()
    await assert.rejects(ourInitiator(keys, baileysChain(keys, { leafKey: Curve.generateKeyPair().public })),
      /leaf key is not the server's static key/)
  })

  test('a broken issuer serial chain is refused', async () => {
    const keys = pki()
    await assert.rejects(ourInitiator(keys, baileysChain(keys, { leafIssuer: 5 })), /issuer serial/)
  })
})
