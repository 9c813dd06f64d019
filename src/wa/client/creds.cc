// Creds ⇄ JSON. Binary fields are standard base64; every field is written
// and every field is required when reading (a missing one is a sign of a
// damaged record, not of an old version: the format starts here).
#include "wa/client/creds.h"

#include <boost/json.hpp>

#include "base/encoding.h"
#include "wa/pair/qr.h"

namespace wa::client {

namespace json = boost::json;

namespace {

json::object KeyPairJson(const signal::KeyPairBytes& key) {
  return {{"public", base::Base64Encode(key.public_key)},
          {"private", base::Base64Encode(key.private_key)}};
}

// Reads fields of one JSON object; the first error sticks and names the
// field path, later reads are no-ops.
class Reader {
 public:
  Reader(const json::object* object, std::string path, base::Status* error)
      : object_(object), path_(std::move(path)), error_(error) {}

  const json::value* Field(std::string_view name) {
    if (!error_->ok()) return nullptr;
    const json::value* value = object_->if_contains(name);
    if (value == nullptr) Fail(name, "missing");
    return value;
  }
  std::string String(std::string_view name) {
    const json::value* value = Field(name);
    if (value == nullptr) return {};
    if (!value->is_string()) {
      Fail(name, "not a string");
      return {};
    }
    return std::string(value->get_string());
  }
  std::string Binary(std::string_view name, size_t want_size = 0) {
    std::string text = String(name);
    if (!error_->ok()) return {};
    base::Result<std::string> bytes = base::Base64Decode(text);
    if (!bytes.ok()) {
      Fail(name, "not base64");
      return {};
    }
    if (want_size != 0 && bytes->size() != want_size) {
      Fail(name, "not " + std::to_string(want_size) + " bytes");
      return {};
    }
    return std::move(*bytes);
  }
  uint32_t Uint32(std::string_view name) {
    const json::value* value = Field(name);
    if (value == nullptr) return 0;
    if (value->is_uint64() && value->get_uint64() <= UINT32_MAX) {
      return static_cast<uint32_t>(value->get_uint64());
    }
    if (value->is_int64() && value->get_int64() >= 0 && value->get_int64() <= UINT32_MAX) {
      return static_cast<uint32_t>(value->get_int64());
    }
    Fail(name, "not an unsigned 32-bit integer");
    return 0;
  }
  bool Bool(std::string_view name) {
    const json::value* value = Field(name);
    if (value == nullptr) return false;
    if (!value->is_bool()) {
      Fail(name, "not a boolean");
      return false;
    }
    return value->get_bool();
  }
  // A nested object, or nullptr (error set) when absent or of another type.
  const json::object* Object(std::string_view name) {
    const json::value* value = Field(name);
    if (value == nullptr) return nullptr;
    if (!value->is_object()) {
      Fail(name, "not an object");
      return nullptr;
    }
    return &value->get_object();
  }
  Reader Sub(std::string_view name, const json::object* object) {
    return Reader(object, path_ + std::string(name) + ".", error_);
  }
  signal::KeyPairBytes KeyPair(std::string_view name) {
    const json::object* object = Object(name);
    if (object == nullptr) return {};
    Reader sub = Sub(name, object);
    signal::KeyPairBytes key;
    key.public_key = sub.Binary("public", 32);
    key.private_key = sub.Binary("private", 32);
    return key;
  }
  void Fail(std::string_view name, std::string_view what) {
    if (error_->ok()) {
      *error_ =
          base::InvalidArgument("creds: " + path_ + std::string(name) + ": " + std::string(what));
    }
  }

