// wa/media against Baileys 7.0.0-rc14 (Utils/messages-media.js, messages.js):
// media keys, Baileys-encrypted files decrypted by us (with the hashes its
// messages carry), our encrypted files downloaded and decrypted by Baileys,
// for every media kind, in memory and streamed through files.
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'

import {
  downloadContentFromMessage,
  encryptedStream,
  getMediaKeys,
  hmacSign,
  MEDIA_HKDF_KEY_MAPPING,
  prepareWAMessageMedia,
  proto,
  toBuffer
} from 'baileys'

import { hex, Peer, unhex } from './lib/peer.mjs'

const TYPES = ['image', 'video', 'audio', 'document', 'sticker']
const sha256 = b => createHash('sha256').update(b).digest()

let peer
let dir
let server
let baseUrl
const blobs = new Map()  // path → bytes served to Baileys' downloader

before(async () => {
  peer = new Peer()
  dir = mkdtempSync(join(tmpdir(), 'wagate-media-'))
  server = createServer((req, res) => {
    const blob = blobs.get(req.url)
    if (!blob) {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(blob)
  })
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${server.address().port}`
})
after(() => {
  peer.close()
  server.close()
  rmSync(dir, { recursive: true, force: true })
})

function serve(bytes) {
  const path = `/blob/${randomBytes(8).toString('hex')}`
  blobs.set(path, bytes)
  return baseUrl + path
}

describe('media keys', () => {
  test('equal Baileys getMediaKeys for every media type Baileys knows', async () => {
    for (const type of Object.keys(MEDIA_HKDF_KEY_MAPPING)) {
      const mediaKey = randomBytes(32)
      const theirs = await getMediaKeys(mediaKey, type)
      const ours = await peer.call('media.keys', { media_key: hex(mediaKey), type })
      assert.equal(ours.iv, hex(theirs.iv), type)
      assert.equal(ours.cipher_key, hex(theirs.cipherKey), type)
      assert.equal(ours.mac_key, hex(theirs.macKey), type)
    }
  })
})

describe('Baileys encrypts, we decrypt', () => {
  for (const type of TYPES) {
    test(`${type}: encryptedStream output, hashes checked`, async () => {
      const plain = randomBytes(100_000 + TYPES.indexOf(type) * 7)
      const enc = await encryptedStream(plain, type)
      try {
        const encrypted = readFileSync(enc.encFilePath)
        assert.deepEqual(encrypted.subarray(-10), enc.mac)
        const expect = {
          file_sha256: hex(enc.fileSha256),
          file_enc_sha256: hex(enc.fileEncSha256),
          file_length: enc.fileLength
        }
        for (const chunk of [1000, 4099, 1 << 20]) {
          const out = await peer.call('media.decrypt',
            { media_key: hex(enc.mediaKey), type, encrypted: hex(encrypted), chunk, expect })
          assert.equal(out.hex, hex(plain), `chunk ${chunk}`)
          assert.deepEqual(out.digest, expect)
        }
        // Streamed file to file: temp output renamed only after verification.
        const outPath = join(dir, `${type}-from-baileys`)
        const r = await peer.call('media.decrypt_file',
          { media_key: hex(enc.mediaKey), type, in: enc.encFilePath, out: outPath, chunk: 777, expect })
        assert.deepEqual(r.digest, expect)
        assert.deepEqual(readFileSync(outPath), plain)
        assert.equal(existsSync(outPath + '.part'), false)
      } finally {
        rmSync(enc.encFilePath, { force: true })
      }
    })
  }

  test('a real Baileys media message (prepareWAMessageMedia) decrypts with its own fields', async () => {
    const uploaded = new Map()
    const upload = async (filePath, { fileEncSha256B64, mediaType }) => {
      const bytes = readFileSync(filePath)
      assert.equal(sha256(bytes).toString('base64'), fileEncSha256B64)
      const url = serve(bytes)
      uploaded.set(url, mediaType)
      return { mediaUrl: url, directPath: new URL(url).pathname }
    }
    const inputs = {
      image: { image: randomBytes(5000), jpegThumbnail: Buffer.alloc(8), width: 2, height: 2 },
      video: { video: randomBytes(7000), jpegThumbnail: Buffer.alloc(8), seconds: 3 },
      audio: { audio: randomBytes(3000), seconds: 2, ptt: true, waveform: Buffer.alloc(64) },
      document: { document: randomBytes(9000), mimetype: 'application/pdf', fileName: 'a.pdf' },
      sticker: { sticker: randomBytes(2000) }
    }
    for (const [type, content] of Object.entries(inputs)) {
      const message = await prepareWAMessageMedia(content, { upload })
      // Through the wire format, as a receiver would get it.
      const wire = proto.Message.decode(proto.Message.encode(message).finish())
      const media = wire[`${type}Message`]
      assert.ok(media, type)
      const encrypted = blobs.get(new URL(media.url).pathname)
      const out = await peer.call('media.decrypt', {
        media_key: hex(media.mediaKey),
        type,
        encrypted: hex(encrypted),
        expect: {
          file_sha256: hex(media.fileSha256),
          file_enc_sha256: hex(media.fileEncSha256),
          file_length: Number(media.fileLength)
        }
      })
      assert.equal(out.hex, hex(content[type]), type)
    }
  })

  test('tampered or truncated files are refused and leave no output file', async () => {
    const plain = randomBytes(5000)
    const enc = await encryptedStream(plain, 'document')
    try {
      const encrypted = readFileSync(enc.encFilePath)
      for (const at of [0, 100, encrypted.length - 11, encrypted.length - 1]) {
        const bad = Buffer.from(encrypted)
        bad[at] ^= 1
        await assert.rejects(peer.call('media.decrypt',
          { media_key: hex(enc.mediaKey), type: 'document', encrypted: hex(bad) }),
        /DataLoss: media: mac mismatch/)
        const badPath = join(dir, 'bad.enc')
        writeFileSync(badPath, bad)
        const outPath = join(dir, 'bad.out')
        await assert.rejects(peer.call('media.decrypt_file',
          { media_key: hex(enc.mediaKey), type: 'document', in: badPath, out: outPath }),
        /mac mismatch/)
        assert.equal(existsSync(outPath), false)
        assert.equal(existsSync(outPath + '.part'), false)
      }
      await assert.rejects(peer.call('media.decrypt', {
        media_key: hex(enc.mediaKey), type: 'document', encrypted: hex(encrypted.subarray(0, 9))
      }), /DataLoss/)
      // Right bytes, wrong media type (other HKDF info) → wrong MAC key.
      await assert.rejects(peer.call('media.decrypt',
        { media_key: hex(enc.mediaKey), type: 'image', encrypted: hex(encrypted) }), /mac mismatch/)
      // Hash expectations from a different message.
      await assert.rejects(peer.call('media.decrypt', {
        media_key: hex(enc.mediaKey), type: 'document', encrypted: hex(encrypted),
        expect: { file_sha256: '00'.repeat(32) }
      }), /fileSha256 mismatch/)
    } finally {
      rmSync(enc.encFilePath, { force: true })
    }
  })
})

describe('we encrypt, Baileys decrypts', () => {
  for (const type of TYPES) {
    test(`${type}: downloadContentFromMessage over HTTP, hashes and MAC as Baileys computes them`, async () => {
      const plain = randomBytes(123_457 + TYPES.indexOf(type))
      const mediaKey = randomBytes(32)
      const ours = await peer.call('media.encrypt',
        { media_key: hex(mediaKey), type, plaintext: hex(plain), chunk: 7777 })
      const encrypted = unhex(ours.hex)
      // What Baileys' encryptedStream would have produced for this key.
      const { iv, macKey } = await getMediaKeys(mediaKey, type)
      const ciphertext = encrypted.subarray(0, -10)
      assert.deepEqual(encrypted.subarray(-10),
        hmacSign(Buffer.concat([iv, ciphertext]), macKey).subarray(0, 10))
      assert.equal(ours.digest.file_sha256, hex(sha256(plain)))
      assert.equal(ours.digest.file_enc_sha256, hex(sha256(encrypted)))
      assert.equal(ours.digest.file_length, plain.length)
      // Baileys' downloader: fetch, AES-CBC-decrypt as a stream.
      const stream = await downloadContentFromMessage({ mediaKey, url: serve(encrypted) }, type)
      assert.deepEqual(await toBuffer(stream), plain)
    })
  }
})

describe('large files stream through both sides', () => {
  test('16 MiB: our encrypt_file → Baileys download; Baileys encryptedStream → our decrypt_file', async () => {
    const plain = randomBytes(16 * 1024 * 1024 + 5)
    const plainPath = join(dir, 'big.bin')
    writeFileSync(plainPath, plain)
    const mediaKey = randomBytes(32)
    const encPath = join(dir, 'big.enc')
    const ours = await peer.call('media.encrypt_file',
      { media_key: hex(mediaKey), type: 'video', in: plainPath, out: encPath, chunk: 1 << 16 })
    const encrypted = readFileSync(encPath)
    assert.equal(ours.digest.file_enc_sha256, hex(sha256(encrypted)))
    assert.equal(ours.digest.file_sha256, hex(sha256(plain)))
    const stream = await downloadContentFromMessage({ mediaKey, url: serve(encrypted) }, 'video')
    assert.ok(sha256(await toBuffer(stream)).equals(sha256(plain)))

    const theirs = await encryptedStream(plain, 'document')
    try {
      const outPath = join(dir, 'big.out')
      const r = await peer.call('media.decrypt_file', {
        media_key: hex(theirs.mediaKey), type: 'document', in: theirs.encFilePath, out: outPath,
        expect: { file_sha256: hex(theirs.fileSha256), file_enc_sha256: hex(theirs.fileEncSha256) }
      })
      assert.equal(r.digest.file_length, plain.length)
      assert.ok(sha256(readFileSync(outPath)).equals(sha256(plain)))
    } finally {
      rmSync(theirs.encFilePath, { force: true })
    }
  })
})
