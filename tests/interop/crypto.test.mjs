// wa/crypto against Baileys 7.0.0-rc14 (Utils/crypto.js, whatsapp-rust-bridge,
// libsignal-node + curve25519-js) and Node's crypto, in both directions.
import assert from 'node:assert/strict'
import { createHash, hkdfSync, pbkdf2Sync, randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'

import {
  aesDecryptCTR,
  aesDecryptGCM,
  aesDecryptWithIV,
  aesEncryptCTR,
  aesEncryptGCM,
  aesEncrypWithIV,
  Curve,
  derivePairingCodeKey,
  generateSignalPubKey,
  hkdf,
  hmacSign,
  signedKeyPair
} from 'baileys'
import curveJs from 'curve25519-js'
import libsignalCurve from 'libsignal/src/curve.js'

import { hex, Peer, unhex } from './lib/peer.mjs'

let peer
before(() => {
  peer = new Peer()
})
after(() => peer.close())

const SIZES = [0, 1, 15, 16, 17, 31, 32, 33, 64, 100, 1000, 4097, 65536 + 3]

describe('hashes and MACs', () => {
  test('SHA-256 and SHA-512 equal Node', async () => {
    for (const n of SIZES) {
      const data = randomBytes(n)
      assert.equal((await peer.call('crypto.sha256', { data: hex(data) })).hex,
        createHash('sha256').update(data).digest('hex'), `sha256 ${n}`)
      assert.equal((await peer.call('crypto.sha512', { data: hex(data) })).hex,
        createHash('sha512').update(data).digest('hex'), `sha512 ${n}`)
    }
  })

  test('HMAC-SHA256 equals Baileys hmacSign, one-shot and streamed', async () => {
    for (const keyLen of [0, 1, 32, 64, 65, 200]) {
      for (const n of [0, 1, 63, 64, 65, 1000]) {
        const key = randomBytes(keyLen)
        const data = randomBytes(n)
        const expected = hmacSign(data, key).toString('hex')
        assert.equal((await peer.call('crypto.hmac_sha256', { key: hex(key), data: hex(data) })).hex,
          expected, `key ${keyLen} data ${n}`)
        assert.equal((await peer.call('crypto.hmac_sha256',
          { key: hex(key), data: hex(data), chunk: 7 })).hex, expected)
      }
    }
  })
})

describe('key derivation', () => {
  test('HKDF equals Baileys hkdf (whatsapp-rust-bridge) and Node hkdfSync', async () => {
    const cases = [
      // Noise MixKey/Split: salt = chaining key, info empty, 64 bytes [§2.1]
      { ikm: randomBytes(32), salt: randomBytes(32), info: '', length: 64 },
      { ikm: Buffer.alloc(0), salt: randomBytes(32), info: '', length: 64 },
      // media keys: no salt, 112 bytes [§10.1]
      { ikm: randomBytes(32), info: 'WhatsApp Image Keys', length: 112 },
      // pairing code [§6.4]
      { ikm: randomBytes(96), info: 'adv_secret', length: 32 },
      { ikm: randomBytes(32), salt: randomBytes(32),
        info: 'link_code_pairing_key_bundle_encryption_key', length: 32 },
      { ikm: randomBytes(13), salt: randomBytes(7), info: 'x', length: 1 },
      { ikm: randomBytes(80), salt: randomBytes(80), info: 'y'.repeat(80), length: 255 * 32 }
    ]
    for (const c of cases) {
      const ours = (await peer.call('crypto.hkdf', {
        ikm: hex(c.ikm),
        salt: c.salt ? hex(c.salt) : undefined,
        info: hex(Buffer.from(c.info)),
        length: c.length
      })).hex
      const node = Buffer.from(hkdfSync('sha256', c.ikm, c.salt ?? Buffer.alloc(0),
        Buffer.from(c.info), c.length)).toString('hex')
      assert.equal(ours, node, `node, info ${c.info} length ${c.length}`)
      if (c.length <= 255 * 32) {
        const baileys = Buffer.from(hkdf(c.ikm, c.length,
          { info: c.info, ...(c.salt ? { salt: c.salt } : {}) })).toString('hex')
        assert.equal(ours, baileys, `baileys, info ${c.info} length ${c.length}`)
      }
    }
  })

  test('PBKDF2-HMAC-SHA256 equals Baileys derivePairingCodeKey and Node', async () => {
    const salt = randomBytes(32)
    const code = 'ABCD1EFG'
    const baileys = await derivePairingCodeKey(code, salt)
    const ours = await peer.call('crypto.pbkdf2', {
      password: hex(Buffer.from(code)), salt: hex(salt), iterations: 2 << 16, length: 32
    })
    assert.equal(ours.hex, hex(baileys))
    for (const iterations of [1, 2, 1000]) {
      const p = randomBytes(11)
      const s = randomBytes(5)
      assert.equal((await peer.call('crypto.pbkdf2',
        { password: hex(p), salt: hex(s), iterations, length: 70 })).hex,
      pbkdf2Sync(p, s, iterations, 70, 'sha256').toString('hex'))
    }
  })
})

describe('AES', () => {
  test('AES-256-GCM both directions with Baileys aesEncryptGCM/aesDecryptGCM', async () => {
    for (const n of SIZES) {
      for (const aad of [Buffer.alloc(0), randomBytes(32)]) {
        const key = randomBytes(32)
        const iv = randomBytes(12)
        const plain = randomBytes(n)
        const ours = unhex((await peer.call('crypto.gcm_encrypt',
          { key: hex(key), iv: hex(iv), plaintext: hex(plain), aad: hex(aad) })).hex)
        assert.deepEqual(aesDecryptGCM(ours, key, iv, aad), plain, `baileys opens ours, ${n}`)
        const theirs = aesEncryptGCM(plain, key, iv, aad)
        assert.deepEqual(ours, theirs, 'same bytes')
        const opened = await peer.call('crypto.gcm_decrypt',
          { key: hex(key), iv: hex(iv), ciphertext: hex(theirs), aad: hex(aad) })
        assert.equal(opened.hex, hex(plain))
        const bad = Buffer.from(theirs)
        bad[bad.length - 1] ^= 1
        await assert.rejects(peer.call('crypto.gcm_decrypt',
          { key: hex(key), iv: hex(iv), ciphertext: hex(bad), aad: hex(aad) }), /DataLoss/)
      }
    }
  })

  test('Noise-style frames: counter IV 00x8 || u32be(n)', async () => {
    const key = randomBytes(32)
    for (const n of [0, 1, 2, 255, 256, 0xffffffff]) {
      const iv = Buffer.alloc(12)
      iv.writeUInt32BE(n, 8)
      const frame = randomBytes(1024)
      const ours = unhex((await peer.call('crypto.gcm_encrypt',
        { key: hex(key), iv: hex(iv), plaintext: hex(frame) })).hex)
      assert.deepEqual(aesDecryptGCM(ours, key, iv, Buffer.alloc(0)), frame)
    }
  })

  test('AES-256-CBC both directions with Baileys aesEncrypWithIV/aesDecryptWithIV', async () => {
    for (const n of SIZES) {
      const key = randomBytes(32)
      const iv = randomBytes(16)
      const plain = randomBytes(n)
      const theirs = aesEncrypWithIV(plain, key, iv)
      for (const chunk of [undefined, 1, 5, 16, 4096]) {
        const ours = unhex((await peer.call('crypto.cbc_encrypt',
          { key: hex(key), iv: hex(iv), plaintext: hex(plain), chunk })).hex)
        assert.deepEqual(ours, theirs, `encrypt ${n}/${chunk}`)
        assert.deepEqual(aesDecryptWithIV(ours, key, iv), plain)
        const back = await peer.call('crypto.cbc_decrypt',
          { key: hex(key), iv: hex(iv), ciphertext: hex(theirs), chunk })
        assert.equal(back.hex, hex(plain), `decrypt ${n}/${chunk}`)
      }
    }
  })

  test('AES-256-CTR equals Baileys aesEncryptCTR; pairing-code wrap round trip', async () => {
    for (const n of [0, 1, 16, 17, 32, 1000]) {
      const key = randomBytes(32)
      const iv = randomBytes(16)
      const data = randomBytes(n)
      const ours = unhex((await peer.call('crypto.ctr',
        { key: hex(key), iv: hex(iv), data: hex(data) })).hex)
      assert.deepEqual(ours, aesEncryptCTR(data, key, iv))
      assert.deepEqual(aesDecryptCTR(ours, key, iv), data)
    }
    // [§6.1] Baileys wraps its pairing ephemeral: salt ‖ iv ‖ CTR(PBKDF2(code, salt), iv, pub).
    const code = 'Q2W3E4R5'
    const salt = randomBytes(32)
    const iv = randomBytes(16)
    const pub = Curve.generateKeyPair().public
    const wrapped = Buffer.concat([salt, iv,
      aesEncryptCTR(pub, await derivePairingCodeKey(code, salt), iv)])
    assert.equal(wrapped.length, 80)
    const key = (await peer.call('crypto.pbkdf2', {
      password: hex(Buffer.from(code)), salt: hex(wrapped.subarray(0, 32)),
      iterations: 2 << 16, length: 32
    })).hex
    const unwrapped = await peer.call('crypto.ctr',
      { key, iv: hex(wrapped.subarray(32, 48)), data: hex(wrapped.subarray(48)) })
    assert.equal(unwrapped.hex, hex(pub))
  })
})

describe('Curve25519', () => {
  test('X25519: public keys and shared secrets agree with Baileys Curve', async () => {
    for (let i = 0; i < 20; i++) {
      const ours = await peer.call('crypto.x25519_generate', { seed: 1000 + i })
      assert.equal(ours.signal_public, '05' + ours.public)
      const theirs = Curve.generateKeyPair()
      // public from private, both ways
      assert.equal((await peer.call('crypto.x25519_public', { private: hex(theirs.private) })).public,
        hex(theirs.public))
      assert.equal(hex(libsignalCurve.getPublicFromPrivateKey(unhex(ours.private))),
        ours.signal_public)
      // DH: ours(ourPriv, theirPub) == Baileys(theirPriv, ourPub); 32- and 33-byte forms
      const a = (await peer.call('crypto.x25519_shared',
        { private: ours.private, public: hex(theirs.public) })).hex
      const b = (await peer.call('crypto.x25519_shared',
        { private: ours.private, public: hex(generateSignalPubKey(theirs.public)) })).hex
      const c = hex(Curve.sharedKey(theirs.private, unhex(ours.public)))
      assert.equal(a, c)
      assert.equal(b, c)
    }
  })

  test('XEdDSA: Baileys Curve.sign / signedKeyPair verify with us', async () => {
    for (let i = 0; i < 40; i++) {
      const identity = Curve.generateKeyPair()
      const message = randomBytes(1 + i * 7)
      const sig = Curve.sign(identity.private, message)
      const ok = await peer.call('crypto.xeddsa_verify',
        { public: hex(identity.public), message: hex(message), signature: hex(sig) })
      assert.equal(ok.valid, true, ok.error)
      const bad = Buffer.from(sig)
      bad[i % 64] ^= 0x04
      const rejected = await peer.call('crypto.xeddsa_verify',
        { public: hex(identity.public), message: hex(message), signature: hex(bad) })
      assert.equal(rejected.valid, false)
      // A signed pre-key, as Baileys makes them at registration [§3.2, §8.1].
      const spk = signedKeyPair(identity, i + 1)
      const spkOk = await peer.call('crypto.xeddsa_verify', {
        public: hex(generateSignalPubKey(identity.public)),
        message: hex(generateSignalPubKey(spk.keyPair.public)),
        signature: hex(spk.signature)
      })
      assert.equal(spkOk.valid, true, spkOk.error)
    }
  })

  test('XEdDSA: our signatures verify in libsignal-node / curve25519-js', async () => {
    for (let i = 0; i < 40; i++) {
      const keys = await peer.call('crypto.x25519_generate', { seed: 5000 + i })
      // ADV device signature layout: 06 01 ‖ details ‖ identity ‖ account key [§5.4]
      const message = Buffer.concat([Buffer.from([6, 1]), randomBytes(20 + i), randomBytes(64)])
      const sig = unhex((await peer.call('crypto.xeddsa_sign',
        { private: keys.private, message: hex(message), seed: i })).hex)
      assert.equal(sig.length, 64)
      // The real check (Baileys' Curve.verify swallows the result, §2.3).
      assert.equal(curveJs.verify(unhex(keys.public), message, sig), true, `curve25519-js ${i}`)
      assert.equal(libsignalCurve.verifySignature(unhex(keys.signal_public), message, sig), true)
      assert.equal(Curve.verify(unhex(keys.public), message, sig), true)
      const bad = Buffer.from(sig)
      bad[(i * 13) % 64] ^= 0x10
      assert.equal(curveJs.verify(unhex(keys.public), message, bad), false)
    }
  })

  test('XEdDSA: a Baileys private key signs through us', async () => {
    const identity = Curve.generateKeyPair()
    const message = randomBytes(50)
    const sig = unhex((await peer.call('crypto.xeddsa_sign',
      { private: hex(identity.private), message: hex(message), seed: 1 })).hex)
    assert.equal(curveJs.verify(identity.public, message, sig), true)
  })

  test('bad inputs come back as errors, not crashes', async () => {
    await assert.rejects(peer.call('crypto.x25519_shared',
      { private: '00'.repeat(32), public: '06' + '11'.repeat(32) }), /InvalidArgument/)
    await assert.rejects(peer.call('crypto.x25519_shared',
      { private: '11'.repeat(32), public: '00'.repeat(32) }), /InvalidArgument/)
    await assert.rejects(peer.call('crypto.gcm_encrypt',
      { key: '00'.repeat(31), iv: '00'.repeat(12), plaintext: '' }), /InvalidArgument/)
    await assert.rejects(peer.call('crypto.cbc_decrypt',
      { key: '00'.repeat(32), iv: '00'.repeat(16), ciphertext: '00'.repeat(17) }), /DataLoss/)
    const v = await peer.call('crypto.xeddsa_verify',
      { public: '11'.repeat(32), message: '', signature: '00'.repeat(63) })
    assert.equal(v.valid, false)
    assert.match(v.error, /InvalidArgument/)
  })
})
