// A libsignal-node party (the Signal library Baileys 7 runs) with an
// in-memory store like Baileys' signalStorage: records kept serialised, as
// Baileys' auth state keeps them, and every identity trusted (TOFU). Shared
// by signal.test.mjs and bench/baileys_signal_bench.mjs.
import { SenderKeyRecord } from 'baileys/lib/Signal/Group/index.js'
import libsignal from 'libsignal'

const { curve, keyhelper, ProtocolAddress, SessionRecord } = libsignal

export class JsSignalParty {
  constructor(name, device = 0, preKeyCount = 10) {
    this.address = new ProtocolAddress(name, device)
    this.identity = curve.generateKeyPair()
    this.registrationId = keyhelper.generateRegistrationId()
    this.signedPreKey = keyhelper.generateSignedPreKey(this.identity, 1)
    this.preKeys = new Map()
    for (let id = 1; id <= preKeyCount; id++) this.preKeys.set(id, keyhelper.generatePreKey(id).keyPair)
    this.sessions = new Map()
    this.identities = new Map()
    this.senderKeys = new Map()
    const self = this
    this.storage = {
      loadSession: async id => (self.sessions.has(id) ? SessionRecord.deserialize(self.sessions.get(id)) : undefined),
      storeSession: async (id, record) => { self.sessions.set(id, record.serialize()) },
      isTrustedIdentity: () => true,
      loadIdentityKey: async id => self.identities.get(id),
      saveIdentity: async (id, key) => { self.identities.set(id, key) },
      loadPreKey: async id => {
        const pair = self.preKeys.get(Number(id))
        return pair && { privKey: pair.privKey, pubKey: pair.pubKey }
      },
      removePreKey: async id => { self.preKeys.delete(Number(id)) },
      loadSignedPreKey: async () => self.signedPreKey.keyPair,
      getOurIdentity: async () => self.identity,
      getOurRegistrationId: async () => self.registrationId,
      loadSenderKey: async name => {
        const stored = self.senderKeys.get(name.toString())
        return stored ? SenderKeyRecord.deserialize(stored) : new SenderKeyRecord()
      },
      storeSenderKey: async (name, record) => {
        self.senderKeys.set(name.toString(), Buffer.from(JSON.stringify(record.serialize()), 'utf-8'))
      }
    }
  }

  // The pre-key bundle a server would hand out; preKeyId null leaves the
  // one-time pre-key out.
  bundle(preKeyId = 1) {
    const device = {
      registrationId: this.registrationId,
      identityKey: this.identity.pubKey,
      signedPreKey: {
        keyId: this.signedPreKey.keyId,
        publicKey: this.signedPreKey.keyPair.pubKey,
        signature: this.signedPreKey.signature
      }
    }
    if (preKeyId !== null) device.preKey = { keyId: preKeyId, publicKey: this.preKeys.get(preKeyId).pubKey }
    return device
  }
}
