// Messaging through wasim with the real Baileys 7 (run by
// wasim_baileys_messages.mjs, which starts wasim and sets NODE_EXTRA_CA_CERTS
// to the media host's CA). Baileys is linked to account A; the simulated
// phone of account B talks to it through the admin API.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import crypto from 'node:crypto'
import path from 'node:path'
import pino from 'pino'
import { until, adminClient, closeCode, textOf } from './lib.mjs'
import makeWASocket, { useMultiFileAuthState, DisconnectReason, WA_CERT_DETAILS, downloadMediaMessage } from 'baileys'

const info = JSON.parse(process.env.WASIM_INFO)
const admin = adminClient(info.adminUrl)
// libsignal (inside Baileys) prints every session it closes; keep the report readable.
// (and every failed decryption of a redelivered duplicate).
for (const level of ['info', 'log', 'warn', 'error']) {
  const original = console[level]
  console[level] = (...args) => {
    const first = String(args[0])
    if (!first.startsWith('Closing') && !first.startsWith('Session error')) original(...args)
  }
}
const tmp = process.env.WASIM_TMP
const PHONE_A = '15550100001'
const PHONE_B = '15550100002'
const PHONE_C = '15550100003'
const logger = pino({ level: process.env.BAILEYS_LOG || 'silent' })




// A Baileys socket plus everything it emitted.
async function connect(authDir) {
  const { state, saveCreds } = await useMultiFileAuthState(authDir)
  const sock = makeWASocket({ auth: state, waWebSocketUrl: info.wsUrl, logger, markOnlineOnConnect: false,
    defaultQueryTimeoutMs: 10_000 })
  const c = { sock, updates: [], messages: [], history: [], receipts: [], pendingSaves: [] }
  sock.ev.on('creds.update', () => { c.pendingSaves.push(saveCreds()) })
  sock.ev.on('connection.update', u => c.updates.push(u))
  sock.ev.on('messages.upsert', u => { for (const m of u.messages) c.messages.push({ ...m, upsertType: u.type }) })
  sock.ev.on('messaging-history.set', u => c.history.push(u))
  sock.ev.on('messages.update', u => c.receipts.push(...u))
  c.next = (match, what) => until(what, () => c.updates.find(match))
  c.flush = () => Promise.all(c.pendingSaves)
  return c
}
const isOpen = u => u.connection === 'open'

async function received(phone) { return (await admin('GET', `/admin/accounts/${phone}/received`)).body }

after(() => { setTimeout(() => process.exit(), 500) })

