#include "wa/client/dispatch.h"

#include "wa/client/disconnect.h"
#include "wa/iq/account.h"
#include "wa/iq/pair.h"
#include "wa/iq/pair_code.h"
#include "wa/types/jid.h"

namespace wa::client {

namespace {

bool IsServerPreKeyCount(const binary::Node& node) {
  if (node.tag != "notification" || node.GetAttrText("type") != "encrypt") return false;
  // Only the server's own count; a user's encrypt notification is about
  // their identity and belongs to the messaging layer (§7.5).
  const Jid* from = node.GetJidAttr("from");
  return from != nullptr && from->IsServer() && node.GetChild("count") != nullptr;
}

}  // namespace

Route RouteStanza(const binary::Node& node) {
  if (ClassifyStanza(node)) return Route::kEnd;
  if (node.tag == "iq") {
    if (iq::IsServerPing(node)) return Route::kServerPing;
    if (iq::IsPairDevice(node)) return Route::kPairDevice;
    if (iq::IsPairSuccess(node)) return Route::kPairSuccess;
    std::optional<std::string> type = node.GetAttrText("type");
    if (type == "result" || type == "error") return Route::kStrayReply;
    return Route::kObserver;
  }
  if (node.tag == "success") return Route::kSuccess;
  if (iq::IsPrimaryHello(node)) return Route::kPrimaryHello;
  if (IsServerPreKeyCount(node)) return Route::kPreKeyCount;
  if (node.tag == "ib" && node.GetChild("edge_routing") != nullptr) return Route::kEdgeRouting;
  if (node.tag == "ib" && node.GetChild("offline_preview") != nullptr) {
    return Route::kOfflinePreview;
  }
  return Route::kObserver;
}

}  // namespace wa::client
