#include "wa/types/message_key.h"

namespace wa {

std::string MessageKey::ToString() const {
  std::string out = remote_jid.ToString();
  out += from_me ? "/1/" : "/0/";
  out += id;
  if (participant) {
    out += '/';
    out += participant->ToString();
  }
  return out;
}

}  // namespace wa
