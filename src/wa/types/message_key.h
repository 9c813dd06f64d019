// wa::MessageKey — what identifies one message: the chat, the direction, the
// message id and, in groups and broadcasts, the sending participant.
// Mirrors Baileys' WAMessageKey core fields {remoteJid, fromMe, id, participant}
// [whatsapp-protocol.md §11.1]; the v7 alternates (remoteJidAlt, participantAlt,
// addressingMode) belong to message info, not to the identity of a message.
//
// Thread safety: a value type.
#pragma once

#include <optional>
#include <string>

#include "wa/types/jid.h"

namespace wa {

struct MessageKey {
  Jid remote_jid;                  // the chat: user, group, broadcast or newsletter
  bool from_me = false;            // sent by this account (any of its devices)
  std::string id;                  // the stanza id, e.g. "3EB0" + 18 upper-case hex
  std::optional<Jid> participant;  // the author in groups/broadcasts; absent in 1:1 chats

  friend bool operator==(const MessageKey&, const MessageKey&) = default;

  // "remote_jid/from_me/id[/participant]" for logs, e.g. "1555...@s.whatsapp.net/1/3EB0...".
  std::string ToString() const;
};

}  // namespace wa
