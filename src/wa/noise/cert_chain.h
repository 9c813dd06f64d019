// The Noise server certificate chain [whatsapp-protocol.md §2.3], carried
// encrypted in ServerHello.payload:
//   CertChain { leaf, intermediate }, each NoiseCertificate { details, signature }
//   Details { serial, issuer_serial, key, not_before, not_after }
// The intermediate is signed by the root (issuer_serial = the root's serial,
// 0, present on the wire even though 0 [§14.1 item 2]); the leaf is signed by
// the intermediate key (leaf.issuer_serial = intermediate.serial) and its key
// is the server's static Noise key. Signatures are XEdDSA (§2.3, 64 bytes).
//
// Verification follows whatsmeow's checks (Baileys rc14's are ineffective,
// §2.3, §14.2) and cannot be switched off: both signatures, the issuer serial
// chain, the validity windows against the caller's clock value, 32-byte keys,
// and leaf key == the static key the server proved in the handshake. The
// trusted root is configurable: WhatsApp's real root by default, a test root
// for the simulator.
//
// Errors: malformed protobufs or fields → kInvalidArgument; a signature,
// serial, key or time that does not check out → kUnauthenticated. Messages
// start with "noise: cert chain: ".
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/random.h"
#include "base/status.h"
#include "wa/crypto/curve25519.h"

namespace wa::noise {

// WhatsApp's root ("WhatsAppLongTerm1", serial 0) public key
// [whatsapp-protocol.md §2.3; Baileys Defaults WA_CERT_DETAILS.PUBLIC_KEY].
inline constexpr std::string_view kWhatsAppRootPublicKeyHex =
    "142375574d0a587166aae71ebe516437c4a28b73e3695c6ce1f7f9545da8ee6b";
inline constexpr uint32_t kRootSerial = 0;

const crypto::PublicKey& WhatsAppRootPublicKey();

struct CertChainParams {
  const crypto::KeyPair* root = nullptr;          // REQUIRES: non-null
  const crypto::KeyPair* intermediate = nullptr;  // REQUIRES: non-null
  crypto::PublicKey leaf_key;                     // the server static public key
  uint32_t intermediate_serial = 1;               // §2.3 "Consequences"
  uint32_t leaf_serial = 2;
  uint64_t not_before = 0;  // unix seconds, both certificates
  uint64_t not_after = 0;
};

// The serialized CertChain (ServerHello.payload plaintext).
base::Result<std::string> BuildCertChain(const CertChainParams& params, base::Random& random);

struct CertVerifyParams {
  const crypto::PublicKey* trusted_root = nullptr;   // REQUIRES: non-null
  const crypto::PublicKey* server_static = nullptr;  // REQUIRES: non-null
  uint64_t now = 0;                                  // unix seconds
};

base::Status VerifyCertChain(std::string_view cert_chain, const CertVerifyParams& params);

}  // namespace wa::noise
