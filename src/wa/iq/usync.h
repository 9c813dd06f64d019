// usync device query [whatsapp-protocol.md §8.7]: which devices (and LIDs)
// the given users have, before a message is encrypted for each of them.
//   <iq xmlns='usync' type='get'><usync context mode='query' sid last='true' index='0'>
//     <query><devices version='2'/><lid/></query><list><user jid/>…</list></usync></iq>
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "wa/binary/node.h"
#include "wa/iq/iq.h"
#include "wa/types/jid.h"

namespace wa::iq {

// `users` without device part; `sid` a request tag echoed by the server.
binary::Node BuildUsyncDevices(const std::vector<Jid>& users, std::string_view sid,
                               std::string_view context = "message");

struct UsyncDevice {
  uint16_t id = 0;
  uint32_t key_index = 0;
  bool hosted = false;
};
struct UsyncUser {
  Jid jid;
  // Device 0 always; other devices only with a non-zero key-index (Baileys
  // drops the rest, §8.7).
  std::vector<UsyncDevice> devices;
  std::optional<Jid> lid;        // <lid val>, PN users only
  std::optional<IqError> error;  // <devices><error/></devices>
};
// kInvalidArgument for a reply without <usync><list>; per-user problems go
// into UsyncUser::error.
base::Result<std::vector<UsyncUser>> ParseUsyncDevices(const binary::Node& reply);

}  // namespace wa::iq