 private:
  const json::object* object_;
  std::string path_;
  base::Status* error_;
};

}  // namespace

base::Result<Creds> NewCreds(base::Random& random) {
  Creds creds;
  WAGATE_ASSIGN_OR_RETURN(creds.noise_key, signal::GenerateKeyPair(random));
  WAGATE_ASSIGN_OR_RETURN(creds.pairing_ephemeral, signal::GenerateKeyPair(random));
  WAGATE_ASSIGN_OR_RETURN(creds.identity, signal::GenerateIdentityKeyPair(random));
  WAGATE_ASSIGN_OR_RETURN(creds.signed_prekey,
                          signal::GenerateSignedPreKey(creds.identity, 1, random));
  creds.registration_id = signal::GenerateRegistrationId(random);
  creds.adv_secret = random.Bytes(pair::kAdvSecretSize);
  return creds;
}

std::string CredsToJson(const Creds& creds) {
  json::object out;
  out["noise_key"] = KeyPairJson(creds.noise_key);
  out["pairing_ephemeral"] = KeyPairJson(creds.pairing_ephemeral);
  out["identity"] = KeyPairJson(creds.identity);
  json::object spk = KeyPairJson(creds.signed_prekey.key_pair);
  spk["id"] = creds.signed_prekey.id;
  spk["signature"] = base::Base64Encode(creds.signed_prekey.signature);
  out["signed_prekey"] = std::move(spk);
  out["registration_id"] = creds.registration_id;
  out["adv_secret"] = base::Base64Encode(creds.adv_secret);
  out["next_prekey_id"] = creds.next_prekey_id;
  out["first_unuploaded_prekey_id"] = creds.first_unuploaded_prekey_id;
  if (creds.me) {
    out["me"] =
        json::object{{"jid", creds.me->jid}, {"lid", creds.me->lid}, {"name", creds.me->name}};
  } else {
    out["me"] = nullptr;
  }
  out["account"] = base::Base64Encode(creds.account);
  out["key_index"] = creds.key_index;
  out["platform"] = creds.platform;
  out["pairing_code"] = creds.pairing_code;
  out["registered"] = creds.registered;
  out["routing_info"] = base::Base64Encode(creds.routing_info);
  return json::serialize(out);
}

base::Result<Creds> CredsFromJson(std::string_view text) {
  boost::system::error_code ec;
  json::value root = json::parse(text, ec);
  if (ec) return base::InvalidArgument("creds: not JSON: " + ec.message());
  if (!root.is_object()) return base::InvalidArgument("creds: not a JSON object");
  base::Status error;
  Reader r(&root.get_object(), "", &error);
  Creds creds;
  creds.noise_key = r.KeyPair("noise_key");
  creds.pairing_ephemeral = r.KeyPair("pairing_ephemeral");
  creds.identity = r.KeyPair("identity");
  if (const json::object* spk = r.Object("signed_prekey")) {
    Reader sub = r.Sub("signed_prekey", spk);
    creds.signed_prekey.id = sub.Uint32("id");
    creds.signed_prekey.key_pair.public_key = sub.Binary("public", 32);
    creds.signed_prekey.key_pair.private_key = sub.Binary("private", 32);
    creds.signed_prekey.signature = sub.Binary("signature", 64);
  }
  creds.registration_id = r.Uint32("registration_id");
  creds.adv_secret = r.Binary("adv_secret", pair::kAdvSecretSize);
  creds.next_prekey_id = r.Uint32("next_prekey_id");
  creds.first_unuploaded_prekey_id = r.Uint32("first_unuploaded_prekey_id");
  if (const json::value* me = r.Field("me"); me != nullptr && !me->is_null()) {
    if (!me->is_object()) {
      r.Fail("me", "not an object or null");
    } else {
      Reader sub = r.Sub("me", &me->get_object());
      Me value;
      value.jid = sub.String("jid");
      value.lid = sub.String("lid");
      value.name = sub.String("name");
      creds.me = std::move(value);
    }
  }
  creds.account = r.Binary("account");
  creds.key_index = r.Uint32("key_index");
  creds.platform = r.String("platform");
  creds.pairing_code = r.String("pairing_code");
  creds.registered = r.Bool("registered");
  creds.routing_info = r.Binary("routing_info");
  if (!error.ok()) return error;
  if (creds.next_prekey_id == 0 || creds.first_unuploaded_prekey_id == 0 ||
      creds.first_unuploaded_prekey_id > creds.next_prekey_id) {
    return base::InvalidArgument("creds: pre-key counters out of order");
  }
  return creds;
}

std::string MeToJson(const Me& me) {
  return json::serialize(json::object{{"jid", me.jid}, {"lid", me.lid}, {"name", me.name}});
}

}  // namespace wa::client
