// wa/proto against Baileys 7.0.0-rc14's WAProto:
//  1. schema: every field of our .proto subset has WAProto's number, type,
//     label, presence and (JSON) name; every enum value exists there;
//  2. bytes: messages built and encoded by Baileys' `proto` decode in our
//     generated code to the same JSON Baileys' toJSON() gives, re-encode to
//     the same bytes, and our encoding of that JSON decodes in Baileys again.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, describe, test } from 'node:test'

import { generateWAMessageContent, generateWAMessageFromContent, proto } from 'baileys'
import protobuf from 'protobufjs'

import { hex, Peer, unhex } from './lib/peer.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const require = createRequire(join(here, 'package.json'))
const OUR_PROTO_DIR = resolve(here, '../../src/wa/proto')
const OUR_FILES = ['wa_handshake.proto', 'wa_client_payload.proto', 'wa_adv.proto',
  'wa_message.proto', 'wa_history_sync.proto']

let peer
before(() => {
  peer = new Peer()
})
after(() => peer.close())

// protobuf's lowerCamelCase JSON name of a snake_case field.
const jsonName = f => f.options?.json_name ??
  f.name.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase())

describe('schema', () => {
  test('our subset matches WAProto field by field', () => {
    const theirs = new protobuf.Root()
    theirs.loadSync(require.resolve('baileys/WAProto/WAProto.proto'), { keepCase: true })
    theirs.resolveAll()
    const ours = new protobuf.Root()
    ours.resolvePath = (_origin, target) => join(OUR_PROTO_DIR, basename(target))
    ours.loadSync(OUR_FILES, { keepCase: true })
    ours.resolveAll()

    const theirName = full => full.replace(/^\.?wa\.proto\./, 'proto.')
    let fields = 0
    let values = 0
    const visit = ns => {
      for (const nested of ns.nestedArray) {
        const name = theirName(nested.fullName.slice(1))
        if (nested instanceof protobuf.Type) {
          const t = theirs.lookupType(name)
          for (const f of nested.fieldsArray) {
            const where = `${name}.${f.name}`
            const tf = t.fields[jsonName(f)]
            assert.ok(tf, `${where}: no WAProto field named ${jsonName(f)}`)
            assert.equal(f.id, tf.id, `${where}: number`)
            assert.equal(f.repeated, tf.repeated, `${where}: repeated`)
            assert.equal(f.packed, tf.packed, `${where}: packed`)
            assert.equal(Boolean(f.options?.proto3_optional), Boolean(tf.options?.proto3_optional),
              `${where}: optional`)
            if (f.resolvedType) {
              assert.equal(theirName(f.resolvedType.fullName.slice(1)),
                tf.resolvedType?.fullName.slice(1), `${where}: type`)
            } else {
              assert.equal(f.type, tf.type, `${where}: type`)
            }
            fields++
          }
          visit(nested)
        } else if (nested instanceof protobuf.Enum) {
          const e = theirs.lookupEnum(name)
          for (const [key, value] of Object.entries(nested.values)) {
            assert.equal(e.values[key], value, `${name}.${key}`)
            values++
          }
        } else if (nested.nestedArray) {
          visit(nested)
        }
      }
    }
    visit(ours.lookup('wa.proto'))
    assert.ok(fields > 400 && values > 200, `checked ${fields} fields, ${values} enum values`)
  })
})

const lookup = type => type.split('.').reduce((o, k) => o[k], proto)

// Baileys encodes `object` as `type`; we decode, compare, re-encode.
async function roundTrip(type, object) {
  const T = lookup(type)
  const bytes = T.encode(T.fromObject(object)).finish()
  const theirJson = T.decode(bytes).toJSON()
  const decoded = await peer.call('proto.decode', { type, hex: hex(bytes) })
  assert.deepEqual(decoded.json, theirJson, `${type}: our JSON`)
  assert.equal(decoded.hex, hex(bytes), `${type}: our re-encoding`)
  const encoded = await peer.call('proto.encode', { type, json: theirJson })
  assert.equal(encoded.hex, hex(bytes), `${type}: our encoding of Baileys' JSON`)
  assert.deepEqual(T.decode(unhex(encoded.hex)).toJSON(), theirJson, `${type}: Baileys decodes ours`)
}

