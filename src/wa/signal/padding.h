// WhatsApp's plaintext padding for pkmsg, msg and skmsg
// [whatsapp-protocol.md §8.4]: Message protobuf ‖ P bytes of value P, with
// P = (random byte & 0x0F) + 1, i.e. 1..16 [B: generics.ts writeRandomPadMax16].
// Unpad drops `last byte` bytes. Baileys only rejects P > length; we also
// reject P = 0 and pad bytes that are not all P (every WhatsApp client pads
// that way). P above 16 is accepted, as Baileys and whatsmeow do.
// Errors: kDataLoss. Thread safety: pure functions (Random: the caller's).
#pragma once

#include <string>
#include <string_view>

#include "base/random.h"
#include "base/status.h"

namespace wa::signal {

std::string Pad(std::string_view message, base::Random& random);
base::Result<std::string> Unpad(std::string_view padded);

}  // namespace wa::signal
