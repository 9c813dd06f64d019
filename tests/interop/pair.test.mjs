// wa/pair against Baileys 7.0.0-rc14: the QR string (buildPairingQRData), the
// ADV identity (configureSuccessfulPairing, the companion's real check and
// answer) and the pairing-code crypto (bytesToCrockford, derivePairingCodeKey,
// and the companion_hello / companion_finish computations of socket.js and
// messages-recv.js, re-run here step by step with Baileys' own helpers since
// they live inside socket closures) [whatsapp-protocol.md §5, §6].
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'

import {
  aesDecryptCTR,
  aesDecryptGCM,
  aesEncryptCTR,
  aesEncryptGCM,
  Browsers,
  buildPairingQRData,
  bytesToCrockford,
  configureSuccessfulPairing,
  Curve,
  derivePairingCodeKey,
  getBinaryNodeChild,
  getCompanionPlatformId,
  hkdf,
  hmacSign,
  initAuthCreds,
  proto,
  WA_ADV_ACCOUNT_SIG_PREFIX
} from 'baileys'

import { hex, Peer, unhex } from './lib/peer.mjs'

let peer
before(() => {
  peer = new Peer()
})
after(() => peer.close())

const PN = '15550001111:7@s.whatsapp.net'
const LID = '100000000000001:7@lid'

// The <pair-success> stanza of §5.3 step 5, as Baileys' binary node objects.
const pairSuccess = container => ({
  tag: 'iq',
  attrs: { from: '@s.whatsapp.net', type: 'set', id: 'ID2', xmlns: 'md', t: '1764410000' },
  content: [{
    tag: 'pair-success',
    attrs: {},
    content: [
      { tag: 'device-identity', attrs: {}, content: Buffer.from(container) },
      { tag: 'platform', attrs: { name: 'android' } },
      { tag: 'device', attrs: { jid: PN, lid: LID } },
      { tag: 'biz', attrs: { name: 'Test Biz' } }
    ]
  }]
})

const phoneSign = (account, creds, advSecret, extra = {}) => peer.call('pair.adv.phone_sign', {
  account_priv: hex(account.private),
  companion_pub: hex(creds.signedIdentityKey.public),
  adv_secret: hex(advSecret),
  raw_id: 987654,
  timestamp: 1764410000,
  key_index: 3,
  ...extra
})

describe('QR string', () => {
  const browsers = [Browsers.macOS('Chrome'), Browsers.windows('Edge'), Browsers.ubuntu('Firefox'),
    Browsers.macOS('Safari'), Browsers.macOS('Desktop'), Browsers.windows('Desktop'),
    Browsers.baileys('Unknown')]

  test('equals buildPairingQRData for every platform id', async () => {
    for (const browser of browsers) {
      const creds = initAuthCreds()
      const ref = '2@' + randomBytes(24).toString('base64')
      const expected = buildPairingQRData(ref, creds.noiseKey.public.toString('base64'),
        creds.signedIdentityKey.public.toString('base64'), creds.advSecretKey, browser)
      const { qr } = await peer.call('pair.qr.build', {
        ref,
        noise_pub: hex(creds.noiseKey.public),
        identity_pub: hex(creds.signedIdentityKey.public),
        adv_secret: hex(Buffer.from(creds.advSecretKey, 'base64')),
        platform_id: getCompanionPlatformId(browser)
      })
      assert.equal(qr, expected, browser.join('/'))
    }
  })

  test('parses what Baileys builds', async () => {
    const creds = initAuthCreds()
    const ref = '2@' + randomBytes(30).toString('base64')
    const qr = buildPairingQRData(ref, creds.noiseKey.public.toString('base64'),
      creds.signedIdentityKey.public.toString('base64'), creds.advSecretKey, Browsers.ubuntu('Opera'))
    const parsed = await peer.call('pair.qr.parse', { qr })
    assert.deepEqual(parsed, {
      ref,
      noise_pub: hex(creds.noiseKey.public),
      identity_pub: hex(creds.signedIdentityKey.public),
      adv_secret: hex(Buffer.from(creds.advSecretKey, 'base64')),
      platform_id: '5'
    })
  })

  test('refuses a v6-style QR and damaged ones', async () => {
    const creds = initAuthCreds()
    const fields = ['2@ref', creds.noiseKey.public.toString('base64'),
      creds.signedIdentityKey.public.toString('base64'), creds.advSecretKey]
    await assert.rejects(peer.call('pair.qr.parse', { qr: fields.join(',') }), /prefix/)
    const good = buildPairingQRData(...fields, Browsers.macOS('Chrome'))
    await assert.rejects(peer.call('pair.qr.parse', { qr: good + ',x' }), /5 comma-separated/)
    await assert.rejects(peer.call('pair.qr.parse', { qr: good.replace('=,', ',') }), /base64/)
  })
})

