#include "wa/iq/account.h"

#include "wa/iq/iq.h"

namespace wa::iq {

Node BuildPing() { return NewIq("get", "w:p", {Node("ping")}); }

Node BuildPassiveActive() { return NewIq("set", "passive", {Node("active")}); }

Node BuildRemoveCompanionDevice(const Jid& me, std::string_view reason) {
  Node remove("remove-companion-device");
  remove.SetAttr("jid", me);
  remove.SetAttr("reason", std::string(reason));
  return NewIq("set", "md", {std::move(remove)});
}

bool IsServerPing(const Node& stanza) {
  if (stanza.tag != "iq" || stanza.GetAttrText("type") != "get" || !stanza.HasAttr("id")) {
    return false;
  }
  // whatsmeow answers urn:xmpp:ping; a server may also mirror our own w:p
  // ping, which is just as cheap to answer.
  std::optional<std::string> xmlns = stanza.GetAttrText("xmlns");
  return xmlns == "urn:xmpp:ping" || (xmlns == "w:p" && stanza.GetChild("ping") != nullptr);
}

}  // namespace wa::iq
