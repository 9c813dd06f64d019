#include "wa/iq/prekeys.h"

#include <charconv>

#include "wa/iq/iq.h"

namespace wa::iq {

namespace {
constexpr char kXmlns[] = "encrypt";
}  // namespace

Node BuildPreKeyCountQuery() { return NewIq("get", kXmlns, {Node("count")}); }

base::Result<int> ParsePreKeyCount(const Node& reply) {
  WAGATE_RETURN_IF_ERROR(CheckIqResult(reply).WithContext("pre-key count"));
  const Node* count = reply.GetChild("count");
  if (count == nullptr) return base::InvalidArgument("pre-key count: no <count>");
  std::optional<std::string> value = count->GetAttrText("value");
  if (!value) return base::InvalidArgument("pre-key count: <count> without value");
  int n = 0;
  auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), n);
  if (ec != std::errc() || end != value->data() + value->size() || n < 0) {
    return base::InvalidArgument("pre-key count: bad value '" + *value + "'");
  }
  return n;
}

base::Result<Node> BuildPreKeyUpload(const PreKeyUpload& upload) {
  if (upload.identity_public.size() != 32) {
    return base::InvalidArgument("pre-key upload: identity key is not 32 bytes");
  }
  if (upload.prekeys.empty()) return base::InvalidArgument("pre-key upload: no pre-keys");
  const UploadSignedPreKey& skey = upload.signed_prekey;
  if (skey.public_key.size() != 32 || skey.signature.size() != 64 || skey.id == 0 ||
      skey.id > kMaxKeyId) {
    return base::InvalidArgument("pre-key upload: malformed signed pre-key");
  }
  std::vector<Node> keys;
  keys.reserve(upload.prekeys.size());
  for (const UploadPreKey& key : upload.prekeys) {
    if (key.public_key.size() != 32 || key.id == 0 || key.id > kMaxKeyId) {
      return base::InvalidArgument("pre-key upload: malformed pre-key " + std::to_string(key.id));
    }
    keys.emplace_back("key", std::vector<binary::Attr>{},
                      std::vector<Node>{BytesNode("id", EncodeBigEndian(key.id, 3)),
                                        BytesNode("value", key.public_key)});
  }
  std::vector<Node> children;
  children.push_back(BytesNode("registration", EncodeBigEndian(upload.registration_id, 4)));
  children.push_back(BytesNode("type", std::string(1, '\x05')));
  children.push_back(BytesNode("identity", upload.identity_public));
  children.emplace_back("list", std::vector<binary::Attr>{}, std::move(keys));
  children.emplace_back("skey", std::vector<binary::Attr>{},
                        std::vector<Node>{BytesNode("id", EncodeBigEndian(skey.id, 3)),
                                          BytesNode("value", skey.public_key),
                                          BytesNode("signature", skey.signature)});
  return NewIq("set", kXmlns, std::move(children));
}

Node BuildDigestQuery() { return NewIq("get", kXmlns, {Node("digest")}); }

base::Status ParseDigest(const Node& reply) {
  WAGATE_RETURN_IF_ERROR(CheckIqResult(reply).WithContext("digest"));
  if (reply.GetChild("digest") == nullptr) return base::InvalidArgument("digest: no <digest>");
  return base::Status::Ok();
}

}  // namespace wa::iq
