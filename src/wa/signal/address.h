// Signal protocol addresses and sender-key names, WhatsApp v7 rules
// [whatsapp-protocol.md §8.3]:
//   name   = JID user for PN (s.whatsapp.net, agent/domain 0); `user_<agent>`
//            otherwise: `user_1` for LID, `user_128` hosted, `user_129`
//            hosted.lid (v6 used the bare user for LIDs);
//   device = JID device, 0 when absent;
//   string = `name.device`, e.g. `100000000000002_1.0`, `15550002222.3` —
//            the KV id of "session" and "identity-key" records.
//   sender-key name = `<groupJid>::<address name>::<device>`, e.g.
//            `120363000000000001@g.us::100000000000002_1::0`.
// wa/signal does not depend on wa/types: callers pass the JID's user, agent
// and device (wa::Jid::SignalAddressName() gives the same name).
// Thread safety: values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace wa::signal {

struct Address {
  std::string name;  // REQUIRES: non-empty, no '.'
  uint32_t device = 0;

  // user + agent (JID domain byte) + device → address.
  static Address ForUser(std::string_view user, uint8_t agent, uint32_t device);
  // Parses `name.device` (the last '.' separates the device).
  static base::Result<Address> Parse(std::string_view text);

  std::string ToString() const;  // `name.device`

  friend bool operator==(const Address&, const Address&) = default;
  friend auto operator<=>(const Address&, const Address&) = default;
};

struct SenderKeyName {
  std::string group_id;  // the group JID text, e.g. `120363000000000001@g.us`
  Address sender;

  std::string ToString() const;  // `<group>::<name>::<device>`

  friend bool operator==(const SenderKeyName&, const SenderKeyName&) = default;
};

}  // namespace wa::signal
