// wagate's Socket.IO gateway against the real socket.io-client 4.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { io } from 'socket.io-client';

import { KEY, once, removeDir, sleep, startServer, tempDir, until } from './helpers.mjs';

const opts = (extra = {}) => ({ forceNew: true, reconnection: false, auth: { token: KEY }, ...extra });

describe('socket.io-client 4 against wagate', () => {
  let dir;
  let server;
  before(async () => {
    dir = tempDir();
    server = await startServer({ dir });
  });
  after(async () => {
    await server?.stop();
    removeDir(dir);
  });

  test('default transport: polling, then the upgrade to websocket', async () => {
    const socket = io(server.url, opts());
    let first;
    socket.io.on('open', () => { first = socket.io.engine.transport.name; });
    await once(socket, 'connect');
    assert.equal(first, 'polling');
    await until(() => socket.io.engine.transport.name === 'websocket', 5000, 'upgrade');
    const got = once(socket, 'new-message');
    const seq = await server.publish('new-message', { id: '3EB0A1', jid: '15550100101@s.whatsapp.net', text: 'hi' });
    const msg = await got;
    assert.deepEqual(msg, { id: '3EB0A1', jid: '15550100101@s.whatsapp.net', text: 'hi', seq });
    socket.close();
  });

  test('websocket only', async () => {
    const socket = io(server.url, opts({ transports: ['websocket'] }));
    await once(socket, 'connect');
    assert.equal(socket.io.engine.transport.name, 'websocket');
    const got = once(socket, 'message-status');
    const seq = await server.publish('message-status', { id: 'X', jid: 'j', status: 'read' });
    assert.deepEqual(await got, { id: 'X', jid: 'j', status: 'read', seq });
    socket.close();
  });

  test('polling only, events in order', async () => {
    const socket = io(server.url, opts({ transports: ['polling'] }));
    await once(socket, 'connect');
    const seen = [];
    socket.on('chat-update', (chat) => seen.push(chat.seq));
    const seqs = [];
    for (let i = 0; i < 20; i++) seqs.push(await server.publish('chat-update', { jid: `c${i}` }));
    await until(() => seen.length === 20, 5000, '20 events');
    assert.deepEqual(seen, seqs);
    assert.equal(socket.io.engine.transport.name, 'polling');
    socket.close();
  });

  test('all four event names arrive', async () => {
    const socket = io(server.url, opts({ transports: ['websocket'] }));
    await once(socket, 'connect');
    const names = ['new-message', 'message-status', 'chat-update', 'connection-update'];
    const got = names.map((n) => once(socket, n));
    for (const n of names) await server.publish(n, { kind: n });
    const payloads = await Promise.all(got);
    payloads.forEach((p, i) => assert.equal(p.kind, names[i]));
    socket.close();
  });

  test('bad token: CONNECT_ERROR Unauthorized and no events', async () => {
    const socket = io(server.url, opts({ auth: { token: 'wrong' } }));
    let leaked = 0;
    socket.on('new-message', () => { leaked++; });
    const err = await once(socket, 'connect_error');
    assert.equal(err.message, 'Unauthorized');
    assert.equal(socket.connected, false);
    await server.publish('new-message', { id: 'secret' });
    await sleep(300);
    assert.equal(leaked, 0);
    socket.close();
  });

  test('no token: CONNECT_ERROR Unauthorized', async () => {
    for (const transports of [['polling'], ['websocket']]) {
      const socket = io(server.url, { forceNew: true, reconnection: false, transports });
      const err = await once(socket, 'connect_error');
      assert.equal(err.message, 'Unauthorized');
      socket.close();
    }
  });

  test('the x-api-key header and the token query parameter are credentials too', async () => {
    const viaHeader = io(server.url, { forceNew: true, reconnection: false, transports: ['polling'],
      extraHeaders: { 'x-api-key': KEY } });
    await once(viaHeader, 'connect');
    viaHeader.close();
    const viaQuery = io(server.url, { forceNew: true, reconnection: false, query: { token: KEY } });
    await once(viaQuery, 'connect');
    viaQuery.close();
  });

  test('another namespace is refused', async () => {
    const socket = io(`${server.url}/admin`, opts());
    const err = await once(socket, 'connect_error');
    assert.equal(err.message, 'Invalid namespace');
    socket.close();
  });

  test('ack round trip and binary echo', async () => {
    for (const transports of [['polling'], ['websocket']]) {
      const socket = io(server.url, opts({ transports }));
      await once(socket, 'connect');
      const lastSeq = await server.publish('connection-update', { status: 'open' });
      const pong = await socket.timeout(5000).emitWithAck('ping');
      assert.deepEqual(pong, { pong: true, seq: lastSeq });
      const bytes = Buffer.from([0, 1, 2, 250, 255]);
      const echo = await socket.timeout(5000).emitWithAck('echo', { file: bytes, n: 1, s: 'x' });
      assert.equal(echo.s, 'x');
      assert.equal(echo.n, 1);
      assert.deepEqual(Buffer.from(echo.file), bytes);
      socket.close();
    }
  });

  test('1,000 concurrent clients all receive a broadcast', async () => {
    const n = 1000;
    const sockets = [];
    const started = Date.now();
    for (let i = 0; i < n; i += 100) {
      const batch = [];
      for (let j = i; j < i + 100; j++) {
        const s = io(server.url, opts({ transports: ['websocket'] }));
        sockets.push(s);
        batch.push(once(s, 'connect', 20000));
      }
      await Promise.all(batch);
    }
    const connected = Date.now();
    const got = sockets.map((s) => once(s, 'new-message', 20000));
    const seq = await server.publish('new-message', { id: 'broadcast' });
    const all = await Promise.all(got);
    const delivered = Date.now();
    assert.equal(all.length, n);
    for (const m of all) assert.equal(m.seq, seq);
    for (const s of sockets) s.close();
    console.log(`# ${n} clients: connected in ${connected - started} ms, broadcast delivered to all in ${delivered - connected} ms`);
    assert.ok(delivered - started < 60000);
  });
});

