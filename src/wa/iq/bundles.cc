#include "wa/iq/bundles.h"

#include "wa/iq/iq.h"

namespace wa::iq {

namespace {

std::optional<std::string> ChildBytes(const Node& parent, std::string_view tag) {
  const Node* child = parent.GetChild(tag);
  return child == nullptr ? std::nullopt : ContentText(*child);
}

base::Result<uint32_t> ChildId(const Node& parent, std::string_view what) {
  std::optional<std::string> id = ChildBytes(parent, "id");
  if (!id) return base::InvalidArgument(std::string(what) + ": no <id>");
  return DecodeBigEndian(*id);
}

base::Result<PreKeyBundle> ParseUser(const Node& user) {
  PreKeyBundle out;
  WAGATE_ASSIGN_OR_RETURN(out.jid, user.GetAttrAsJid("jid"));
  std::string who = out.jid.ToString();
  if (std::optional<IqError> error = FindIqError(user)) {
    return base::FailedPrecondition("bundle " + who + ": error " + std::to_string(error->code) +
                                    " " + error->text);
  }
  const Node& keys = user.GetChild("keys") != nullptr ? *user.GetChild("keys") : user;
  std::optional<std::string> reg = ChildBytes(keys, "registration");
  std::optional<std::string> identity = ChildBytes(keys, "identity");
  const Node* skey = keys.GetChild("skey");
  if (!reg || !identity || identity->size() != 32 || skey == nullptr) {
    return base::InvalidArgument("bundle " + who + ": registration, identity or skey missing");
  }
  WAGATE_ASSIGN_OR_RETURN(out.registration_id, DecodeBigEndian(*reg));
  out.identity = std::move(*identity);
  WAGATE_ASSIGN_OR_RETURN(out.signed_prekey.id, ChildId(*skey, "bundle " + who + " skey"));
  out.signed_prekey.public_key = ChildBytes(*skey, "value").value_or("");
  out.signed_prekey.signature = ChildBytes(*skey, "signature").value_or("");
  if (out.signed_prekey.public_key.size() != 32 || out.signed_prekey.signature.size() != 64) {
    return base::InvalidArgument("bundle " + who + ": malformed skey");
  }
  if (const Node* key = keys.GetChild("key")) {
    UploadPreKey prekey;
    WAGATE_ASSIGN_OR_RETURN(prekey.id, ChildId(*key, "bundle " + who + " key"));
    prekey.public_key = ChildBytes(*key, "value").value_or("");
    if (prekey.public_key.size() != 32) {
      return base::InvalidArgument("bundle " + who + ": malformed key");
    }
    out.prekey = std::move(prekey);
  }
  return out;
}

}  // namespace

Node BuildPreKeyBundleQuery(const std::vector<Jid>& devices, bool identity_changed) {
  Node key("key");
  for (const Jid& device : devices) {
    Node user("user");
    user.SetAttr("jid", device);
    if (identity_changed) user.SetAttr("reason", "identity");
    key.AddChild(std::move(user));
  }
  return NewIq("get", "encrypt", {std::move(key)});
}

base::Result<std::vector<PreKeyBundle>> ParsePreKeyBundles(const Node& reply) {
  WAGATE_RETURN_IF_ERROR(CheckIqResult(reply).WithContext("pre-key bundles"));
  const Node* list = reply.GetChild("list");
  if (list == nullptr) return base::InvalidArgument("pre-key bundles: no <list>");
  std::vector<PreKeyBundle> bundles;
  for (const Node* user : list->GetChildren("user")) {
    WAGATE_ASSIGN_OR_RETURN(PreKeyBundle bundle, ParseUser(*user));
    bundles.push_back(std::move(bundle));
  }
  return bundles;
}

}  // namespace wa::iq
