// wa/signal against Baileys 7.0.0-rc14's Signal stack: libsignal-node (the
// WhiskeySockets fork: SessionBuilder, SessionCipher, SessionRecord) for 1:1
// sessions and Baileys' lib/Signal/Group for sender keys, each with an
// in-memory JS store like Baileys' signalStorage (TOFU: every identity trusted).
// Our side runs in wa_peer (peer/peer_signal.cc), state per party id.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'

import { unpadRandomMax16, writeRandomPadMax16 } from 'baileys'
import {
  GroupCipher,
  GroupSessionBuilder,
  SenderKeyDistributionMessage,
  SenderKeyName,
  SenderKeyRecord
} from 'baileys/lib/Signal/Group/index.js'
import libsignal from 'libsignal'

import { JsSignalParty } from './lib/js_signal_party.mjs'
import { hex, Peer, unhex } from './lib/peer.mjs'

const { ProtocolAddress, SessionBuilder, SessionCipher } = libsignal

let peer
before(() => {
  peer = new Peer()
})
after(() => peer.close())

const GROUP = '120363000000000001@g.us'
let partyCount = 0

// A libsignal-node party (lib/js_signal_party.mjs) speaking our wire names.
class JsParty extends JsSignalParty {
  async encrypt(to, plaintext) {
    const { type, body } = await new SessionCipher(this.storage, to).encrypt(plaintext)
    return { type: type === 3 ? 'pkmsg' : 'msg', ciphertext: Buffer.from(body, 'binary') }
  }

  async decrypt(from, { type, ciphertext }) {
    const cipher = new SessionCipher(this.storage, from)
    const bytes = Buffer.from(ciphertext)
    return Buffer.from(type === 'pkmsg'
      ? await cipher.decryptPreKeyWhisperMessage(bytes)
      : await cipher.decryptWhisperMessage(bytes))
  }
}

// Our party in wa_peer.
class CppParty {
  constructor(name, device = 0) {
    this.id = `p${++partyCount}`
    this.address = new ProtocolAddress(name, device)
  }

  async init() {
    Object.assign(this, await peer.call('signal.party_new', { party: this.id }))
    return this
  }

  async encrypt(to, plaintext) {
    const r = await peer.call('signal.encrypt', { party: this.id, address: to.toString(), plaintext: hex(plaintext) })
    return { type: r.type, ciphertext: unhex(r.ciphertext) }
  }

  async decrypt(from, { type, ciphertext }) {
    const r = await peer.call('signal.decrypt',
      { party: this.id, address: from.toString(), type, ciphertext: hex(ciphertext) })
    return unhex(r.plaintext)
  }

  processBundle(address, device) {
    const args = {
      party: this.id,
      address: address.toString(),
      registration_id: device.registrationId,
      identity_key: hex(device.identityKey),
      signed_pre_key_id: device.signedPreKey.keyId,
      signed_pre_key_public: hex(device.signedPreKey.publicKey),
      signed_pre_key_signature: hex(device.signedPreKey.signature)
    }
    if (device.preKey) {
      args.pre_key_id = device.preKey.keyId
      args.pre_key_public = hex(device.preKey.publicKey)
    }
    return peer.call('signal.process_bundle', args)
  }

  async bundle(preKeyId = 1) {
    const b = await peer.call('signal.bundle', preKeyId === null ? { party: this.id } : { party: this.id, pre_key_id: preKeyId })
    const device = {
      registrationId: b.registration_id,
      identityKey: unhex(b.identity_key),
      signedPreKey: {
        keyId: b.signed_pre_key.id,
        publicKey: unhex(b.signed_pre_key.public),
        signature: unhex(b.signed_pre_key.signature)
      }
    }
    if (b.pre_key) device.preKey = { keyId: b.pre_key.id, publicKey: unhex(b.pre_key.public) }
    return device
  }
}

const text = s => Buffer.from(s, 'utf-8')

// Sends n messages each way, in lock-step, checking every plaintext.
async function chat(a, b, n, tag) {
  for (let i = 0; i < n; i++) {
    const m = text(`${tag} a→b ${i} ${randomBytes(i * 7).toString('hex')}`)
    assert.deepEqual(await b.decrypt(a.address, await a.encrypt(b.address, m)), m)
    const r = text(`${tag} b→a ${i}`)
    assert.deepEqual(await a.decrypt(b.address, await b.encrypt(a.address, r)), r)
  }
}

