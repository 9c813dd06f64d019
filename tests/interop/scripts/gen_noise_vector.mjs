// Generates the Noise XX handshake vector pinned in
// src/wa/noise/handshake_vector_test.cc: Baileys 7.0.0-rc14's client noise
// handler (Utils/noise-handler.js) against a responder built from Baileys'
// own primitives, with fixed keys. The certificate signatures are randomised
// (libsignal), so a rerun gives a different chain and different handshake
// bytes after it; the pinned output is one run.
//   node scripts/gen_noise_vector.mjs
import { createHash } from 'node:crypto'

import {
  aesEncryptGCM, aesDecryptGCM, Curve, encodeBinaryNode, hkdf, makeNoiseHandler, NOISE_MODE,
  NOISE_WA_HEADER, proto, sha256
} from 'baileys'
import libsignalCurve from 'libsignal/src/curve.js'

const key = label => {
  const k = createHash('sha256').update('wagate noise vector ' + label).digest()
  k[0] &= 248; k[31] &= 127; k[31] |= 64
  return { private: k, public: Buffer.from(libsignalCurve.getPublicFromPrivateKey(k)).subarray(1) }
}
const root = key('root')
const intermediate = key('intermediate')
const server = key('server static')
const serverEphemeral = key('server ephemeral')
const clientEphemeral = key('client ephemeral')
const noiseKey = key('client static')

const Details = proto.CertChain.NoiseCertificate.Details
const interDetails = Details.encode({ serial: 1, issuerSerial: 0, key: intermediate.public, notBefore: 1700000000, notAfter: 1900000000 }).finish()
const leafDetails = Details.encode({ serial: 2, issuerSerial: 1, key: server.public, notBefore: 1700000000, notAfter: 1900000000 }).finish()
const chain = proto.CertChain.encode({
  intermediate: { details: interDetails, signature: Buffer.from(Curve.sign(root.private, interDetails)) },
  leaf: { details: leafDetails, signature: Buffer.from(Curve.sign(intermediate.private, leafDetails)) }
}).finish()

// Responder from Baileys' primitives.
let h = Buffer.from(NOISE_MODE); let ck = h; let k; let n = 0
const iv = c => { const b = Buffer.alloc(12); b.writeUInt32BE(c, 8); return b }
const mixHash = d => { h = sha256(Buffer.concat([h, d])) }
const mixKey = ikm => { const o = Buffer.from(hkdf(Buffer.from(ikm), 64, { salt: ck, info: '' })); ck = o.subarray(0, 32); k = o.subarray(32); n = 0 }
const enc = p => { const c = aesEncryptGCM(p, k, iv(n++), h); mixHash(c); return c }
const dec = c => { const p = aesDecryptGCM(c, k, iv(n++), h); mixHash(c); return p }

const logger = { level: 'silent', child() { return this }, trace() {} }
const noise = makeNoiseHandler({ keyPair: clientEphemeral, NOISE_HEADER: NOISE_WA_HEADER, logger })
const hello = proto.HandshakeMessage.encode({ clientHello: { ephemeral: clientEphemeral.public } }).finish()
const clientHelloWire = noise.encodeFrame(hello)

mixHash(NOISE_WA_HEADER)
mixHash(clientEphemeral.public)
mixHash(serverEphemeral.public)
mixKey(Curve.sharedKey(serverEphemeral.private, clientEphemeral.public))
const staticCt = enc(server.public)
mixKey(Curve.sharedKey(server.private, clientEphemeral.public))
const certCt = enc(chain)
const serverHello = proto.HandshakeMessage.encode({ serverHello: { ephemeral: serverEphemeral.public, static: staticCt, payload: certCt } }).finish()

const keyEnc = noise.processHandshake(proto.HandshakeMessage.decode(serverHello), noiseKey)
const payload = proto.ClientPayload.encode({ username: 15550001111, passive: true, pull: true, device: 7 }).finish()
const clientFinish = proto.HandshakeMessage.encode({ clientFinish: { static: keyEnc, payload: noise.encrypt(payload) } }).finish()
const clientFinishWire = noise.encodeFrame(clientFinish)
await noise.finishInit()

const fin = proto.HandshakeMessage.decode(clientFinish).clientFinish
dec(fin.static)
mixKey(Curve.sharedKey(serverEphemeral.private, noiseKey.public))
if (!Buffer.from(dec(fin.payload)).equals(Buffer.from(payload))) throw new Error('payload mismatch')
const split = Buffer.from(hkdf(Buffer.alloc(0), 64, { salt: ck, info: '' }))

const clientNode = encodeBinaryNode({ tag: 'iq', attrs: { id: '1', to: '@s.whatsapp.net', type: 'get', xmlns: 'w:p' }, content: [{ tag: 'ping', attrs: {} }] })
const serverNode = encodeBinaryNode({ tag: 'iq', attrs: { id: '1', from: '@s.whatsapp.net', type: 'result' } })
const clientFrameWire = noise.encodeFrame(clientNode)
const serverFrame = aesEncryptGCM(serverNode, split.subarray(32), iv(0), Buffer.alloc(0))

const out = {
  root_pub: root.public, intermediate_priv: intermediate.private, server_static_priv: server.private,
  server_ephemeral_priv: serverEphemeral.private, client_ephemeral_priv: clientEphemeral.private,
  client_static_priv: noiseKey.private, cert_chain: chain,
  client_hello_wire: clientHelloWire, server_hello: serverHello, client_payload: payload,
  client_finish_wire: clientFinishWire, client_node: clientNode, client_frame_wire: clientFrameWire,
  server_node: serverNode, server_frame: serverFrame
}
for (const [name, v] of Object.entries(out)) console.log(`${name} ${Buffer.from(v).toString('hex')}`)
