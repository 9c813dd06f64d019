// The simulated primary phone of an account: what it sends when the user
// scans a QR code or types a pairing code, and how it checks the companion's
// answer [whatsapp-protocol.md §5.3–5.4, §6.3–6.5]. The cryptography is
// wa/pair's (phone-side functions); this file builds and reads the stanzas.
// Sans-IO; pure functions (the Random is the caller's).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/random.h"
#include "base/status.h"
#include "sim/accounts.h"
#include "sim/stanza.h"
#include "wa/crypto/curve25519.h"
#include "wa/pair/adv.h"

namespace sim {

// The platform the phone reports in <pair-success><platform name> (→ creds.platform).
inline constexpr std::string_view kPhonePlatform = "android";

struct PairSuccessInput {
  const Account& account;
  uint16_t device_id = 0;
  uint32_t key_index = 0;                           // REQUIRES: ≥ 1 [§5.3 step 1]
  const wa::crypto::PublicKey& companion_identity;  // IC
  std::string_view adv_secret;                      // 32 bytes (QR, or derived §6.4)
  std::string iq_id;                                // a server id ("srv-…")
  int64_t now_s = 0;
};

// <iq from type='set' id xmlns='md' t><pair-success><device-identity/>
// <platform name/><device jid lid/><biz name/></pair-success></iq>.
base::Result<Node> BuildPairSuccess(const PairSuccessInput& input, base::Random& random);

// Reads <iq type='result'><pair-device-sign><device-identity key-index>…
// and checks both signatures (account with A.pub, device with IC).
base::Result<wa::pair::DeviceIdentity> VerifyPairDeviceSign(
    const Node& iq, const Account& account, const wa::crypto::PublicKey& companion_identity);

// <notification from type='link_code_companion_reg' id t><link_code_companion_reg
// stage='primary_hello'>ref, primary identity, wrapped primary ephemeral</…>.
Node BuildPrimaryHelloNotification(const Account& account, std::string_view ref,
                                   std::string_view wrapped_primary_ephemeral, std::string id,
                                   int64_t now_s);

}  // namespace sim