describe('1:1 sessions', () => {
  test('JS bundle: we send pkmsg, Baileys decrypts and replies; then many both ways', async () => {
    const js = new JsParty('15550001111', 0)
    const cpp = await new CppParty('100000000000002_1', 0).init()
    await cpp.processBundle(js.address, js.bundle(7))
    const first = await cpp.encrypt(js.address, text('hello from wagate'))
    assert.equal(first.type, 'pkmsg')
    const second = await cpp.encrypt(js.address, text('second pkmsg'))
    assert.equal(second.type, 'pkmsg')
    assert.equal((await js.decrypt(cpp.address, first)).toString(), 'hello from wagate')
    assert.equal((await js.decrypt(cpp.address, second)).toString(), 'second pkmsg')
    assert.equal(js.preKeys.has(7), false, 'Baileys consumed its one-time pre-key')

    const reply = await js.encrypt(cpp.address, text('hello from baileys'))
    assert.equal(reply.type, 'msg')
    assert.equal((await cpp.decrypt(js.address, reply)).toString(), 'hello from baileys')
    const after = await cpp.encrypt(js.address, text('now a msg'))
    assert.equal(after.type, 'msg')
    assert.equal((await js.decrypt(cpp.address, after)).toString(), 'now a msg')
    await chat(cpp, js, 10, 'lockstep')

    // Bursts: several in a row each way (same chain, no ratchet step).
    for (const [from, to] of [[cpp, js], [js, cpp], [cpp, js]]) {
      const burst = []
      for (let i = 0; i < 5; i++) burst.push(await from.encrypt(to.address, text(`burst ${i}`)))
      for (let i = 0; i < 5; i++) assert.equal((await to.decrypt(from.address, burst[i])).toString(), `burst ${i}`)
    }
  })

  test('out-of-order delivery both ways, duplicates refused by us', async () => {
    const js = new JsParty('15550001112', 2)
    const cpp = await new CppParty('15550002223', 0).init()
    await cpp.processBundle(js.address, js.bundle(1))
    assert.equal((await js.decrypt(cpp.address, await cpp.encrypt(js.address, text('x')))).toString(), 'x')
    assert.equal((await cpp.decrypt(js.address, await js.encrypt(cpp.address, text('y')))).toString(), 'y')

    // Baileys → us: 0 1 2 3 delivered as 3 0 2 1; then a skip across a ratchet step.
    const fromJs = []
    for (let i = 0; i < 4; i++) fromJs.push(await js.encrypt(cpp.address, text(`j${i}`)))
    for (const i of [3, 0, 2, 1]) assert.equal((await cpp.decrypt(js.address, fromJs[i])).toString(), `j${i}`)
    await assert.rejects(cpp.decrypt(js.address, fromJs[2]), /AlreadyExists/)

    // Us → Baileys: deliver later ones first.
    const fromCpp = []
    for (let i = 0; i < 4; i++) fromCpp.push(await cpp.encrypt(js.address, text(`c${i}`)))
    for (const i of [1, 3, 0, 2]) assert.equal((await js.decrypt(cpp.address, fromCpp[i])).toString(), `c${i}`)

    // A message held back across a DH ratchet step.
    const late = await js.encrypt(cpp.address, text('late'))
    assert.equal((await js.decrypt(cpp.address, await cpp.encrypt(js.address, text('turn')))).toString(), 'turn')
    const fresh = await js.encrypt(cpp.address, text('fresh'))
    assert.equal((await cpp.decrypt(js.address, fresh)).toString(), 'fresh')
    assert.equal((await cpp.decrypt(js.address, late)).toString(), 'late')
    await chat(js, cpp, 3, 'after')
  })

  test('our bundle: Baileys initiates, we decrypt pkmsg and reply', async () => {
    const cpp = await new CppParty('100000000000003_1', 0).init()
    const js = new JsParty('100000000000004_1', 5)
    const bundle = await cpp.bundle(3)
    await new SessionBuilder(js.storage, cpp.address).initOutgoing(bundle)
    const m1 = await js.encrypt(cpp.address, text('baileys says hi'))
    const m2 = await js.encrypt(cpp.address, text('baileys again'))
    assert.equal(m1.type, 'pkmsg')
    // Out of order even for the pkmsgs.
    assert.equal((await cpp.decrypt(js.address, m2)).toString(), 'baileys again')
    assert.equal((await cpp.decrypt(js.address, m1)).toString(), 'baileys says hi')
    await assert.rejects(cpp.decrypt(js.address, m1), /AlreadyExists/)
    const reply = await cpp.encrypt(js.address, text('wagate answers'))
    assert.equal(reply.type, 'msg')
    assert.equal((await js.decrypt(cpp.address, reply)).toString(), 'wagate answers')
    await chat(js, cpp, 8, 'reverse')
    // Our state survives a restart (new context + stores over the same bytes).
    await peer.call('signal.restart', { party: cpp.id })
    await chat(cpp, js, 3, 'restarted')
  })

  test('bundle without one-time pre-key, both directions', async () => {
    const js = new JsParty('15550001113', 0)
    const cpp = await new CppParty('15550002224', 0).init()
    await cpp.processBundle(js.address, js.bundle(null))
    await chat(cpp, js, 2, 'no-opk a')
    const js2 = new JsParty('15550001114', 0)
    const cpp2 = await new CppParty('15550002225', 0).init()
    await new SessionBuilder(js2.storage, cpp2.address).initOutgoing(await cpp2.bundle(null))
    await chat(js2, cpp2, 2, 'no-opk b')
  })

  test('Baileys re-initiates (forced session refresh): we accept the new pkmsg', async () => {
    const cpp = await new CppParty('15550002226', 0).init()
    const js = new JsParty('15550001115', 0)
    await new SessionBuilder(js.storage, cpp.address).initOutgoing(await cpp.bundle(1))
    await chat(js, cpp, 2, 'old')
    await new SessionBuilder(js.storage, cpp.address).initOutgoing(await cpp.bundle(2))
    const m = await js.encrypt(cpp.address, text('new session'))
    assert.equal(m.type, 'pkmsg')
    assert.equal((await cpp.decrypt(js.address, m)).toString(), 'new session')
    await chat(cpp, js, 2, 'new')
  })

  test('tampered ciphertext is DataLoss, not a crash', async () => {
    const cpp = await new CppParty('15550002227', 0).init()
    const js = new JsParty('15550001116', 0)
    await new SessionBuilder(js.storage, cpp.address).initOutgoing(await cpp.bundle(1))
    await chat(js, cpp, 1, 'ok')
    const m = await js.encrypt(cpp.address, text('tamper'))
    const bad = Buffer.from(m.ciphertext)
    bad[bad.length - 1] ^= 1
    await assert.rejects(cpp.decrypt(js.address, { type: m.type, ciphertext: bad }), /DataLoss/)
    assert.equal((await cpp.decrypt(js.address, m)).toString(), 'tamper')
  })
})