const JID = '15550001111@s.whatsapp.net'
const KEY = { remoteJid: JID, fromMe: false, id: '3EB0C0FFEE', participant: '15550002222@s.whatsapp.net' }
const media = () => ({
  url: 'https://mmg.whatsapp.net/v/t62.7118-24/1_2_3.enc?ccb=11-4',
  directPath: '/v/t62.7118-24/1_2_3.enc?ccb=11-4&oh=01&oe=02',
  mediaKey: randomBytes(32),
  fileSha256: randomBytes(32),
  fileEncSha256: randomBytes(32),
  fileLength: '1234567890123',
  mediaKeyTimestamp: '1700000000'
})
const context = {
  stanzaId: '3EB0QUOTED',
  participant: '15550002222@s.whatsapp.net',
  quotedMessage: { conversation: 'the original' },
  remoteJid: '120363000000000001@g.us',
  mentionedJid: ['15550003333@s.whatsapp.net', '100000000000001@lid'],
  isForwarded: true,
  forwardingScore: 2,
  expiration: 604800
}

const MESSAGES = {
  conversation: { conversation: 'hello ✓ 😀' },
  extendedText: {
    extendedTextMessage: {
      text: 'see https://example.com', matchedText: 'https://example.com', title: 'Example',
      description: 'An example', previewType: 'NONE', textArgb: 0xff000000, backgroundArgb: 4294967295,
      font: 'SYSTEM_BOLD', jpegThumbnail: randomBytes(40), contextInfo: context,
      inviteLinkGroupTypeV2: 'DEFAULT'
    },
    messageContextInfo: { messageSecret: randomBytes(32) }
  },
  image: {
    imageMessage: {
      ...media(), mimetype: 'image/jpeg', caption: 'a picture', height: 1080, width: 1920,
      jpegThumbnail: randomBytes(100), contextInfo: context, viewOnce: true, scanLengths: [1, 2, 300000],
      firstScanSidecar: randomBytes(10), midQualityFileSha256: randomBytes(32),
      thumbnailDirectPath: '/thumb', thumbnailSha256: randomBytes(32), thumbnailEncSha256: randomBytes(32),
      imageSourceType: 'AI_MODIFIED', mediaKeyDomain: 'E2EE_CHAT'
    }
  },
  video: {
    videoMessage: {
      ...media(), mimetype: 'video/mp4', seconds: 42, caption: 'a clip', gifPlayback: true,
      height: 720, width: 1280, jpegThumbnail: randomBytes(60), streamingSidecar: randomBytes(80),
      gifAttribution: 'TENOR', viewOnce: false, motionPhotoPresentationOffsetMs: '12345'
    }
  },
  ptv: { ptvMessage: { ...media(), mimetype: 'video/mp4', seconds: 5 } },
  audio: {
    audioMessage: {
      ...media(), mimetype: 'audio/ogg; codecs=opus', seconds: 7, ptt: true, waveform: randomBytes(64),
      backgroundArgb: 0x11223344, streamingSidecar: randomBytes(20)
    }
  },
  document: {
    documentMessage: {
      ...media(), mimetype: 'application/pdf', title: 'report', pageCount: 12, fileName: 'report.pdf',
      contactVcard: false, caption: 'the report', thumbnailHeight: 90, thumbnailWidth: 64,
      jpegThumbnail: randomBytes(30)
    }
  },
  documentWithCaption: {
    documentWithCaptionMessage: { message: { documentMessage: { ...media(), caption: 'cap' } } }
  },
  sticker: {
    stickerMessage: {
      ...media(), mimetype: 'image/webp', height: 512, width: 512, isAnimated: true, isAvatar: false,
      isAiSticker: false, isLottie: false, pngThumbnail: randomBytes(20), stickerSentTs: '1700000000123',
      firstFrameLength: 100, firstFrameSidecar: randomBytes(8)
    }
  },
  reaction: {
    reactionMessage: { key: KEY, text: '👍', senderTimestampMs: '1700000000999', groupingKey: '👍' }
  },
  reactionRemoved: { reactionMessage: { key: KEY, text: '', senderTimestampMs: '1700000001000' } },
  location: {
    locationMessage: {
      degreesLatitude: 37.422, degreesLongitude: -122.084, name: 'Somewhere', address: '1 Main St',
      url: 'https://maps.example', isLive: false, accuracyInMeters: 5, speedInMps: 2.5,
      degreesClockwiseFromMagneticNorth: 90, comment: 'here', jpegThumbnail: randomBytes(10)
    }
  },
  contact: {
    contactMessage: { displayName: 'Ann', vcard: 'BEGIN:VCARD\nVERSION:3.0\nFN:Ann\nEND:VCARD' }
  },
  contactsArray: {
    contactsArrayMessage: {
      displayName: '2 contacts',
      contacts: [{ displayName: 'A', vcard: 'BEGIN:VCARD\nEND:VCARD' }, { displayName: 'B', vcard: 'x' }]
    }
  },
  revoke: { protocolMessage: { key: KEY, type: 'REVOKE' } },
  edit: {
    protocolMessage: {
      key: KEY, type: 'MESSAGE_EDIT', timestampMs: '1700000002000',
      editedMessage: { extendedTextMessage: { text: 'edited' } }
    }
  },
  historySync: {
    protocolMessage: {
      type: 'HISTORY_SYNC_NOTIFICATION',
      historySyncNotification: {
        fileSha256: randomBytes(32), fileLength: '99999', mediaKey: randomBytes(32),
        fileEncSha256: randomBytes(32), directPath: '/v/t62/hist', syncType: 'INITIAL_BOOTSTRAP',
        chunkOrder: 1, originalMessageId: 'ABC', progress: 100, oldestMsgInChunkTimestampSec: '1690000000',
        initialHistBootstrapInlinePayload: randomBytes(300), peerDataRequestSessionId: 's1'
      }
    }
  },
  appStateKeyShare: {
    protocolMessage: {
      type: 'APP_STATE_SYNC_KEY_SHARE',
      appStateSyncKeyShare: {
        keys: [{
          keyId: { keyId: randomBytes(6) },
          keyData: {
            keyData: randomBytes(32), timestamp: '1700000000000',
            fingerprint: { rawId: 77, currentIndex: 2, deviceIndexes: [0, 2, 5] }
          }
        }]
      }
    }
  },
  ephemeralSetting: {
    ephemeralMessage: { message: { protocolMessage: { type: 'EPHEMERAL_SETTING', ephemeralExpiration: 86400 } } }
  },
  deviceSent: {
    deviceSentMessage: {
      destinationJid: '15550002222@s.whatsapp.net', phash: '2:abcd',
      message: { extendedTextMessage: { text: 'sent from my phone' } }
    }
  },
  senderKeyDistribution: {
    senderKeyDistributionMessage: {
      groupId: '120363000000000001@g.us', axolotlSenderKeyDistributionMessage: randomBytes(90)
    },
    conversation: 'group hello'
  },
  messageContextInfo: {
    conversation: 'x',
    messageContextInfo: {
      deviceListMetadata: {
        senderKeyHash: randomBytes(10), senderTimestamp: '1700000000', senderKeyIndexes: [0, 1, 7],
        senderAccountType: 'HOSTED', recipientKeyHash: randomBytes(10), recipientTimestamp: '1700000001',
        recipientKeyIndexes: [3]
      },
      deviceListMetadataVersion: 2, messageSecret: randomBytes(32), paddingBytes: randomBytes(3)
    }
  },
  viewOnceV2: {
    viewOnceMessageV2: { message: { imageMessage: { ...media(), viewOnce: true, caption: 'once' } } }
  },
  editedWrapper: { editedMessage: { message: { conversation: 'new text' } } }
}

