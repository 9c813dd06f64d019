// QR pairing IQs (xmlns 'md') [whatsapp-protocol.md §5]:
//   server → <iq type='set' id><pair-device><ref/>…</pair-device></iq>
//            we answer with ResultReply(id) (iq.h)
//   server → <iq type='set' id><pair-success><device-identity/><platform name/>
//            <device jid lid/><biz name/>?</pair-success></iq>
//   we     → <iq type='result' id><pair-device-sign><device-identity key-index>…
//            </device-identity></pair-device-sign></iq>, or an error reply
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "wa/binary/node.h"
#include "wa/types/jid.h"

namespace wa::iq {

// The first child decides what a server iq is (Baileys dispatches on it, §5.1).
bool IsPairDevice(const binary::Node& stanza);
bool IsPairSuccess(const binary::Node& stanza);

struct PairDevice {
  std::string id;
  std::vector<std::string> refs;  // in order; each non-empty
};
// kInvalidArgument without id or without any ref.
base::Result<PairDevice> ParsePairDevice(const binary::Node& iq);

struct PairSuccess {
  std::string id;
  std::string device_identity;  // serialized ADVSignedDeviceIdentityHMAC
  Jid jid;                      // "15550100001:7@s.whatsapp.net"
  std::optional<Jid> lid;       // "100000000000001:7@lid" when given
  std::string platform;         // <platform name>, may be empty
  std::string business_name;    // <biz name>, may be empty
};
// kInvalidArgument without id, <device-identity> bytes or <device jid>.
base::Result<PairSuccess> ParsePairSuccess(const binary::Node& iq);

// The reply to pair-success: `signed_identity` is ADVSignedDeviceIdentity
// without accountSignatureKey (wa::pair::CompanionPairing::reply_identity).
binary::Node BuildPairDeviceSign(std::string_view id, uint32_t key_index,
                                 std::string_view signed_identity);

// <iq to type='error' id><error code text/></iq>, how a failed pair-success
// is reported (e.g. 401 hmac-mismatch, 500 internal-error, §5.4).
binary::Node BuildErrorReply(std::string_view id, int code, std::string_view text);

}  // namespace wa::iq
