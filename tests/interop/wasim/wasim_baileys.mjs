// wasim against the real Baileys 7 (baileys@7.0.0-rc14): QR linking, login
// with saved auth, connection replaced, faults, wasim restart with its data
// dir, pairing-code linking, device removal.
// Run by ctest as `wasim_baileys` (WASIM = path of the wasim binary). The file
// name does not match node's test glob on purpose: the baileys_interop test
// runs tests/interop/ and must not start wasim.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import pino from 'pino'
import { STEP_MS, withTimeout, adminClient } from './lib.mjs'
import makeWASocket, { useMultiFileAuthState, DisconnectReason, WA_CERT_DETAILS } from 'baileys'

const WASIM = process.env.WASIM
const PHONE_A = '15550100001'
const PHONE_B = '15550100002'
const logger = pino({ level: process.env.BAILEYS_LOG || 'silent' })
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wasim-baileys-'))

let wasim
let info
// wasim's ports change when it restarts: the client follows `info`.
const admin = (...args) => adminClient(info.adminUrl)(...args)
const stderr = []

async function startWasim() {
  assert.ok(WASIM, 'set WASIM to the wasim binary')
  const child = spawn(WASIM, ['--data', path.join(tmp, 'data'), '--log-level', process.env.WASIM_LOG || 'info'],
    { stdio: ['ignore', 'pipe', 'pipe'] })
  child.stderr.on('data', d => { stderr.push(d.toString()); if (process.env.WASIM_STDERR) process.stderr.write(d) })
  const line = await withTimeout(new Promise((resolve, reject) => {
    readline.createInterface({ input: child.stdout }).once('line', resolve)
    child.once('exit', code => reject(new Error(`wasim exited with ${code}: ${stderr.join('')}`)))
  }), 10_000, 'wasim start')
  return { child, info: JSON.parse(line) }
}



// One Baileys socket and a queue of its connection.update events, so a test
// can wait for "the next update matching X" without racing the emitter.
async function connect(authDir) {
  const { state, saveCreds } = await useMultiFileAuthState(authDir)
  const sock = makeWASocket({ auth: state, waWebSocketUrl: info.wsUrl, logger, markOnlineOnConnect: false,
    // Replaced or removed sockets leave queries pending; 60 s timers would keep node alive.
    defaultQueryTimeoutMs: 5_000,
    // This test is about linking; the messaging test covers wasim's history
    // sync. Without it Baileys' first-login history wait keeps timers alive.
    shouldSyncHistoryMessage: () => false })
  const updates = []
  const waiters = []
  const pendingSaves = []
  sock.ev.on('creds.update', () => { pendingSaves.push(saveCreds()) })
  sock.ev.on('connection.update', u => {
    updates.push(u)
    for (const w of [...waiters]) if (w.match(u)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(u) }
  })
  const next = (match, what) => {
    const seen = updates.find(match)
    if (seen) return Promise.resolve(seen)
    return withTimeout(new Promise(resolve => waiters.push({ match, resolve })), STEP_MS, what)
  }
  const flush = () => Promise.all(pendingSaves)
  return { sock, next, updates, flush }
}

const closeCode = u => u.lastDisconnect?.error?.output?.statusCode
const isClose = code => u => u.connection === 'close' && closeCode(u) === code
const isOpen = u => u.connection === 'open'

after(async () => {
  if (wasim) {
    wasim.kill('SIGTERM')
    await withTimeout(new Promise(r => wasim.once('exit', r)), 5000, 'wasim exit').catch(() => wasim.kill('SIGKILL'))
  }
  fs.rmSync(tmp, { recursive: true, force: true })
  // Ended Baileys sockets leave timers behind (event buffer, history wait,
  // query timeouts) that would keep node alive for another 30 s; the results
  // are reported by then, so leave once the runner has set the exit code.
  setTimeout(() => process.exit(), 500)
})

