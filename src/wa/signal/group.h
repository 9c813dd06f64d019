// Group messages with sender keys [whatsapp-protocol.md §8.10]. A sender key
// lives under its SenderKeyName (group JID + sender address, §8.3) in the KV
// "sender-key" type.
//   - Our own sender key for a group is created on first use (random 31-bit
//     key id, 32-byte chain seed, signing key pair — from the injected Random)
//     by CreateSenderKeyDistribution, which returns the serialised
//     SenderKeyDistributionMessage (`0x33 ‖ proto{id, iteration, chainKey,
//     signingKey}`) that WhatsApp embeds in
//     Message.senderKeyDistributionMessage.axolotlSenderKeyDistributionMessage
//     and sends pairwise (pkmsg/msg) to every member device.
//   - ProcessSenderKeyDistribution stores a member's distribution message.
//   - GroupEncrypt gives the `skmsg` bytes (`0x33 ‖ proto{id, iteration,
//     ciphertext} ‖ signature(64)`); GroupDecrypt verifies and decrypts them,
//     keeping skipped message keys (Baileys' senders skip every other
//     iteration: 0, 2, 4, …).
// Errors: no sender key for the name → kNotFound; an iteration already used
// → kAlreadyExists; bad signature, malformed bytes → kDataLoss.
// Thread safety: as the Stores.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "wa/signal/address.h"
#include "wa/signal/stores.h"

namespace wa::signal {

// `name.sender` is our own address. Safe to call again: it returns a
// distribution message for the current chain state without rotating the key.
base::Result<std::string> CreateSenderKeyDistribution(Stores& stores, const SenderKeyName& name);

base::Status ProcessSenderKeyDistribution(Stores& stores, const SenderKeyName& name,
                                          std::string_view distribution_message);

// REQUIRES: a sender key exists for `name` (CreateSenderKeyDistribution).
base::Result<std::string> GroupEncrypt(Stores& stores, const SenderKeyName& name,
                                       std::string_view plaintext);

base::Result<std::string> GroupDecrypt(Stores& stores, const SenderKeyName& name,
                                       std::string_view ciphertext);

}  // namespace wa::signal
