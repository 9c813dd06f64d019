// wagate ↔ the real Baileys 7 through wasim (run by wagate_baileys.mjs, which
// starts wasim + wagate and sets NODE_EXTRA_CA_CERTS to the media host's CA).
// wagate is a companion of A, Baileys a companion of C, B is wasim's
// simulated phone. Baileys is the judge of protocol fidelity.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import crypto from 'node:crypto'
import http from 'node:http'
import path from 'node:path'
import zlib from 'node:zlib'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import pino from 'pino'
import { STEP_MS, sleep, until, adminClient, closeCode, textOf } from './lib.mjs'
import makeWASocket, { useMultiFileAuthState, DisconnectReason, WA_CERT_DETAILS, downloadMediaMessage } from 'baileys'

const here = path.dirname(fileURLToPath(import.meta.url))
const { io } = createRequire(path.join(here, '../../socketio/package.json'))('socket.io-client')

const info = JSON.parse(process.env.WASIM_INFO)
const admin = adminClient(info.adminUrl)
const WAGATE = process.env.WAGATE_URL
const KEY = process.env.WAGATE_TEST_KEY
const tmp = process.env.INTEROP_TMP
const BURST = Number(process.env.INTEROP_BURST || 1000)
const A = '15550100001'  // wagate's account
const B = '15550100002'  // simulated phone
const C = '15550100003'  // Baileys' account
const A_JID = `${A}@s.whatsapp.net`
const B_JID = `${B}@s.whatsapp.net`
const C_JID = `${C}@s.whatsapp.net`
const logger = pino({ level: process.env.BAILEYS_LOG || 'silent' })



async function api(method, route, body, { raw = false, timeout = 60_000 } = {}) {
  const res = await fetch(WAGATE + route, {
    method, headers: { 'x-api-key': KEY, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body && JSON.stringify(body), signal: AbortSignal.timeout(timeout)
  })
  const buf = Buffer.from(await res.arrayBuffer())
  if (raw) return { status: res.status, bytes: buf, headers: res.headers }
  let json
  try { json = JSON.parse(buf.toString()) } catch { json = buf.toString() }
  return { status: res.status, body: json }
}

const messagesOf = async (jid, q = 'limit=500') => {
  const r = await api('GET', `/whatsapp/messages/${jid}?${q}`)
  assert.equal(r.status, 200, JSON.stringify(r.body))
  return r.body.items
}
async function allMessages(jid) {
  const out = []
  let cursor = null
  for (let page = 0; page < 100; page++) {
    const r = await api('GET', `/whatsapp/messages/${jid}?limit=500` + (cursor ? `&before=${encodeURIComponent(cursor)}` : ''))
    assert.equal(r.status, 200, JSON.stringify(r.body))
    out.push(...r.body.items)
    cursor = r.body.nextCursor
    if (!cursor) return out
  }
  throw new Error('too many pages')
}
const findStored = async (jid, id) => (await messagesOf(jid)).find(m => m.id === id)
const receivedAt = async phone => (await admin('GET', `/admin/accounts/${phone}/received`)).body
const localPath = url => new URL(url).pathname

// Media the test owns: a real PNG, an MP4 (ftyp box), a PDF, an OGG page.
function png(w = 64, h = 48) {
  const rows = []
  for (let y = 0; y < h; y++) {
    rows.push(Buffer.from([0]))
    for (let x = 0; x < w; x++) rows.push(Buffer.from([x * 4 % 256, 0, y * 5 % 256]))
  }
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    return c >>> 0
  })
  const crc = b => { let c = 0xffffffff; for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0 }
  const chunk = (kind, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length)
    const body = Buffer.concat([Buffer.from(kind), data])
    const c = Buffer.alloc(4); c.writeUInt32BE(crc(body))
    return Buffer.concat([len, body, c])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 2
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))])
}
const box = (type, body) => { const h = Buffer.alloc(8); h.writeUInt32BE(8 + body.length); h.write(type, 4); return Buffer.concat([h, body]) }
const mp4 = () => Buffer.concat([box('ftyp', Buffer.from('isom\0\0\x02\0isomiso2avc1mp41', 'latin1')),
  box('free', Buffer.alloc(0)), box('mdat', crypto.randomBytes(20000))])