describe('Message round trips through Baileys proto', () => {
  for (const [name, object] of Object.entries(MESSAGES)) {
    test(name, () => roundTrip('Message', object))
  }

  test('messages generated by Baileys itself', async () => {
    const quoted = { key: KEY, message: { conversation: 'original' } }
    const contents = [
      { text: 'hello @15550003333', mentions: ['15550003333@s.whatsapp.net'] },
      { react: { text: '❤️', key: KEY } },
      { location: { degreesLatitude: 52.52, degreesLongitude: 13.405 } },
      { contacts: { displayName: 'Ann', contacts: [{ displayName: 'Ann', vcard: 'BEGIN:VCARD\nEND:VCARD' }] } },
      { delete: KEY },
      { edit: KEY, text: 'edited' },
      { disappearingMessagesInChat: 86400 }
    ]
    for (const content of contents) {
      const message = await generateWAMessageContent(content, {})
      await roundTrip('Message', proto.Message.toObject(message))
    }
    const info = generateWAMessageFromContent('120363000000000001@g.us',
      { extendedTextMessage: { text: 'a reply' } }, { quoted, userJid: '15550001111:2@s.whatsapp.net' })
    await roundTrip('WebMessageInfo', proto.WebMessageInfo.toObject(info))
  })
})

describe('handshake, login and pairing messages', () => {
  const DETAILS = { serial: 1, issuerSerial: 0, key: randomBytes(32), notBefore: '1700000000', notAfter: '1800000000' }
  const cases = {
    HandshakeMessage: {
      clientHello: { ephemeral: randomBytes(32) },
      serverHello: { ephemeral: randomBytes(32), static: randomBytes(48), payload: randomBytes(200) },
      clientFinish: { static: randomBytes(48), payload: randomBytes(300) }
    },
    CertChain: {
      leaf: { details: proto.CertChain.NoiseCertificate.Details.encode(DETAILS).finish(), signature: randomBytes(64) },
      intermediate: { details: randomBytes(60), signature: randomBytes(64) }
    },
    'CertChain.NoiseCertificate.Details': DETAILS,
    ClientPayload: {
      username: '15550001111', passive: true, pushName: 'Ann', device: 7, pull: true, lidDbMigrated: false,
      connectType: 'WIFI_UNKNOWN', connectReason: 'USER_ACTIVATED', lc: 1, shards: [1, 2],
      dnsSource: { dnsMethod: 'SYSTEM', appCached: false }, sessionId: -5, product: 'WHATSAPP',
      userAgent: {
        platform: 'WEB', appVersion: { primary: 2, secondary: 3000, tertiary: 1043857760 },
        mcc: '000', mnc: '000', osVersion: '0.1', device: 'Desktop', osBuildNumber: '0.1',
        releaseChannel: 'RELEASE', localeLanguageIso6391: 'en', localeCountryIso31661Alpha2: 'US',
        deviceType: 'DESKTOP'
      },
      webInfo: { webSubPlatform: 'WEB_BROWSER', webdPayload: { supportsE2EImage: true, features: randomBytes(4) } }
    },
    'ClientPayload.DevicePairingRegistrationData': {
      eRegid: randomBytes(4), eKeytype: Buffer.from([5]), eIdent: randomBytes(32),
      eSkeyId: Buffer.from([0, 0, 1]), eSkeyVal: randomBytes(32), eSkeySig: randomBytes(64),
      buildHash: Buffer.from('f6f65c0607a1cdffd8752b051fc95edf', 'hex'), deviceProps: randomBytes(50)
    },
    DeviceProps: {
      os: 'Mac OS', version: { primary: 10, secondary: 15, tertiary: 7 }, platformType: 'CHROME',
      requireFullSync: true,
      historySyncConfig: {
        storageQuotaMb: 10240, inlineInitialPayloadInE2EeMsg: true, supportCallLogHistory: false,
        supportBotUserAgentChatHistory: true, supportCagReactionsAndPolls: true, supportBizHostedMsg: true,
        supportRecentSyncChunkMessageCountTuning: true, supportHostedGroupMsg: true,
        supportFbidBotChatHistory: true, supportMessageAssociation: true, supportGroupHistory: false
      }
    },
    ADVSignedDeviceIdentityHMAC: { details: randomBytes(120), hmac: randomBytes(32), accountType: 'E2EE' },
    ADVSignedDeviceIdentity: {
      details: randomBytes(20), accountSignatureKey: randomBytes(32), accountSignature: randomBytes(64),
      deviceSignature: randomBytes(64)
    },
    ADVDeviceIdentity: { rawId: 123456, timestamp: '1700000000', keyIndex: 1, accountType: 'E2EE', deviceType: 'HOSTED' },
    ADVKeyIndexList: { rawId: 1, timestamp: '1700000000', currentIndex: 3, validIndexes: [0, 1, 3], accountType: 'E2EE' },
    ADVSignedKeyIndexList: { details: randomBytes(20), accountSignature: randomBytes(64), accountSignatureKey: randomBytes(32) },
    'Message.HistorySyncNotification': { fileLength: '1', syncType: 'PUSH_NAME', progress: 50 },
    HistorySync: {
      syncType: 'RECENT', chunkOrder: 1, progress: 100,
      pushnames: [{ id: JID, pushname: 'Ann' }],
      phoneNumberToLidMappings: [{ pnJid: JID, lidJid: '100000000000001@lid' }],
      conversations: [{
        id: JID, name: 'Ann', unreadCount: 2, conversationTimestamp: '1700000000', pnJid: JID,
        lidJid: '100000000000001@lid', displayName: 'Ann', archived: false,
        messages: [{
          msgOrderId: '1',
          message: {
            key: { remoteJid: JID, fromMe: true, id: 'M1' }, messageTimestamp: '1700000000',
            status: 'READ', pushName: 'Me', message: { conversation: 'old message' },
            messageStubType: 'GROUP_PARTICIPANT_ADD', messageStubParameters: ['a', 'b']
          }
        }]
      }]
    }
  }
  for (const [type, object] of Object.entries(cases)) {
    test(type, () => roundTrip(type, object))
  }

  test('issuerSerial = 0 and keyIndex = 0 stay present on the wire [§2.3, §5.3]', async () => {
    const d = await peer.call('proto.encode',
      { type: 'CertChain.NoiseCertificate.Details', json: { serial: 1, issuerSerial: 0 } })
    assert.equal(d.hex, '08011000')
    assert.equal(proto.CertChain.NoiseCertificate.Details.decode(unhex(d.hex)).issuerSerial, 0)
    const a = await peer.call('proto.encode', { type: 'ADVDeviceIdentity', json: { keyIndex: 0 } })
    assert.equal(proto.ADVDeviceIdentity.decode(unhex(a.hex)).keyIndex, 0)
  })

  test('HistorySync.syncType has implicit presence (as in WAProto): 0 is dropped, still reads as 0', async () => {
    const bytes = proto.HistorySync.encode({ syncType: 0, chunkOrder: 1 }).finish()
    assert.equal(hex(bytes), '08002801')  // protobufjs writes the explicit zero
    const ours = await peer.call('proto.decode', { type: 'HistorySync', hex: hex(bytes) })
    assert.equal(ours.hex, '2801')
    assert.equal(proto.HistorySync.decode(unhex(ours.hex)).syncType,
      proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP)
  })

  test('malformed bytes are an error, not a crash', async () => {
    await assert.rejects(peer.call('proto.decode', { type: 'Message', hex: '0a05' }), /InvalidArgument/)
    await assert.rejects(peer.call('proto.decode', { type: 'NoSuchType', hex: '' }), /NotFound/)
  })
})