describe('ADV device identity', () => {
  test('our phone side is accepted by configureSuccessfulPairing, and its reply verifies', async () => {
    const creds = initAuthCreds()
    const account = Curve.generateKeyPair()
    const advSecret = Buffer.from(creds.advSecretKey, 'base64')
    const { hex: container } = await phoneSign(account, creds, advSecret)

    const { reply, creds: update } = configureSuccessfulPairing(pairSuccess(unhex(container)), creds)
    assert.equal(reply.attrs.id, 'ID2')
    assert.equal(reply.attrs.type, 'result')
    const sign = getBinaryNodeChild(reply, 'pair-device-sign')
    const identityNode = getBinaryNodeChild(sign, 'device-identity')
    assert.equal(identityNode.attrs['key-index'], '3')
    assert.deepEqual(update.me, { id: PN, name: 'Test Biz', lid: LID })
    assert.equal(update.platform, 'android')
    assert.equal(hex(update.account.accountSignatureKey), hex(account.public))
    assert.equal(hex(update.signalIdentities.at(-1).identifierKey), '05' + hex(account.public))

    // The phone/server checks Baileys' device signature (reply form, no account key) …
    const args = { account_pub: hex(account.public), companion_pub: hex(creds.signedIdentityKey.public) }
    const verified = await peer.call('pair.adv.verify_reply', { signed: hex(identityNode.content), ...args })
    assert.deepEqual(verified,
      { raw_id: 987654, timestamp: 1764410000, key_index: 3, account_type: 0, device_type: 0 })
    assert.equal(proto.ADVSignedDeviceIdentity.decode(identityNode.content).accountSignatureKey?.length ?? 0, 0)
    // … and the stored form (with the key) Baileys later attaches to messages.
    await peer.call('pair.adv.verify_reply',
      { signed: hex(proto.ADVSignedDeviceIdentity.encode(update.account).finish()), ...args })

    // A flipped bit of Baileys' device signature is refused.
    const bad = proto.ADVSignedDeviceIdentity.decode(identityNode.content)
    bad.deviceSignature[9] ^= 1
    await assert.rejects(peer.call('pair.adv.verify_reply',
      { signed: hex(proto.ADVSignedDeviceIdentity.encode(bad).finish()), ...args }), /signature-mismatch/)
  })

  test('our companion side answers byte for byte like Baileys (up to the random signature)', async () => {
    const creds = initAuthCreds()
    const account = Curve.generateKeyPair()
    const advSecret = Buffer.from(creds.advSecretKey, 'base64')
    const { hex: container } = await phoneSign(account, creds, advSecret)
    const { reply } = configureSuccessfulPairing(pairSuccess(unhex(container)), creds)
    const baileysReply = getBinaryNodeChild(getBinaryNodeChild(reply, 'pair-device-sign'), 'device-identity')

    const ours = await peer.call('pair.adv.companion_process', {
      container, adv_secret: hex(advSecret), identity_priv: hex(creds.signedIdentityKey.private)
    })
    assert.equal(String(ours.key_index), baileysReply.attrs['key-index'])
    const theirs = proto.ADVSignedDeviceIdentity.decode(baileysReply.content)
    const oursDecoded = proto.ADVSignedDeviceIdentity.decode(unhex(ours.reply))
    assert.ok(Curve.verify(creds.signedIdentityKey.public, Buffer.concat([Buffer.from([6, 1]),
      oursDecoded.details, creds.signedIdentityKey.public, account.public]), oursDecoded.deviceSignature))
    theirs.deviceSignature = oursDecoded.deviceSignature
    assert.equal(hex(proto.ADVSignedDeviceIdentity.encode(theirs).finish()), ours.reply)
  })

  test('hosted account and device: prefixed HMAC and account signature accepted by Baileys', async () => {
    const creds = initAuthCreds()
    const account = Curve.generateKeyPair()
    const advSecret = Buffer.from(creds.advSecretKey, 'base64')
    const { hex: container } = await phoneSign(account, creds, advSecret,
      { hosted_account: true, hosted_device: true })
    const decoded = proto.ADVSignedDeviceIdentityHMAC.decode(unhex(container))
    assert.equal(decoded.accountType, proto.ADVEncryptionType.HOSTED)
    assert.equal(hex(decoded.hmac),
      hex(hmacSign(Buffer.concat([Buffer.from([6, 5]), decoded.details]), advSecret)))
    const { reply } = configureSuccessfulPairing(pairSuccess(unhex(container)), creds)
    const node = getBinaryNodeChild(getBinaryNodeChild(reply, 'pair-device-sign'), 'device-identity')
    await peer.call('pair.adv.verify_reply', {
      signed: hex(node.content), account_pub: hex(account.public), companion_pub: hex(creds.signedIdentityKey.public)
    })
  })

  test('Baileys refuses a container made with another adv secret; so do we', async () => {
    const creds = initAuthCreds()
    const account = Curve.generateKeyPair()
    const { hex: container } = await phoneSign(account, creds, randomBytes(32))
    assert.throws(() => configureSuccessfulPairing(pairSuccess(unhex(container)), creds),
      /Invalid account signature/)
    await assert.rejects(peer.call('pair.adv.companion_process', {
      container, adv_secret: hex(Buffer.from(creds.advSecretKey, 'base64')),
      identity_priv: hex(creds.signedIdentityKey.private)
    }), /hmac-mismatch/)
  })

  test('our companion accepts a container made with Baileys primitives, and checks the account signature', async () => {
    const creds = initAuthCreds()
    const account = Curve.generateKeyPair()
    const advSecret = Buffer.from(creds.advSecretKey, 'base64')
    const details = proto.ADVDeviceIdentity.encode({ rawId: 5, timestamp: 1764410001, keyIndex: 9 }).finish()
    const makeContainer = signFor => {
      const accountSignature = Curve.sign(account.private,
        Buffer.concat([WA_ADV_ACCOUNT_SIG_PREFIX, details, signFor]))
      const signed = proto.ADVSignedDeviceIdentity.encode(
        { details, accountSignatureKey: account.public, accountSignature }).finish()
      return proto.ADVSignedDeviceIdentityHMAC.encode({ details: signed, hmac: hmacSign(signed, advSecret) }).finish()
    }
    const args = { adv_secret: hex(advSecret), identity_priv: hex(creds.signedIdentityKey.private) }
    const ours = await peer.call('pair.adv.companion_process', { container: hex(makeContainer(creds.signedIdentityKey.public)), ...args })
    assert.equal(ours.key_index, 9)
    assert.equal(ours.raw_id, 5)
    // Signed for another companion: Baileys rc14 would not notice (§5.4); we do.
    await assert.rejects(peer.call('pair.adv.companion_process',
      { container: hex(makeContainer(randomBytes(32))), ...args }), /signature-mismatch/)
  })
})