const pdf = () => Buffer.concat([Buffer.from('%PDF-1.4\n'), crypto.randomBytes(15000)])
const ogg = () => Buffer.concat([Buffer.from('OggS\0\x02'), Buffer.alloc(20), Buffer.from('\x01\x1eOpusHead\x01\x01', 'latin1'), crypto.randomBytes(8000)])

const MEDIA = {
  image: { data: png(), mimetype: 'image/png', file: '/photo.png', caption: 'a photo' },
  video: { data: mp4(), mimetype: 'video/mp4', file: '/clip.mp4', caption: 'a clip' },
  document: { data: pdf(), mimetype: 'application/pdf', file: '/notes.pdf', fileName: 'notes.pdf' },
  audio: { data: ogg(), mimetype: 'audio/ogg; codecs=opus', file: '/voice.ogg' }
}

// Loopback HTTP server for wagate's mediaUrl fetches.
const files = http.createServer((req, res) => {
  const m = Object.values(MEDIA).find(m => m.file === req.url)
  if (!m) { res.writeHead(404); res.end(); return }
  res.writeHead(200, { 'content-length': m.data.length })
  res.end(m.data)
})
await new Promise(r => files.listen(0, '127.0.0.1', r))
const fileUrl = p => `http://127.0.0.1:${files.address().port}${p}`

// A Baileys socket plus everything it emitted.
async function connect(authDir) {
  const { state, saveCreds } = await useMultiFileAuthState(authDir)
  const sock = makeWASocket({ auth: state, waWebSocketUrl: info.wsUrl, logger, markOnlineOnConnect: false,
    defaultQueryTimeoutMs: 10_000 })
  const c = { sock, updates: [], messages: [], receipts: [], statusUpdates: [], pendingSaves: [] }
  sock.ev.on('creds.update', () => { c.pendingSaves.push(saveCreds()) })
  sock.ev.on('connection.update', u => c.updates.push(u))
  sock.ws.on('CB:receipt', n => c.receipts.push(n))
  sock.ev.on('messages.upsert', u => { for (const m of u.messages) c.messages.push({ ...m, upsertType: u.type }) })
  sock.ev.on('messages.update', u => c.statusUpdates.push(...u))
  c.next = (match, what) => until(what, () => c.updates.find(match))
  c.flush = () => Promise.all(c.pendingSaves)
  return c
}
const inbound = (c, id) => c.messages.find(m => m.key.id === id && !m.key.fromMe)

let baileys
let socket
const events = { 'new-message': [], 'message-status': [] }
after(async () => {
  try { baileys?.sock.end(undefined) } catch {}
  socket?.close()
  files.close()
  setTimeout(() => process.exit(), 500)
})

