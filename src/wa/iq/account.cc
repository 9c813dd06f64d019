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
  return stanza.tag == "iq" && stanza.GetAttrText("type") == "get" &&
         stanza.GetAttrText("xmlns") == "urn:xmpp:ping" && stanza.HasAttr("id");
}

}  // namespace wa::iq