// Baileys' companion side of the pairing code, step by step as socket.js
// (generatePairingKey) and messages-recv.js (link_code_companion_reg) run it.
// `pinned` supplies the random draws (random, salt, iv) so outputs can be compared.
const baileysWrap = async (code, pub, salt = randomBytes(32), iv = randomBytes(16)) => {
  const key = await derivePairingCodeKey(code, salt)
  return Buffer.concat([salt, iv, aesEncryptCTR(pub, key, iv)])
}
const baileysUnwrap = async (code, wrapped) => {
  const key = await derivePairingCodeKey(code, wrapped.subarray(0, 32))
  return aesDecryptCTR(wrapped.subarray(48, 80), key, wrapped.subarray(32, 48))
}
const baileysCompanionFinish = async (creds, code, primaryIdentity, wrappedPrimary,
  pinned = { random: randomBytes(32), salt: randomBytes(32), iv: randomBytes(12) }) => {
  const primaryEphemeral = await baileysUnwrap(code, wrappedPrimary)
  const companionShared = Curve.sharedKey(creds.pairingEphemeralKeyPair.private, primaryEphemeral)
  const bundleKey = hkdf(companionShared, 32,
    { salt: pinned.salt, info: 'link_code_pairing_key_bundle_encryption_key' })
  const plain = Buffer.concat([creds.signedIdentityKey.public, primaryIdentity, pinned.random])
  const bundle = Buffer.concat([pinned.salt, pinned.iv,
    aesEncryptGCM(plain, bundleKey, pinned.iv, Buffer.alloc(0))])
  const identityShared = Curve.sharedKey(creds.signedIdentityKey.private, primaryIdentity)
  const adv = Buffer.from(hkdf(Buffer.concat([companionShared, identityShared, pinned.random]), 32,
    { info: 'adv_secret' }))
  return { bundle, adv }
}

