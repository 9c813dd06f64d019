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

Node BuildUnifiedSession(int64_t server_now_ms) {
  constexpr int64_t kDayMs = 24 * 60 * 60 * 1000;
  constexpr int64_t kWeekMs = 7 * kDayMs;
  int64_t id = ((server_now_ms + 3 * kDayMs) % kWeekMs + kWeekMs) % kWeekMs;
  Node ib("ib");
  ib.AddChild(Node("unified_session", {{"id", std::to_string(id)}}));
  return ib;
}

Node BuildOfflineBatch(int count) {
  Node ib("ib");
  ib.AddChild(Node("offline_batch", {{"count", std::to_string(count)}}));
  return ib;
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