test('wagate ↔ Baileys 7 through wasim', { timeout: 540_000 }, async t => {
  WA_CERT_DETAILS.PUBLIC_KEY.set(Buffer.from(info.rootPublicKey, 'hex'))
  for (const [phone, name] of [[A, 'Alice'], [B, 'Bob'], [C, 'Carol']]) {
    assert.equal((await admin('POST', '/admin/accounts', { phone, name })).status, 201)
  }

  await t.test('link wagate (A) and Baileys (C); socket.io-client connects', async () => {
    const r = await api('POST', '/whatsapp/session/connect', undefined, { timeout: 30_000 })
    assert.equal(r.status, 200, JSON.stringify(r.body))
    assert.equal(r.body.status, 'qr-ready')
    const scan = await admin('POST', `/admin/accounts/${A}/scan`, { qr: r.body.qr })
    assert.equal(scan.status, 200, JSON.stringify(scan.body))
    await until('wagate open', async () => (await api('GET', '/whatsapp/session/status')).body.status === 'open', 30_000)

    const authC = path.join(tmp, 'auth-c')
    const c1 = await connect(authC)
    const { qr } = await c1.next(u => !!u.qr, 'qr')
    assert.equal((await admin('POST', `/admin/accounts/${C}/scan`, { qr })).status, 200)
    await c1.next(u => u.connection === 'close' && closeCode(u) === DisconnectReason.restartRequired, '515')
    await c1.flush()
    baileys = await connect(authC)
    await baileys.next(u => u.connection === 'open', 'open')

    socket = io(WAGATE, { auth: { token: KEY }, transports: ['websocket'], reconnection: true })
    for (const e of Object.keys(events)) socket.on(e, p => events[e].push(p))
    await until('socket.io connect', () => socket.connected, 10_000)
  })

  await t.test('wagate → Baileys: text, delivered, read', async () => {
    const r = await api('POST', '/whatsapp/message/send/text', { to: C, text: 'hello Carol from wagate' })
    assert.equal(r.status, 201, JSON.stringify(r.body))
    assert.equal(r.body.jid, C_JID)
    const m = await until('Baileys upsert', () => inbound(baileys, r.body.id))
    assert.equal(textOf(m), 'hello Carol from wagate')
    assert.equal(m.key.fromMe, false)
    // Baileys 7 may address A by LID; the number behind it must be A.
    const from = m.key.remoteJidAlt ?? m.key.remoteJid
    assert.ok([A_JID, '100000000000001@lid'].includes(m.key.remoteJid) && from.startsWith('1'), JSON.stringify(m.key))
    await until('delivered', async () => ['delivered', 'read'].includes((await findStored(C_JID, r.body.id))?.status))
    await baileys.sock.readMessages([m.key])
    await until('read', async () => (await findStored(C_JID, r.body.id))?.status === 'read')
    await until('message-status read event', () => events['message-status'].find(e => e.id === r.body.id && e.status === 'read'))
    assert.ok(events['new-message'].find(e => e.id === r.body.id && e.fromMe), 'new-message for the sent one')
  })

  await t.test('wagate → Baileys: image, video, document, audio; bytes match', async () => {
    for (const [mediaType, m] of Object.entries(MEDIA)) {
      const r = await api('POST', '/whatsapp/message/send/media', {
        to: C, mediaUrl: fileUrl(m.file), mediaType, caption: m.caption, fileName: m.fileName
      })
      assert.equal(r.status, 201, `${mediaType}: ${JSON.stringify(r.body)}`)
      assert.equal(r.body.type, mediaType)
      const got = await until(`${mediaType} upsert`, () => inbound(baileys, r.body.id))
      const content = got.message?.[`${mediaType}Message`]
      assert.ok(content, `${mediaType}: ${JSON.stringify(got.message)}`)
      if (m.caption) assert.equal(content.caption, m.caption)
      if (m.fileName) assert.equal(content.fileName, m.fileName)
      assert.equal(Number(content.fileLength), m.data.length)
      assert.equal(content.mimetype, r.body.mimeType)
      assert.ok(m.mimetype.startsWith(r.body.mimeType.split(';')[0]), `${mediaType} mimeType ${r.body.mimeType}`)
      const bytes = await downloadMediaMessage(got, 'buffer', {})
      assert.ok(bytes.equals(m.data), `${mediaType} bytes at Baileys`)
    }
  })

  await t.test('Baileys → wagate: text; stored under the PN chat; socket.io new-message', async () => {
    const sent = await baileys.sock.sendMessage(A_JID, { text: 'hi wagate, Carol here' })
    const m = await until('stored', () => findStored(C_JID, sent.key.id), STEP_MS,
      async () => JSON.stringify((await api('GET', '/whatsapp/chats')).body).slice(0, 600))
    assert.equal(m.type, 'text')
    assert.equal(m.content, 'hi wagate, Carol here')
    assert.equal(m.fromMe, false)
    assert.equal(m.sender, C_JID)
    assert.equal(m.pushName, 'Carol')
    const ev = await until('new-message event', () => events['new-message'].find(e => e.id === sent.key.id))
    assert.equal(ev.jid, C_JID)
    assert.equal(ev.content, 'hi wagate, Carol here')
    // Baileys gets a delivery receipt from wagate. (Rarely times out under
    // load in CI — not reproduced alone; the progress says what each side saw.)
    await until('Baileys sees delivery', () => baileys.statusUpdates.find(u => u.key.id === sent.key.id && u.update.status >= 3),
      STEP_MS, async () => JSON.stringify({
        updates: baileys.statusUpdates.filter(u => u.key.id === sent.key.id),
        stored: await findStored(C_JID, sent.key.id),
        pendingAtWasim: (await admin('GET', `/admin/accounts/${C}/pending`)).body
      }).slice(0, 1500))
  })

  await t.test('Baileys replies to the LID chat it sees; wagate sends to a LID JID', async () => {
    // Baileys 7 shows wagate's messages under A's LID; a bot replies to m.key.remoteJid.
    const seen = baileys.messages.find(m => !m.key.fromMe && textOf(m) === 'hello Carol from wagate')
    assert.ok(seen)
    const sent = await baileys.sock.sendMessage(seen.key.remoteJid, { text: 'reply to the jid I saw' })
    const m = await until('stored', async () => {
      for (const jid of [C_JID, '100000000000003@lid']) {
        const found = (await messagesOf(jid)).find(m => m.id === sent.key.id)
        if (found) return found
      }
    }, STEP_MS, async () => JSON.stringify((await api('GET', '/whatsapp/chats')).body.map(c => c.jid)))
    assert.equal(m.jid, C_JID, 'a LID that maps to a number is stored under the PN chat')
    assert.equal(m.sender, C_JID)
    const r = await api('POST', '/whatsapp/message/send/text', { to: '100000000000003@lid', text: 'to your LID' })
    assert.equal(r.status, 201, JSON.stringify(r.body))
    const got = await until('Baileys upsert', () => inbound(baileys, r.body.id))
    assert.equal(textOf(got), 'to your LID')
    assert.equal(r.body.jid, C_JID, 'a send to a known LID is stored in the PN chat')
    await until('delivered', async () => ['delivered', 'read'].includes((await findStored(C_JID, r.body.id))?.status))
  })

  await t.test('wagate marks the chat read → Baileys sees its message read', async () => {
    const sent = await baileys.sock.sendMessage(A_JID, { text: 'please read me' })
    await until('stored', () => findStored(C_JID, sent.key.id))
    // Baileys' event buffer merges updates of one message by Object.assign, so
    // a "delivered" whose handling finishes after the "read" (A's phone and
    // wagate both send one) overwrites it. Let the deliveries settle first.
    await until('Baileys sees delivered', () => baileys.statusUpdates.find(u => u.key.id === sent.key.id && u.update.status >= 3))
    await sleep(500)
    const r = await api('POST', `/whatsapp/messages/${C_JID}/read`)
    assert.ok([200, 201].includes(r.status), JSON.stringify(r.body))
    assert.equal(r.body.unreadCount, 0)
    // WAMessageStatus.READ = 4
    await until('Baileys sees read', () => baileys.statusUpdates.find(u => u.key.id === sent.key.id && u.update.status >= 4),
      STEP_MS, () => JSON.stringify(baileys.statusUpdates.filter(u => u.key.id === sent.key.id)))
  })

  await t.test('a client that marks read on new-message: read never overtakes delivered', async () => {
    const reacted = new Set()
    const onNew = m => {
      if (m.fromMe || m.jid !== C_JID || reacted.has(m.id)) return
      reacted.add(m.id)
      api('POST', `/whatsapp/messages/${C_JID}/read`).catch(() => {})
    }
    socket.on('new-message', onNew)
    try {
      const ids = []
      for (let i = 0; i < 10; i++) ids.push((await baileys.sock.sendMessage(A_JID, { text: `quick read ${i}` })).key.id)
      const typesOf = id => baileys.receipts.filter(n => n.attrs.id === id ||
        (Array.isArray(n.content) && n.content[0]?.content?.some?.(i => i.attrs?.id === id))).map(n => n.attrs.type ?? 'delivery')
      for (const id of ids) {
        // A's phone and wagate each deliver; wagate's read comes after both.
        const types = await until(`read of ${id}`, () => { const t = typesOf(id); return t.includes('read') && t })
        assert.deepEqual(types.slice(0, 3), ['delivery', 'delivery', 'read'], `${id}: ${types}`)
      }
    } finally {
      socket.off('new-message', onNew)
    }
  })

  await t.test('Baileys → wagate: image, video, document, audio; media URL serves identical bytes', async () => {
    for (const [mediaType, m] of Object.entries(MEDIA)) {
      const content = { [mediaType]: m.data, mimetype: m.mimetype }
      if (m.caption) content.caption = m.caption
      if (m.fileName) content.fileName = m.fileName
      if (mediaType === 'audio') content.seconds = 3
      const sent = await baileys.sock.sendMessage(A_JID, content)
      const s = await until(`${mediaType} stored`, () => findStored(C_JID, sent.key.id))
      assert.equal(s.type, mediaType)
      if (m.caption) assert.equal(s.caption, m.caption)
      if (m.fileName) assert.equal(s.fileName, m.fileName)
      assert.equal(s.size, m.data.length)
      assert.equal(s.mimeType, m.mimetype)
      const served = await until(`${mediaType} downloaded`, async () => {
        const r = await api('GET', localPath(s.content), undefined, { raw: true })
        return r.status === 200 ? r : null
      })
      assert.ok(served.bytes.equals(m.data), `${mediaType} bytes served by wagate`)
      await until(`${mediaType} new-message`, () => events['new-message'].find(e => e.id === sent.key.id && e.type === mediaType))
    }
  })

  await t.test('group of A, C, B: every member reaches the other two; receipts', async () => {
    const g = await admin('POST', '/admin/groups', { subject: 'Interop', participants: [A, C, B] })
    assert.equal(g.status, 201, JSON.stringify(g.body))
    const gjid = g.body.jid
    // wagate → group
    const w = await api('POST', '/whatsapp/message/send/text', { to: gjid, text: 'group hello from wagate' })
    assert.equal(w.status, 201, JSON.stringify(w.body))
    const atC = await until('Baileys gets wagate group msg', () => inbound(baileys, w.body.id))
    assert.equal(atC.key.remoteJid, gjid)
    assert.equal(textOf(atC), 'group hello from wagate')
    const atB = await until('B gets wagate group msg', async () => (await receivedAt(B)).messages.find(m => m.id === w.body.id))
    assert.equal(atB.text, 'group hello from wagate', atB.error)
    // Baileys → group
    const sent = await baileys.sock.sendMessage(gjid, { text: 'group hello from Baileys' })
    const stored = await until('wagate stores Baileys group msg', () => findStored(gjid, sent.key.id))
    assert.equal(stored.content, 'group hello from Baileys')
    assert.equal(stored.sender, C_JID)
    const atB2 = await until('B gets Baileys group msg', async () => (await receivedAt(B)).messages.find(m => m.id === sent.key.id))
    assert.equal(atB2.text, 'group hello from Baileys', atB2.error)
    // phone B → group
    const fromB = await admin('POST', `/admin/accounts/${B}/send`, { to: gjid, text: 'group hello from B' })
    assert.equal(fromB.status, 200, JSON.stringify(fromB.body))
    const s2 = await until('wagate stores B group msg', () => findStored(gjid, fromB.body.id))
    assert.equal(s2.content, 'group hello from B')
    assert.equal(s2.sender, B_JID)
    const atC2 = await until('Baileys gets B group msg', () => inbound(baileys, fromB.body.id))
    assert.equal(textOf(atC2), 'group hello from B')
    // Media in the group, both ways.
    const img = MEDIA.image
    const gm = await api('POST', '/whatsapp/message/send/media', { to: gjid, mediaUrl: fileUrl(img.file), mediaType: 'image', caption: 'group pic' })
    assert.equal(gm.status, 201, JSON.stringify(gm.body))
    const gmAtC = await until('Baileys gets group image', () => inbound(baileys, gm.body.id))
    assert.ok((await downloadMediaMessage(gmAtC, 'buffer', {})).equals(img.data), 'group image bytes at Baileys')
    const gmAtB = await until('B gets group image', async () => (await receivedAt(B)).messages.find(m => m.id === gm.body.id))
    assert.ok(Buffer.from(gmAtB.data ?? '', 'base64').equals(img.data), 'group image bytes at B: ' + (gmAtB.error || ''))
    const doc = MEDIA.document
    const bm = await baileys.sock.sendMessage(gjid, { document: doc.data, mimetype: doc.mimetype, fileName: 'g.pdf' })
    const bmStored = await until('wagate stores group document', () => findStored(gjid, bm.key.id))
    assert.equal(bmStored.type, 'document')
    assert.equal(bmStored.sender, C_JID)
    const served = await until('group document downloaded', async () => {
      const r = await api('GET', localPath(bmStored.content), undefined, { raw: true })
      return r.status === 200 ? r : null
    })
    assert.ok(served.bytes.equals(doc.data), 'group document bytes at wagate')
    // Baileys reads wagate's group message → read at wagate.
    await baileys.sock.readMessages([atC.key])
    await until('group msg read', async () => (await findStored(gjid, w.body.id))?.status === 'read')
    // B is removed: wagate replaces its sender key. Baileys takes the new one
    // (a second key id from the same sender); B's phone, still handed the
    // group's skmsg (eavesdrop), cannot read it.
    const rm = await admin('POST', `/admin/groups/${gjid}/participants`, { remove: [B], eavesdrop: true })
    assert.equal(rm.status, 200, JSON.stringify(rm.body))
    await until('wagate acks the w:gp2 remove', async () =>
      Object.values((await admin('GET', `/admin/accounts/${A}/pending`)).body.pending).every(n => n === 0))
    const w2 = await api('POST', '/whatsapp/message/send/text', { to: gjid, text: 'after B left' })
    assert.equal(w2.status, 201, JSON.stringify(w2.body))
    const atC3 = await until('Baileys reads wagate after the rotation', () => inbound(baileys, w2.body.id))
    assert.equal(textOf(atC3), 'after B left')
    const atB3 = await until("B's captured copy", async () => (await receivedAt(B)).messages.find(m => m.id === w2.body.id))
    assert.ok(atB3.error && !atB3.text, JSON.stringify(atB3))
  })

  await t.test(`burst of ${BURST} wagate → Baileys: none lost, none duplicated, in order`, async () => {
    const ids = []
    const t0 = Date.now()
    for (let i = 0; i < BURST; i++) {
      const r = await api('POST', '/whatsapp/message/send/text', { to: C, text: `w-burst ${i}` })
      assert.equal(r.status, 201, JSON.stringify(r.body))
      ids.push(r.body.id)
    }
    const set = new Set(ids)
    const got = () => baileys.messages.filter(m => set.has(m.key.id))
    await until(`all ${BURST} at Baileys`, () => got().length >= BURST, 120_000, () => got().length)
    await sleep(500)
    assert.equal(got().length, BURST, 'no duplicates')
    assert.deepEqual(got().map(m => m.key.id), ids)
    assert.deepEqual(got().map(textOf), ids.map((_, i) => `w-burst ${i}`))
    t.diagnostic(`wagate → Baileys burst: ${Date.now() - t0} ms`)
  })

  await t.test(`burst of ${BURST} Baileys → wagate: none lost, none duplicated, in order`, async () => {
    const ids = []
    const t0 = Date.now()
    for (let i = 0; i < BURST; i++) {
      ids.push((await baileys.sock.sendMessage(A_JID, { text: `b-burst ${i}` })).key.id)
    }
    const set = new Set(ids)
    const stored = async () => (await allMessages(C_JID)).filter(m => set.has(m.id))
    await until(`all ${BURST} at wagate`, async () => (await stored()).length >= BURST, 120_000,
      async () => (await stored()).length)
    const items = (await stored()).reverse()
    assert.equal(items.length, BURST)
    assert.equal(new Set(items.map(m => m.id)).size, BURST, 'no duplicates')
    assert.deepEqual(items.map(m => m.content), ids.map((_, i) => `b-burst ${i}`))
    assert.deepEqual(items.map(m => m.id), ids)
    const evs = events['new-message'].filter(e => set.has(e.id))
    assert.equal(evs.length, BURST, 'one new-message per message')
    t.diagnostic(`Baileys → wagate burst: ${Date.now() - t0} ms`)
  })

  await t.test('200 concurrent sends (8 in flight) wagate → Baileys: Baileys sees wagate\'s stored order', async () => {
    const N = 200
    const texts = Array.from({ length: N }, (_, i) => `c-burst ${i}`)
    let next = 0
    const ids = new Set()
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (next < N) {
        const text = texts[next++]
        const r = await api('POST', '/whatsapp/message/send/text', { to: C, text })
        assert.equal(r.status, 201, JSON.stringify(r.body))
        ids.add(r.body.id)
      }
    }))
    const got = () => baileys.messages.filter(m => ids.has(m.key.id))
    await until(`all ${N} at Baileys`, () => got().length >= N, 60_000, () => got().length)
    const stored = (await allMessages(C_JID)).filter(m => ids.has(m.id)).reverse()
    assert.equal(stored.length, N)
    assert.equal(got().length, N)
    assert.deepEqual(got().map(m => m.key.id), stored.map(m => m.id), 'Baileys order = wagate order')
    const evs = events['new-message'].filter(e => ids.has(e.id))
    assert.deepEqual(evs.map(e => e.id), stored.map(m => m.id), 'new-message order = wagate order')
  })

  await t.test('nothing undecryptable on either side; no duplicate upserts', async () => {
    const stubs = baileys.messages.filter(m => m.messageStubType === 2)  // CIPHERTEXT: could not decrypt
    assert.deepEqual(stubs.map(m => [m.key.id, m.messageStubType, m.messageStubParameters]), [])
    const ids = baileys.messages.map(m => m.key.id)
    assert.equal(new Set(ids).size, ids.length, 'each message upserted once')
    const late = baileys.messages.filter(m => !m.key.fromMe && !m.messageStubType && m.upsertType !== 'notify')
    assert.deepEqual(late.map(m => [m.key.id, m.upsertType]), [])
    for (const jid of [C_JID]) {
      const bad = (await allMessages(jid)).filter(m => ['undecryptable', 'unknown'].includes(m.type))
      assert.deepEqual(bad, [])
    }
    const chats = (await api('GET', '/whatsapp/chats?limit=100')).body
    t.diagnostic('wagate chats: ' + JSON.stringify(chats.map(c => [c.jid, c.isGroup])))
    assert.ok(!chats.some(c => c.jid.endsWith('@lid')), 'no LID chat next to the PN chat')
  })
})
