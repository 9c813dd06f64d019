// Pairing-code IQs (xmlns 'md', <link_code_companion_reg>) [whatsapp-protocol.md §6]:
//   we     → companion_hello (wrapped ephemeral, noise key, platform)
//   server → result with <link_code_pairing_ref> (whatsmeow needs it, Baileys ignores it)
//   server → <notification type='link_code_companion_reg'> stage primary_hello
//   we     → companion_finish (wrapped key bundle, identity, ref)
// The crypto is wa/pair/pair_code.h; these only shape the stanzas.
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>

#include "base/status.h"
#include "wa/binary/node.h"
#include "wa/types/jid.h"

namespace wa::iq {

struct CompanionHello {
  Jid phone;                      // "15550100001@s.whatsapp.net"
  std::string wrapped_ephemeral;  // 80 bytes (wa::pair::WrapEphemeralKey)
  std::string noise_public;       // 32 bytes
  std::string platform_id;        // "1" (Chrome)
  std::string platform_display;   // "Chrome (Mac OS)"
};
binary::Node BuildCompanionHello(const CompanionHello& hello);
// The <link_code_pairing_ref> of the reply, nullopt when the server sent none.
base::Result<std::optional<std::string>> ParseCompanionHelloResult(const binary::Node& reply);

// True for <notification type='link_code_companion_reg'> carrying stage primary_hello.
bool IsPrimaryHello(const binary::Node& stanza);
struct PrimaryHello {
  std::string ref;
  std::string primary_identity;           // 32 bytes
  std::string wrapped_primary_ephemeral;  // 80 bytes
};
base::Result<PrimaryHello> ParsePrimaryHello(const binary::Node& notification);

struct CompanionFinish {
  Jid phone;
  std::string wrapped_key_bundle;  // 156 bytes
  std::string identity_public;     // 32 bytes
  std::string ref;
};
binary::Node BuildCompanionFinish(const CompanionFinish& finish);

}  // namespace wa::iq