test('wasim with the real Baileys 7', async t => {
  ({ child: wasim, info } = await startWasim())
  assert.match(info.rootPublicKey, /^[0-9a-f]{64}$/)
  // Baileys trusts WhatsApp's root; point it at wasim's (its check is a
  // no-op in rc14, but the test should not depend on that).
  WA_CERT_DETAILS.PUBLIC_KEY.set(Buffer.from(info.rootPublicKey, 'hex'))
  const got = await admin('GET', '/admin/info')
  assert.equal(got.body.rootPublicKey, info.rootPublicKey)
  assert.equal(got.body.wsUrl, info.wsUrl)

  for (const [phone, name] of [[PHONE_A, 'Alice'], [PHONE_B, 'Bob']]) {
    const res = await admin('POST', '/admin/accounts', { phone, name })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.equal(res.body.jid, `${phone}@s.whatsapp.net`)
    assert.match(res.body.lid, /^\d{15}@lid$/)
  }
  assert.equal((await admin('POST', '/admin/accounts', { phone: '+1555' })).status, 400)

  const authA = path.join(tmp, 'auth-a')
  await t.test('(a) QR link, 515 restart, login', async () => {
    const c1 = await connect(authA)
    const { qr } = await c1.next(u => !!u.qr, 'qr')
    const scan = await admin('POST', `/admin/accounts/${PHONE_A}/scan`, { qr })
    assert.equal(scan.status, 200, JSON.stringify(scan.body))
    assert.equal(scan.body.device, `${PHONE_A}:1@s.whatsapp.net`)
    await c1.next(isClose(DisconnectReason.restartRequired), '515 after pairing')
    await c1.flush()
    const c2 = await connect(authA)
    await c2.next(isOpen, 'open after 515')
    assert.equal(c2.sock.authState.creds.me.id.split(':')[0], PHONE_A)
    assert.match(c2.sock.authState.creds.me.lid, /^\d{15}:1@lid$/)
    const devices = await admin('GET', `/admin/accounts/${PHONE_A}/devices`)
    assert.equal(devices.body.devices.length, 1)
    assert.equal(devices.body.devices[0].connected, true)
    c2.sock.end(undefined)
    await c2.next(u => u.connection === 'close', 'close after end')
    await c2.flush()
  })

  await t.test('(b) login again with the saved auth, no QR', async () => {
    const c = await connect(authA)
    await c.next(isOpen, 'open with saved auth')
    assert.equal(c.updates.some(u => u.qr), false)
    // The same device logs in a second time: the old connection is replaced (440).
    const c2 = await connect(authA)
    await c2.next(isOpen, 'second login open')
    await c.next(isClose(DisconnectReason.connectionReplaced), '440 replaced')
    c2.sock.end(undefined)
    await c2.next(u => u.connection === 'close', 'close after end')
  })

  await t.test('(e) faults: drop, refuse, stream-error, delay, restart', async () => {
    const fault = async body => {
      const res = await admin('POST', '/admin/faults', body)
      assert.equal(res.status, 200, JSON.stringify(res.body))
    }
    let c = await connect(authA)
    await c.next(isOpen, 'open before drop')
    await fault({ action: 'drop' })
    await c.next(isClose(DisconnectReason.connectionClosed), '428 after drop')

    await fault({ action: 'refuse', ms: 60_000 })
    c = await connect(authA)
    const refused = await c.next(u => u.connection === 'close', 'close while refusing')
    assert.notEqual(closeCode(refused), DisconnectReason.restartRequired)
    await fault({ action: 'refuse', ms: 0 })

    c = await connect(authA)
    await c.next(isOpen, 'open after refuse')
    await fault({ action: 'stream-error', code: 503 })
    await c.next(isClose(503), '503 stream error')

    await fault({ action: 'delay', ms: 300 })
    c = await connect(authA)
    const started = Date.now()
    await c.next(isOpen, 'open with delay')
    assert.ok(Date.now() - started >= 300, 'delay applies to outgoing frames')
    await fault({ action: 'delay', ms: 0 })

    await fault({ action: 'restart' })
    await c.next(u => u.connection === 'close', 'close on restart')
    c = await connect(authA)
    await c.next(isOpen, 'open after listener restart')
    c.sock.end(undefined)
    await c.next(u => u.connection === 'close', 'close after end')
    assert.equal((await admin('POST', '/admin/faults', { action: 'explode' })).status, 400)
  })

  await t.test('(f) wasim restart keeps root key, accounts and devices', async () => {
    wasim.kill('SIGTERM')
    await withTimeout(new Promise(r => wasim.once('exit', r)), 5000, 'wasim exit')
    const rootBefore = info.rootPublicKey
    ;({ child: wasim, info } = await startWasim())
    assert.equal(info.rootPublicKey, rootBefore)
    const c = await connect(authA)
    await c.next(isOpen, 'open after wasim restart')
    c.sock.end(undefined)
    await c.next(u => u.connection === 'close', 'close after end')
  })

  const authB = path.join(tmp, 'auth-b')
  await t.test('(c) pairing-code link', async tc => {
    const c1 = await connect(authB)
    await c1.next(u => !!u.qr, 'first qr')
    const code = await c1.sock.requestPairingCode(PHONE_B)
    assert.equal(code.length, 8)
    const wrong = await admin('POST', `/admin/accounts/15550100009/pairing-code`, { code })
    assert.equal(wrong.status, 404)
    const typed = await admin('POST', `/admin/accounts/${PHONE_B}/pairing-code`,
      { code: `${code.slice(0, 4)}-${code.slice(4)}` })
    assert.equal(typed.status, 200, JSON.stringify(typed.body))
    await c1.next(isClose(DisconnectReason.restartRequired), '515 after pairing code')
    await c1.flush()
    const c2 = await connect(authB)
    await c2.next(isOpen, 'open after pairing code')
    assert.match(c2.sock.authState.creds.me.id, new RegExp(`^${PHONE_B}:\\d+@s\\.whatsapp\\.net$`))

    await tc.test('(d) admin DELETE of the device → 401 loggedOut', async () => {
      const devices = await admin('GET', `/admin/accounts/${PHONE_B}/devices`)
      assert.equal(devices.body.devices.length, 1)
      const id = devices.body.devices[0].id
      const del = await admin('DELETE', `/admin/accounts/${PHONE_B}/devices/${id}`)
      assert.equal(del.status, 200, JSON.stringify(del.body))
      await c2.next(isClose(DisconnectReason.loggedOut), '401 after device removal')
      assert.equal((await admin('GET', `/admin/accounts/${PHONE_B}/devices`)).body.devices.length, 0)
      assert.equal((await admin('DELETE', `/admin/accounts/${PHONE_B}/devices/${id}`)).status, 404)
    })
  })

  await t.test('(g) Baileys logout() unlinks its own device', async () => {
    const c = await connect(authA)
    await c.next(isOpen, 'open before logout')
    await c.sock.logout()
    await c.next(isClose(DisconnectReason.loggedOut), '401 after logout')
    // remove-companion-device is sent without waiting; give wasim a moment.
    for (let i = 0; i < 50; i++) {
      if ((await admin('GET', `/admin/accounts/${PHONE_A}/devices`)).body.devices.length === 0) break
      await new Promise(r => setTimeout(r, 100))
    }
    assert.equal((await admin('GET', `/admin/accounts/${PHONE_A}/devices`)).body.devices.length, 0)
  })

  await t.test('scan without a waiting companion → 404', async () => {
    const res = await admin('POST', `/admin/accounts/${PHONE_A}/scan`,
      { qr: 'https://wa.me/settings/linked_devices#2@nope,' + 'A'.repeat(43) + '=,' + 'A'.repeat(43) + '=,' + 'A'.repeat(43) + '=,1' })
    assert.equal(res.status, 404, JSON.stringify(res.body))
  })
})