describe('pairing code', () => {
  test('codes equal bytesToCrockford of the same 5 bytes', async () => {
    for (let i = 0; i < 40; i++) {
      const bytes = i === 0 ? Buffer.alloc(5) : i === 1 ? Buffer.alloc(5, 0xff) : randomBytes(5)
      const { code } = await peer.call('pair.code.generate', { random: hex(bytes) })
      assert.equal(code, bytesToCrockford(bytes), hex(bytes))
    }
  })

  test('key derivation equals derivePairingCodeKey', async () => {
    for (const code of ['ABCD1234', bytesToCrockford(randomBytes(5)), 'ZZZZZZZZ']) {
      const salt = randomBytes(32)
      const { hex: ours } = await peer.call('pair.code.derive_key', { code, salt: hex(salt) })
      assert.equal(ours, hex(await derivePairingCodeKey(code, salt)))
    }
  })

  test('wrapping: Baileys-wrapped keys unwrap with ours, and ours equal Baileys byte for byte', async () => {
    const creds = initAuthCreds()
    const code = bytesToCrockford(randomBytes(5))
    const pub = creds.pairingEphemeralKeyPair.public
    const wrapped = await baileysWrap(code, pub)
    assert.equal(wrapped.length, 80)
    assert.equal((await peer.call('pair.code.unwrap', { code, wrapped: hex(wrapped) })).public, hex(pub))

    const salt = randomBytes(32)
    const iv = randomBytes(16)
    const ours = await peer.call('pair.code.wrap', { code, public: hex(pub), random: hex(Buffer.concat([salt, iv])) })
    assert.equal(ours.hex, hex(await baileysWrap(code, pub, salt, iv)))
    assert.equal(hex(await baileysUnwrap(code, unhex((await peer.call('pair.code.wrap', { code, public: hex(pub) })).hex))), hex(pub))
  })

  test('our companion_finish equals Baileys for the same random draws', async () => {
    const creds = initAuthCreds()
    const account = Curve.generateKeyPair()
    const code = bytesToCrockford(randomBytes(5))
    const primaryEphemeral = Curve.generateKeyPair()
    const wrappedPrimary = await baileysWrap(code, primaryEphemeral.public)
    const pinned = { random: randomBytes(32), salt: randomBytes(32), iv: randomBytes(12) }
    const expected = await baileysCompanionFinish(creds, code, account.public, wrappedPrimary, pinned)
    const ours = await peer.call('pair.code.companion_finish', {
      code,
      pairing_ephemeral_priv: hex(creds.pairingEphemeralKeyPair.private),
      identity_priv: hex(creds.signedIdentityKey.private),
      wrapped_primary: hex(wrappedPrimary),
      primary_identity: hex(account.public),
      random: hex(Buffer.concat([pinned.random, pinned.salt, pinned.iv]))
    })
    assert.equal(ours.bundle, hex(expected.bundle))
    assert.equal(ours.bundle.length / 2, 156)
    assert.equal(ours.adv_secret, hex(expected.adv))
  })

  test('full flow: Baileys companion ↔ our phone, then pair-success accepted with the derived secret', async () => {
    const creds = initAuthCreds()
    const account = Curve.generateKeyPair()
    const code = bytesToCrockford(randomBytes(5))
    creds.pairingCode = code

    // companion_hello → our phone's primary_hello.
    const wrappedCompanion = await baileysWrap(code, creds.pairingEphemeralKeyPair.public)
    const hello = await peer.call('pair.code.primary_hello', { code, wrapped: hex(wrappedCompanion) })
    assert.equal(hello.companion_ephemeral, hex(creds.pairingEphemeralKeyPair.public))

    // Baileys' companion_finish → our phone's finish: the same adv secret.
    const { bundle, adv } = await baileysCompanionFinish(creds, code, account.public, unhex(hello.wrapped))
    creds.advSecretKey = adv.toString('base64')
    const phone = await peer.call('pair.code.phone_finish', {
      primary_ephemeral_priv: hello.primary_ephemeral_priv,
      account_priv: hex(account.private),
      companion_ephemeral: hello.companion_ephemeral,
      bundle: hex(bundle),
      companion_identity: hex(creds.signedIdentityKey.public)
    })
    assert.equal(phone.adv_secret, hex(adv))

    // §6.5: continue as the QR flow; Baileys accepts the HMAC keyed by that secret.
    const { hex: container } = await phoneSign(account, creds, adv)
    const { reply } = configureSuccessfulPairing(pairSuccess(unhex(container)), creds)
    assert.equal(getBinaryNodeChild(getBinaryNodeChild(reply, 'pair-device-sign'), 'device-identity').attrs['key-index'], '3')

    // The phone refuses a bundle naming another companion identity or a tampered one.
    const stranger = Curve.generateKeyPair()
    await assert.rejects(peer.call('pair.code.phone_finish', {
      primary_ephemeral_priv: hello.primary_ephemeral_priv, account_priv: hex(account.private),
      companion_ephemeral: hello.companion_ephemeral, bundle: hex(bundle), companion_identity: hex(stranger.public)
    }), /other identity keys/)
    const tampered = Buffer.from(bundle)
    tampered[100] ^= 1
    await assert.rejects(peer.call('pair.code.phone_finish', {
      primary_ephemeral_priv: hello.primary_ephemeral_priv, account_priv: hex(account.private),
      companion_ephemeral: hello.companion_ephemeral, bundle: hex(tampered), companion_identity: hex(creds.signedIdentityKey.public)
    }))
  })

  test('full flow: our companion ↔ a phone built from Baileys helpers', async () => {
    const creds = initAuthCreds()
    const account = Curve.generateKeyPair()
    const code = (await peer.call('pair.code.generate')).code
    const companionWrapped = unhex((await peer.call('pair.code.wrap',
      { code, public: hex(creds.pairingEphemeralKeyPair.public) })).hex)
    // The phone (JS): unwrap, new ephemeral, wrap it.
    const ec = await baileysUnwrap(code, companionWrapped)
    assert.equal(hex(ec), hex(creds.pairingEphemeralKeyPair.public))
    const ep = Curve.generateKeyPair()
    const wrappedPrimary = await baileysWrap(code, ep.public)
    const finish = await peer.call('pair.code.companion_finish', {
      code,
      pairing_ephemeral_priv: hex(creds.pairingEphemeralKeyPair.private),
      identity_priv: hex(creds.signedIdentityKey.private),
      wrapped_primary: hex(wrappedPrimary),
      primary_identity: hex(account.public)
    })
    // The phone (JS) opens the bundle and derives the secret.
    const bundle = unhex(finish.bundle)
    const s1 = Curve.sharedKey(ep.private, ec)
    const key = hkdf(s1, 32, { salt: bundle.subarray(0, 32), info: 'link_code_pairing_key_bundle_encryption_key' })
    const plain = aesDecryptGCM(bundle.subarray(44), key, bundle.subarray(32, 44), Buffer.alloc(0))
    assert.equal(hex(plain.subarray(0, 32)), hex(creds.signedIdentityKey.public))
    assert.equal(hex(plain.subarray(32, 64)), hex(account.public))
    const s2 = Curve.sharedKey(account.private, creds.signedIdentityKey.public)
    const adv = Buffer.from(hkdf(Buffer.concat([s1, s2, plain.subarray(64)]), 32, { info: 'adv_secret' }))
    assert.equal(finish.adv_secret, hex(adv))
  })

  test('a wrong code is refused', async () => {
    await assert.rejects(peer.call('pair.code.derive_key', { code: 'ABC', salt: hex(randomBytes(32)) }), /8 characters/)
    await assert.rejects(peer.call('pair.code.unwrap', { code: 'ABCD1234', wrapped: hex(randomBytes(79)) }), /80 bytes/)
    // The phone types another code: the companion unwraps a different key,
    // so the bundle it builds does not open on the phone.
    const creds = initAuthCreds()
    const account = Curve.generateKeyPair()
    const hello = await peer.call('pair.code.primary_hello',
      { code: 'AAAA2222', wrapped: hex(await baileysWrap('BBBB3333', creds.pairingEphemeralKeyPair.public)) })
    assert.notEqual(hello.companion_ephemeral, hex(creds.pairingEphemeralKeyPair.public))
  })
})
