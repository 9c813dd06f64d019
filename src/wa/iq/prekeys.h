// Pre-key IQs (xmlns 'encrypt') [whatsapp-protocol.md §7.2 steps 1, 2, 4]:
//   count   <iq type='get'><count/></iq>  → <count value='N'/>
//   upload  <iq type='set'><registration/><type/><identity/><list><key/>…</list><skey/></iq>
//   digest  <iq type='get'><digest/></iq> → must contain <digest>
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "wa/binary/node.h"

namespace wa::iq {

binary::Node BuildPreKeyCountQuery();
// The number of one-time pre-keys the server holds for us.
base::Result<int> ParsePreKeyCount(const binary::Node& reply);

inline constexpr uint32_t kMaxKeyId = 0xFFFFFF;  // ids are u24be on the wire

// Public halves only (wa/iq does not depend on wa/signal, architecture.md §2).
struct UploadPreKey {
  uint32_t id = 0;         // 1..kMaxKeyId
  std::string public_key;  // 32 bytes
};
struct UploadSignedPreKey {
  uint32_t id = 0;
  std::string public_key;  // 32 bytes
  std::string signature;   // 64 bytes
};
struct PreKeyUpload {
  uint32_t registration_id = 0;
  std::string identity_public;  // 32 bytes
  std::vector<UploadPreKey> prekeys;
  UploadSignedPreKey signed_prekey;
};
// All keys in one stanza, as Baileys does (812 on the first upload).
// kInvalidArgument for wrong key sizes or an empty list.
base::Result<binary::Node> BuildPreKeyUpload(const PreKeyUpload& upload);

binary::Node BuildDigestQuery();
// OK when the reply is a result with a <digest> child (its content is not
// inspected, as neither Baileys nor we know the real format, §14.2).
base::Status ParseDigest(const binary::Node& reply);

}  // namespace wa::iq