describe('across server restarts (SQLite)', () => {
  let dir;
  before(() => { dir = tempDir(); });
  after(() => removeDir(dir));

  test('the client reconnects by itself after a restart', async () => {
    let server = await startServer({ dir });
    const port = server.port;
    const socket = io(server.url, { forceNew: true, auth: { token: KEY }, transports: ['websocket'],
      reconnectionDelay: 100, reconnectionDelayMax: 500 });
    await once(socket, 'connect');
    const disconnected = once(socket, 'disconnect');
    await server.stop();
    await disconnected;
    server = await startServer({ dir, port });
    await once(socket, 'connect', 10000);
    const got = once(socket, 'new-message');
    const seq = await server.publish('new-message', { id: 'after-restart' });
    assert.equal((await got).seq, seq);
    socket.close();
    await server.stop();
  });

  test('replay with since: stored events in order, then live, no gap, no duplicate', async () => {
    let server = await startServer({ dir });
    const port = server.port;
    // A first session sees some events and remembers the last seq.
    const first = io(server.url, opts({ transports: ['websocket'] }));
    await once(first, 'connect');
    let last = 0;
    first.on('new-message', (m) => { last = m.seq; });
    const s1 = await server.publish('new-message', { id: 'one' });
    await until(() => last === s1, 5000, 'first event');
    first.close();
    await server.stop();

    // Restart; events arrive while the client is away.
    server = await startServer({ dir, port });
    const missed = [];
    for (let i = 0; i < 5; i++) missed.push(await server.publish('new-message', { id: `missed-${i}` }));
    assert.ok(missed[0] > s1, 'seq keeps growing across the restart');

    // Reconnect with since: the missed events first, then live ones, while
    // a publisher keeps going during the replay.
    const seen = [];
    const second = io(server.url, opts({ transports: ['websocket'], auth: { token: KEY, since: last } }));
    second.on('new-message', (m) => seen.push(m.seq));
    const live = [];
    const publishing = (async () => {
      for (let i = 0; i < 30; i++) live.push(await server.publish('new-message', { id: `live-${i}` }));
    })();
    await once(second, 'connect');
    await publishing;
    const expected = [...missed, ...live];
    await until(() => seen.length >= expected.length, 5000, 'replay + live');
    await sleep(100);
    assert.deepEqual(seen, expected);
    assert.equal(seen[0], last + 1);
    second.close();
    await server.stop();
  });
});