describe('sender keys', () => {
  const jsSenderName = (address) => new SenderKeyName(GROUP, address)

  test('we distribute, Baileys decrypts our skmsg', async () => {
    const cpp = await new CppParty('100000000000010_1', 0).init()
    const js = new JsParty('100000000000011_1', 0)
    const sender = cpp.address.toString()
    const { skdm } = await peer.call('signal.group_skdm', { party: cpp.id, group: GROUP, sender })
    await new GroupSessionBuilder(js.storage).process(jsSenderName(cpp.address),
      new SenderKeyDistributionMessage(null, null, null, null, unhex(skdm)))
    const sent = []
    for (let i = 0; i < 6; i++) {
      const { ciphertext } = await peer.call('signal.group_encrypt',
        { party: cpp.id, group: GROUP, sender, plaintext: hex(text(`to group ${i}`)) })
      sent.push(unhex(ciphertext))
    }
    // In order: Baileys itself cannot decrypt an skmsg out of order once its
    // record went through its store — storeSenderKey JSON-encodes the skipped
    // message-key seeds as {type:'Buffer', data:[…]}, which BufferJSON.reviver
    // does not turn back into Buffers (whatsapp-protocol.md §11.4), and
    // SenderMessageKey then throws "Expected Buffer". Not our bytes: we send
    // consecutive iterations, so in-order delivery never needs a skipped key.
    const cipher = new GroupCipher(js.storage, jsSenderName(cpp.address))
    for (let i = 0; i < sent.length; i++) {
      assert.equal(Buffer.from(await cipher.decrypt(sent[i])).toString(), `to group ${i}`)
    }
  })

  test('Baileys distributes, we decrypt its skmsg (iterations 0, 2, 4, …)', async () => {
    const js = new JsParty('100000000000012_1', 3)
    const cpp = await new CppParty('100000000000013_1', 0).init()
    const name = jsSenderName(js.address)
    await js.storage.storeSenderKey(name, new SenderKeyRecord())
    const skdm = await new GroupSessionBuilder(js.storage).create(name)
    await peer.call('signal.group_process',
      { party: cpp.id, group: GROUP, sender: js.address.toString(), skdm: hex(skdm.serialize()) })
    const cipher = new GroupCipher(js.storage, name)
    const sent = []
    for (let i = 0; i < 6; i++) sent.push(await cipher.encrypt(text(`from baileys ${i}`)))
    for (const i of [0, 2, 1, 5, 3, 4]) {
      const { plaintext } = await peer.call('signal.group_decrypt',
        { party: cpp.id, group: GROUP, sender: js.address.toString(), ciphertext: hex(sent[i]) })
      assert.equal(unhex(plaintext).toString(), `from baileys ${i}`)
    }
    await assert.rejects(peer.call('signal.group_decrypt',
      { party: cpp.id, group: GROUP, sender: js.address.toString(), ciphertext: hex(sent[1]) }), /AlreadyExists/)
    const bad = Buffer.from(sent[0])
    bad[bad.length - 1] ^= 1
    await assert.rejects(peer.call('signal.group_decrypt',
      { party: cpp.id, group: GROUP, sender: js.address.toString(), ciphertext: hex(bad) }), /DataLoss/)
  })

  test('SKDM travels inside a pairwise pkmsg, as WhatsApp sends it', async () => {
    const cpp = await new CppParty('100000000000014_1', 0).init()
    const js = new JsParty('100000000000015_1', 0)
    await cpp.processBundle(js.address, js.bundle(2))
    const { skdm } = await peer.call('signal.group_skdm', { party: cpp.id, group: GROUP, sender: cpp.address.toString() })
    const padded = writeRandomPadMax16(unhex(skdm))
    const pairwise = await cpp.encrypt(js.address, padded)
    const received = unpadRandomMax16(await js.decrypt(cpp.address, pairwise))
    await new GroupSessionBuilder(js.storage).process(jsSenderName(cpp.address),
      new SenderKeyDistributionMessage(null, null, null, null, received))
    const { ciphertext } = await peer.call('signal.group_encrypt',
      { party: cpp.id, group: GROUP, sender: cpp.address.toString(), plaintext: hex(text('after skdm')) })
    const plain = await new GroupCipher(js.storage, jsSenderName(cpp.address)).decrypt(unhex(ciphertext))
    assert.equal(Buffer.from(plain).toString(), 'after skdm')
  })
})

describe('padding', () => {
  test('our padding unpads in Baileys; Baileys padding unpads here', async () => {
    for (let i = 0; i < 40; i++) {
      const data = randomBytes(i * 3)
      const { hex: ours } = await peer.call('signal.pad', { data: hex(data), seed: i + 1 })
      const padded = unhex(ours)
      const pad = padded.length - data.length
      assert.ok(pad >= 1 && pad <= 16)
      assert.deepEqual(Buffer.from(unpadRandomMax16(padded)), data)
      const theirs = writeRandomPadMax16(data)
      assert.equal((await peer.call('signal.unpad', { data: hex(theirs) })).hex, hex(data))
    }
    await assert.rejects(peer.call('signal.unpad', { data: '' }), /DataLoss/)
    await assert.rejects(peer.call('signal.unpad', { data: '616205' }), /DataLoss/)
  })
})
