#include "wa/client/disconnect.h"

#include <charconv>

namespace wa::client {

namespace {

std::optional<int> IntAttr(const binary::Node& node, std::string_view key) {
  std::optional<std::string> text = node.GetAttrText(key);
  if (!text) return std::nullopt;
  int value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size()) return std::nullopt;
  return value;
}

const binary::Node* FirstChild(const binary::Node& node) {
  std::span<const binary::Node> children = node.children();
  return children.empty() ? nullptr : &children.front();
}

}  // namespace

std::string_view DisconnectKindName(DisconnectKind kind) {
  switch (kind) {
    case DisconnectKind::kLoggedOut:
      return "logged-out";
    case DisconnectKind::kReplaced:
      return "replaced";
    case DisconnectKind::kRestartRequired:
      return "restart-required";
    case DisconnectKind::kQrExhausted:
      return "qr-exhausted";
    case DisconnectKind::kBadServer:
      return "bad-server";
    case DisconnectKind::kClosed:
      return "closed";
    case DisconnectKind::kTransient:
      return "transient";
  }
  return "unknown";
}

Disconnect Transient(std::string reason, int code) {
  return {DisconnectKind::kTransient, code, std::move(reason)};
}

Disconnect ClassifyStreamError(const binary::Node& node) {
  const binary::Node* child = FirstChild(node);
  std::optional<int> code = IntAttr(node, "code");
  if (child != nullptr && child->tag == "conflict") {
    std::string type = child->GetAttrText("type").value_or("");
    if (type == "device_removed") {
      return {DisconnectKind::kLoggedOut, code.value_or(401), "device removed"};
    }
    // Baileys maps a code-less <conflict> to 440 "connection replaced" (§1.5).
    if (!code || type == "replaced") {
      return {DisconnectKind::kReplaced, 440, "replaced by another connection"};
    }
  }
  if (code == 515) return {DisconnectKind::kRestartRequired, 515, "restart required"};
  if (code == 401) return {DisconnectKind::kLoggedOut, 401, "logged out"};
  // No code: Baileys reports 500 with the first child's tag as the reason.
  int value = code.value_or(500);
  std::string reason = "stream error " + std::to_string(value);
  if (child != nullptr) reason += " (" + child->tag + ")";
  return Transient(std::move(reason), value);
}

Disconnect ClassifyFailure(const binary::Node& node) {
  int reason = IntAttr(node, "reason").value_or(500);
  switch (reason) {
    // 401 logged out; 403 primary device gone / account locked; 406 banned
    // (whatsmeow's failure reasons, §1.5): the creds will never log in again.
    case 401:
    case 403:
    case 406:
      return {DisconnectKind::kLoggedOut, reason, "login failure " + std::to_string(reason)};
    default:
      return Transient("login failure " + std::to_string(reason), reason);
  }
}

std::optional<Disconnect> ClassifyStanza(const binary::Node& node) {
  if (node.tag == "stream:error") return ClassifyStreamError(node);
  if (node.tag == "failure") return ClassifyFailure(node);
  if (node.tag == "xmlstreamend") return Transient("stream ended by the server", 428);
  if (node.tag == "ib" && node.GetChild("downgrade_webclient") != nullptr) {
    return Transient("multi-device mismatch (downgrade_webclient)", 411);
  }
  return std::nullopt;
}

Disconnect ClassifyHandshakeError(const base::Status& status) {
  if (status.message().find("cert chain") != std::string::npos) {
    return {DisconnectKind::kBadServer, 0, "server certificate rejected: " + status.message()};
  }
  return Transient("handshake failed: " + status.message());
}

}  // namespace wa::client