test('messages through wasim with the real Baileys 7', async t => {
  WA_CERT_DETAILS.PUBLIC_KEY.set(Buffer.from(info.rootPublicKey, 'hex'))
  const got = await admin('GET', '/admin/info')
  assert.match(got.body.mediaCaPem, /BEGIN CERTIFICATE/)
  assert.match(got.body.mediaUrl, /^https:\/\/127\.0\.0\.1:\d+$/)
  for (const [phone, name] of [[PHONE_A, 'Alice'], [PHONE_B, 'Bob'], [PHONE_C, 'Carol']]) {
    assert.equal((await admin('POST', '/admin/accounts', { phone, name })).status, 201)
  }
  const authA = path.join(tmp, 'auth-a')
  let c
  await t.test('link A; first login gets the inline history sync', async () => {
    const c1 = await connect(authA)
    const { qr } = await c1.next(u => !!u.qr, 'qr')
    assert.equal((await admin('POST', `/admin/accounts/${PHONE_A}/scan`, { qr })).status, 200)
    await c1.next(u => u.connection === 'close' && closeCode(u) === DisconnectReason.restartRequired, '515')
    await c1.flush()
    c = await connect(authA)
    await c.next(isOpen, 'open')
    await until('history sync', () => c.history.length > 0)
    assert.equal(c.history[0].syncType, 0)  // INITIAL_BOOTSTRAP
  })

  await t.test('phone B → Baileys text', async () => {
    const sent = await admin('POST', `/admin/accounts/${PHONE_B}/send`, { to: PHONE_A, text: 'hello from B' })
    assert.equal(sent.status, 200, JSON.stringify(sent.body))
    const m = await until('upsert', () => c.messages.find(m => m.key.id === sent.body.id))
    assert.equal(textOf(m), 'hello from B')
    assert.equal(m.key.fromMe, false)
    // Baileys' receipt acknowledges it: nothing stays pending for A:1.
    await until('pending drained', async () =>
      (await admin('GET', `/admin/accounts/${PHONE_A}/pending`)).body.pending[`${PHONE_A}:1@s.whatsapp.net`] === 0)
  })

  await t.test('retry: Baileys cannot decrypt B → retry receipt → B resends', async () => {
    const sent = await admin('POST', `/admin/accounts/${PHONE_B}/send`, { to: PHONE_A, text: 'second try', corrupt: true })
    assert.equal(sent.status, 200, JSON.stringify(sent.body))
    const m = await until('resent message decrypted', () => c.messages.find(m => m.key.id === sent.body.id && textOf(m) === 'second try'))
    assert.equal(m.key.fromMe, false)
    const receipts = (await received(PHONE_B)).receipts
    assert.ok(receipts.find(r => r.id === sent.body.id && r.type === 'retry'), JSON.stringify(receipts))
  })

  let fromB
  await t.test('Baileys → phone B text, delivery receipt back', async () => {
    const msg = await c.sock.sendMessage(`${PHONE_B}@s.whatsapp.net`, { text: 'hi B, from Baileys' })
    const r = await until('B received', async () => (await received(PHONE_B)).messages.find(m => m.id === msg.key.id))
    assert.equal(r.text, 'hi B, from Baileys')
    assert.equal(r.from, `${PHONE_A}@s.whatsapp.net`)
    assert.equal(r.fromMe, false)
    // A's own phone got it as device-sent.
    const own = await until('A phone DSM', async () => (await received(PHONE_A)).messages.find(m => m.id === msg.key.id))
    assert.equal(own.fromMe, true)
    assert.equal(own.chat, `${PHONE_B}@s.whatsapp.net`)
    fromB = msg
    // B's phone answered with a delivery receipt: status DELIVERY_ACK (3).
    // (Baileys' event buffer may fold the update into the upsert of its own message.)
    await until('delivery receipt at Baileys', () =>
      c.receipts.find(u => u.key.id === msg.key.id && u.update.status >= 3) ||
      c.messages.find(m => m.key.id === msg.key.id && m.status >= 3))
  })

  await t.test('media both ways (image + document)', async () => {
    const image = crypto.randomBytes(3000)
    const doc = Buffer.from('%PDF-1.4 wasim document ' + 'x'.repeat(5000))
    for (const [mediaType, data, extra] of [['image', image, { caption: 'a picture' }],
      ['document', doc, { fileName: 'w.pdf', mimetype: 'application/pdf' }]]) {
      const sent = await admin('POST', `/admin/accounts/${PHONE_B}/send`,
        { to: PHONE_A, mediaType, data: data.toString('base64'), ...extra })
      assert.equal(sent.status, 200, JSON.stringify(sent.body))
      const m = await until(`${mediaType} upsert`, () => c.messages.find(m => m.key.id === sent.body.id))
      assert.ok(m.message[`${mediaType}Message`], JSON.stringify(m.message))
      assert.match(m.message[`${mediaType}Message`].url, /^https:\/\/127\.0\.0\.1:/)
      const bytes = await downloadMediaMessage(m, 'buffer', {})
      assert.ok(bytes.equals(data), `${mediaType} bytes match`)
    }
    const sentImage = await c.sock.sendMessage(`${PHONE_B}@s.whatsapp.net`, { image, caption: 'from baileys' })
    const sentDoc = await c.sock.sendMessage(`${PHONE_B}@s.whatsapp.net`,
      { document: doc, mimetype: 'application/pdf', fileName: 'b.pdf' })
    const ri = await until('B image', async () => (await received(PHONE_B)).messages.find(m => m.id === sentImage.key.id))
    assert.equal(ri.type, 'image')
    assert.equal(ri.caption, 'from baileys')
    assert.ok(Buffer.from(ri.data, 'base64').equals(image), 'image bytes at B: ' + (ri.error || ''))
    const rd = await until('B doc', async () => (await received(PHONE_B)).messages.find(m => m.id === sentDoc.key.id))
    assert.equal(rd.type, 'document')
    assert.equal(rd.fileName, 'b.pdf')
    assert.ok(Buffer.from(rd.data, 'base64').equals(doc), 'document bytes at B: ' + (rd.error || ''))
  })

  await t.test('read receipt from Baileys reaches B', async () => {
    const sent = await admin('POST', `/admin/accounts/${PHONE_B}/send`, { to: PHONE_A, text: 'read me' })
    const m = await until('upsert', () => c.messages.find(m => m.key.id === sent.body.id))
    await c.sock.readMessages([m.key])
    await until('read receipt at B', async () =>
      (await received(PHONE_B)).receipts.find(r => r.id === sent.body.id && r.type === 'read'))
    // Delivery receipt from B's phone for Baileys' message.
    assert.ok(fromB)
  })

  await t.test('group: create, messages both ways', async () => {
    const g = await admin('POST', '/admin/groups', { subject: 'Sim group', participants: [PHONE_B, PHONE_A] })
    assert.equal(g.status, 201, JSON.stringify(g.body))
    assert.match(g.body.jid, /^120363\d{12}@g\.us$/)
    const meta = await c.sock.groupMetadata(g.body.jid)
    assert.equal(meta.subject, 'Sim group')
    assert.equal(meta.participants.length, 2)
    const all = await c.sock.groupFetchAllParticipating()
    assert.equal(all[g.body.jid]?.subject, 'Sim group')
    const mine = await c.sock.sendMessage(g.body.jid, { text: 'hello group' })
    const r = await until('B group msg', async () => (await received(PHONE_B)).messages.find(m => m.id === mine.key.id))
    assert.equal(r.text, 'hello group')
    assert.equal(r.chat, g.body.jid)
    const mine2 = await c.sock.sendMessage(g.body.jid, { text: 'hello group again' })
    const r2 = await until('B group msg 2', async () => (await received(PHONE_B)).messages.find(m => m.id === mine2.key.id))
    assert.equal(r2.text, 'hello group again', r2.error)
    for (const text of ['B in group', 'B in group again']) {
      const sent = await admin('POST', `/admin/accounts/${PHONE_B}/send`, { to: g.body.jid, text })
      assert.equal(sent.status, 200, JSON.stringify(sent.body))
      const m = await until('group upsert', () => c.messages.find(m => m.key.id === sent.body.id))
      assert.equal(m.key.remoteJid, g.body.jid)
      assert.equal(textOf(m), text)
    }
  })

  await t.test('group membership: add C, remove C', async () => {
    const g = (await admin('GET', '/admin/groups')).body.groups[0]
    const updates = []
    c.sock.ev.on('group-participants.update', u => updates.push(u))
    const added = await admin('POST', `/admin/groups/${g.jid}/participants`, { add: [PHONE_C] })
    assert.equal(added.status, 200, JSON.stringify(added.body))
    assert.deepEqual(added.body.participants, [PHONE_B, PHONE_A, PHONE_C])
    await until('add notification', () => updates.find(u => u.action === 'add'))
    const m1 = await c.sock.sendMessage(g.jid, { text: 'welcome C' })
    const r1 = await until('C got it', async () => (await received(PHONE_C)).messages.find(m => m.id === m1.key.id))
    assert.equal(r1.text, 'welcome C', r1.error)
    const removed = await admin('POST', `/admin/groups/${g.jid}/participants`, { remove: [PHONE_C] })
    assert.equal(removed.status, 200, JSON.stringify(removed.body))
    await until('remove notification', () => updates.find(u => u.action === 'remove'))
    const m2 = await c.sock.sendMessage(g.jid, { text: 'C is gone' })
    await until('B got it', async () => (await received(PHONE_B)).messages.find(m => m.id === m2.key.id))
    assert.equal((await received(PHONE_C)).messages.find(m => m.id === m2.key.id), undefined)
    // B's phone rotated its sender key: Baileys still reads B.
    const sent = await admin('POST', `/admin/accounts/${PHONE_B}/send`, { to: g.jid, text: 'after removal' })
    const m3 = await until('group upsert after removal', () => c.messages.find(m => m.key.id === sent.body.id))
    assert.equal(textOf(m3), 'after removal')
    assert.equal((await admin('POST', `/admin/groups/${g.jid}/participants`, { remove: [PHONE_A, PHONE_B] })).status, 400)
  })

  await t.test('groups made by Baileys: create, subject, add, leave', async () => {
    const meta = await c.sock.groupCreate('Made by Baileys', [`${PHONE_B}@s.whatsapp.net`])
    assert.match(meta.id, /^120363\d{12}@g\.us$/)
    assert.equal(meta.participants.length, 2)
    const sent = await admin('POST', `/admin/accounts/${PHONE_B}/send`, { to: meta.id, text: 'in your group' })
    assert.equal(sent.status, 200, JSON.stringify(sent.body))
    await until('upsert in new group', () => c.messages.find(m => m.key.id === sent.body.id))
    await c.sock.groupUpdateSubject(meta.id, 'Renamed')
    const added = await c.sock.groupParticipantsUpdate(meta.id, [`${PHONE_C}@s.whatsapp.net`], 'add')
    assert.equal(added[0].status, '200')
    const groups = (await admin('GET', '/admin/groups')).body.groups
    const g = groups.find(x => x.jid === meta.id)
    assert.equal(g.subject, 'Renamed')
    assert.deepEqual(g.participants, [PHONE_A, PHONE_B, PHONE_C])
    await c.sock.groupLeave(meta.id)
    const after = (await admin('GET', '/admin/groups')).body.groups.find(x => x.jid === meta.id)
    assert.deepEqual(after.participants, [PHONE_B, PHONE_C])
  })

  await t.test('Baileys offline while B sends → delivered at next login', async () => {
    c.sock.end(undefined)
    await c.next(u => u.connection === 'close', 'close')
    await c.flush()
    const ids = []
    for (let i = 0; i < 3; i++) {
      ids.push((await admin('POST', `/admin/accounts/${PHONE_B}/send`, { to: PHONE_A, text: `offline ${i}` })).body.id)
    }
    c = await connect(authA)
    await c.next(isOpen, 'open again')
    for (let i = 0; i < 3; i++) {
      const m = await until(`offline ${i}`, () => c.messages.find(m => m.key.id === ids[i]))
      assert.equal(textOf(m), `offline ${i}`)
    }
  })

  await t.test('burst of 200 B → Baileys: none lost or duplicated, in order', async () => {
    const ids = []
    for (let i = 0; i < 200; i++) {
      const res = await admin('POST', `/admin/accounts/${PHONE_B}/send`, { to: PHONE_A, text: `burst ${i}` })
      assert.equal(res.status, 200, JSON.stringify(res.body))
      ids.push(res.body.id)
    }
    const set = new Set(ids)
    await until('all 200', () => c.messages.filter(m => set.has(m.key.id)).length >= 200, 60_000)
    const got = c.messages.filter(m => set.has(m.key.id))
    assert.equal(got.length, 200)
    assert.deepEqual(got.map(m => m.key.id), ids)
    assert.deepEqual(got.map(textOf), ids.map((_, i) => `burst ${i}`))
    // Every stanza was acknowledged by a receipt or an ack: nothing left to redeliver.
    await until('pending drained', async () =>
      (await admin('GET', `/admin/accounts/${PHONE_A}/pending`)).body.pending[`${PHONE_A}:1@s.whatsapp.net`] === 0)
  })

  await t.test('connection dropped mid-burst: every message arrives after the next login', async () => {
    const ids = []
    for (let i = 0; i < 100; i++) {
      if (i === 50) assert.equal((await admin('POST', '/admin/faults', { action: 'drop' })).status, 200)
      ids.push((await admin('POST', `/admin/accounts/${PHONE_B}/send`, { to: PHONE_A, text: `drop ${i}` })).body.id)
    }
    await c.next(u => u.connection === 'close', 'close after drop')
    await c.flush()
    const before = c.messages
    c = await connect(authA)
    await c.next(isOpen, 'open after drop')
    await until('all 100 after drop', () => ids.every(id => [...before, ...c.messages].some(m => m.key.id === id && textOf(m))), 30_000)
    const pending = await until('pending drained after drop', async () => {
      const p = (await admin('GET', `/admin/accounts/${PHONE_A}/pending`)).body.pending[`${PHONE_A}:1@s.whatsapp.net`]
      return p === 0 ? 'drained' : undefined
    })
    assert.equal(pending, 'drained')
    c.sock.end(undefined)
  })
})
