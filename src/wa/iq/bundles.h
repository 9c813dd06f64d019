// Pre-key bundle fetch [whatsapp-protocol.md §8.8]: the keys to start a
// Signal session with each device.
//   <iq xmlns='encrypt' type='get'><key><user jid [reason='identity']/>…</key></iq>
//   → <list><user jid><registration/><type/><identity/><skey>…</skey>[<key>…</key>]</user>…</list>
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <vector>

#include "base/status.h"
#include "wa/binary/node.h"
#include "wa/iq/prekeys.h"
#include "wa/types/jid.h"

namespace wa::iq {

// `identity_changed`: ask again after an identity change (reason='identity').
binary::Node BuildPreKeyBundleQuery(const std::vector<Jid>& devices, bool identity_changed = false);

struct PreKeyBundle {
  Jid jid;
  uint32_t registration_id = 0;
  std::string identity;  // 32 bytes
  UploadSignedPreKey signed_prekey;
  std::optional<UploadPreKey> prekey;  // absent when the device ran out
};
// Any <user> with an <error> (or malformed keys) fails the whole fetch, as
// Baileys does (§8.8): kFailedPrecondition naming the user, or
// kInvalidArgument. Keys may sit directly under <user> or in <keys>.
base::Result<std::vector<PreKeyBundle>> ParsePreKeyBundles(const binary::Node& reply);

}  // namespace wa::iq
