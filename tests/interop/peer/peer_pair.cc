// wa_peer ops for wa/pair (tests/interop/pair.test.mjs). Bytes travel as
// lower-case hex, keys as raw 32-byte hex. `random` (hex, optional) is handed
// out first by the Random the op uses, then the OS takes over, so a test can
// pin salts, ivs and code bytes to compare with Baileys byte for byte.
//   pair.qr.build  {ref, noise_pub, identity_pub, adv_secret, platform_id} → {qr}
//   pair.qr.parse  {qr} → {ref, noise_pub, identity_pub, adv_secret, platform_id}
//   pair.adv.phone_sign {account_priv, companion_pub, adv_secret, raw_id, timestamp,
//                        key_index, hosted_account?, hosted_device?}      → {hex}
//   pair.adv.companion_process {container, adv_secret, identity_priv}
//                        → {account, reply, raw_id, timestamp, key_index}
//   pair.adv.verify_reply {signed, account_pub, companion_pub} → {raw_id, timestamp, key_index}
//   pair.code.generate   {random}                                 → {code}
//   pair.code.derive_key {code, salt}                             → {hex}
//   pair.code.wrap       {code, public, random?}                  → {hex}
//   pair.code.unwrap     {code, wrapped}                          → {public}
//   pair.code.primary_hello {code, wrapped}
//                        → {companion_ephemeral, primary_ephemeral_priv, wrapped}
//   pair.code.companion_finish {code, pairing_ephemeral_priv, identity_priv,
//                        wrapped_primary, primary_identity, random?} → {bundle, adv_secret}
//   pair.code.phone_finish {primary_ephemeral_priv, account_priv, companion_ephemeral,
//                        bundle, companion_identity}              → {adv_secret}
#include <boost/json.hpp>

#include <cstring>

#include "base/encoding.h"
#include "base/random.h"
#include "peer.h"
#include "wa/pair/adv.h"
#include "wa/pair/pair_code.h"
#include "wa/pair/qr.h"

namespace interop {
namespace {

namespace json = boost::json;
using wa::crypto::KeyPair;
using wa::crypto::PublicKey;
using namespace wa::pair;

// The given bytes first, then the OS.
class ScriptedRandom final : public base::Random {
 public:
  explicit ScriptedRandom(std::string bytes) : bytes_(std::move(bytes)) {}
  void Fill(void* out, size_t n) override {
    size_t take = std::min(n, bytes_.size() - used_);
    std::memcpy(out, bytes_.data() + used_, take);
    used_ += take;
    if (take < n) base::SecureRandom::Instance().Fill(static_cast<char*>(out) + take, n - take);
  }

 private:
  std::string bytes_;
  size_t used_ = 0;
};

ScriptedRandom RandomArg(const json::object& args) {
  auto bytes = HexArg(args, "random");
  return ScriptedRandom(bytes.ok() ? *bytes : "");
}

base::Result<uint64_t> UintArg(const json::object& args, const char* name) {
  auto it = args.find(name);
  if (it == args.end() || !it->value().is_number()) {
    return base::InvalidArgument(std::string("missing number argument ") + name);
  }
  return static_cast<uint64_t>(it->value().to_number<double>());
}

bool BoolArg(const json::object& args, const char* name) {
  auto it = args.find(name);
  return it != args.end() && it->value().is_bool() && it->value().as_bool();
}

base::Result<KeyPair> KeyArg(const json::object& args, const char* name) {
  WAGATE_ASSIGN_OR_RETURN(std::string raw, HexArg(args, name));
  return KeyPair::FromPrivate(raw);
}

base::Result<PublicKey> PubArg(const json::object& args, const char* name) {
  WAGATE_ASSIGN_OR_RETURN(std::string raw, HexArg(args, name));
  return PublicKey::FromRaw(raw);
}

std::string Hex(std::string_view bytes) { return base::HexEncode(bytes); }

json::object IdentityJson(const DeviceIdentity& identity) {
  return {{"raw_id", identity.raw_id},
          {"timestamp", identity.timestamp},
          {"key_index", identity.key_index},
          {"account_type", static_cast<int>(identity.account_type)},
          {"device_type", static_cast<int>(identity.device_type)}};
}

base::Result<json::value> QrBuild(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(std::string ref, StringArg(args, "ref"));
  WAGATE_ASSIGN_OR_RETURN(PublicKey noise, PubArg(args, "noise_pub"));
  WAGATE_ASSIGN_OR_RETURN(PublicKey identity, PubArg(args, "identity_pub"));
  WAGATE_ASSIGN_OR_RETURN(std::string adv, HexArg(args, "adv_secret"));
  WAGATE_ASSIGN_OR_RETURN(std::string platform, StringArg(args, "platform_id"));
  WAGATE_ASSIGN_OR_RETURN(std::string qr, BuildQr({.ref = ref,
                                                   .noise_key = noise,
                                                   .identity_key = identity,
                                                   .adv_secret = adv,
                                                   .platform_id = platform}));
  return json::value(json::object{{"qr", qr}});
}

base::Result<json::value> QrParse(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(std::string qr, StringArg(args, "qr"));
  WAGATE_ASSIGN_OR_RETURN(QrData data, ParseQr(qr));
  return json::value(json::object{{"ref", data.ref},
                                  {"noise_pub", Hex(data.noise_key.raw())},
                                  {"identity_pub", Hex(data.identity_key.raw())},
                                  {"adv_secret", Hex(data.adv_secret)},
                                  {"platform_id", data.platform_id}});
}

base::Result<json::value> AdvPhoneSign(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(KeyPair account, KeyArg(args, "account_priv"));
  WAGATE_ASSIGN_OR_RETURN(PublicKey companion, PubArg(args, "companion_pub"));
  WAGATE_ASSIGN_OR_RETURN(std::string adv, HexArg(args, "adv_secret"));
  WAGATE_ASSIGN_OR_RETURN(uint64_t raw_id, UintArg(args, "raw_id"));
  WAGATE_ASSIGN_OR_RETURN(uint64_t timestamp, UintArg(args, "timestamp"));
  WAGATE_ASSIGN_OR_RETURN(uint64_t key_index, UintArg(args, "key_index"));
  DeviceIdentity identity{
      .raw_id = static_cast<uint32_t>(raw_id),
      .timestamp = timestamp,
      .key_index = static_cast<uint32_t>(key_index),
      .account_type = BoolArg(args, "hosted_account") ? wa::proto::HOSTED : wa::proto::E2EE,
      .device_type = BoolArg(args, "hosted_device") ? wa::proto::HOSTED : wa::proto::E2EE};
  ScriptedRandom random = RandomArg(args);
  WAGATE_ASSIGN_OR_RETURN(std::string container,
                          BuildDeviceIdentityHmac({.account = account,
                                                   .companion_identity = companion,
                                                   .adv_secret = adv,
                                                   .identity = identity},
                                                  random));
  return json::value(json::object{{"hex", Hex(container)}});
}

base::Result<json::value> AdvCompanionProcess(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(std::string container, HexArg(args, "container"));
  WAGATE_ASSIGN_OR_RETURN(std::string adv, HexArg(args, "adv_secret"));
  WAGATE_ASSIGN_OR_RETURN(KeyPair identity, KeyArg(args, "identity_priv"));
  ScriptedRandom random = RandomArg(args);
  WAGATE_ASSIGN_OR_RETURN(CompanionPairing pairing,
                          ProcessDeviceIdentityHmac(container, adv, identity, random));
  std::string account;
  pairing.account.SerializeToString(&account);
  json::object out = IdentityJson(pairing.identity);
  out["account"] = Hex(account);
  out["reply"] = Hex(pairing.reply_identity);
  return json::value(std::move(out));
}

base::Result<json::value> AdvVerifyReply(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(std::string signed_identity, HexArg(args, "signed"));
  WAGATE_ASSIGN_OR_RETURN(PublicKey account, PubArg(args, "account_pub"));
  WAGATE_ASSIGN_OR_RETURN(PublicKey companion, PubArg(args, "companion_pub"));
  WAGATE_ASSIGN_OR_RETURN(DeviceIdentity identity,
                          VerifyDeviceIdentityReply(signed_identity, account, companion));
  return json::value(IdentityJson(identity));
}

base::Result<json::value> CodeGenerate(const json::object& args) {
  ScriptedRandom random = RandomArg(args);
  return json::value(json::object{{"code", GeneratePairingCode(random)}});
}

base::Result<json::value> CodeDeriveKey(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(std::string code, StringArg(args, "code"));
  WAGATE_ASSIGN_OR_RETURN(std::string salt, HexArg(args, "salt"));
  WAGATE_ASSIGN_OR_RETURN(std::string key, DerivePairingCodeKey(code, salt));
  return json::value(json::object{{"hex", Hex(key)}});
}

base::Result<json::value> CodeWrap(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(std::string code, StringArg(args, "code"));
  WAGATE_ASSIGN_OR_RETURN(PublicKey key, PubArg(args, "public"));
  ScriptedRandom random = RandomArg(args);
  WAGATE_ASSIGN_OR_RETURN(std::string wrapped, WrapEphemeralKey(code, key, random));
  return json::value(json::object{{"hex", Hex(wrapped)}});
}

base::Result<json::value> CodeUnwrap(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(std::string code, StringArg(args, "code"));
  WAGATE_ASSIGN_OR_RETURN(std::string wrapped, HexArg(args, "wrapped"));
  WAGATE_ASSIGN_OR_RETURN(PublicKey key, UnwrapEphemeralKey(code, wrapped));
  return json::value(json::object{{"public", Hex(key.raw())}});
}

base::Result<json::value> CodePrimaryHello(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(std::string code, StringArg(args, "code"));
  WAGATE_ASSIGN_OR_RETURN(std::string wrapped, HexArg(args, "wrapped"));
  ScriptedRandom random = RandomArg(args);
  WAGATE_ASSIGN_OR_RETURN(PrimaryHello hello, BuildPrimaryHello(code, wrapped, random));
  return json::value(
      json::object{{"companion_ephemeral", Hex(hello.companion_ephemeral.raw())},
                   {"primary_ephemeral_priv", Hex(hello.primary_ephemeral.private_key.bytes())},
                   {"wrapped", Hex(hello.wrapped_primary_ephemeral)}});
}

base::Result<json::value> CodeCompanionFinish(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(std::string code, StringArg(args, "code"));
  WAGATE_ASSIGN_OR_RETURN(KeyPair ephemeral, KeyArg(args, "pairing_ephemeral_priv"));
  WAGATE_ASSIGN_OR_RETURN(KeyPair identity, KeyArg(args, "identity_priv"));
  WAGATE_ASSIGN_OR_RETURN(std::string wrapped, HexArg(args, "wrapped_primary"));
  WAGATE_ASSIGN_OR_RETURN(PublicKey primary, PubArg(args, "primary_identity"));
  ScriptedRandom random = RandomArg(args);
  WAGATE_ASSIGN_OR_RETURN(CompanionFinish finish,
                          BuildCompanionFinish({.code = code,
                                                .pairing_ephemeral = ephemeral,
                                                .identity = identity,
                                                .wrapped_primary_ephemeral = wrapped,
                                                .primary_identity = primary},
                                               random));
  return json::value(json::object{{"bundle", Hex(finish.wrapped_key_bundle)},
                                  {"adv_secret", Hex(finish.adv_secret)}});
}

base::Result<json::value> CodePhoneFinish(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(KeyPair ephemeral, KeyArg(args, "primary_ephemeral_priv"));
  WAGATE_ASSIGN_OR_RETURN(KeyPair account, KeyArg(args, "account_priv"));
  WAGATE_ASSIGN_OR_RETURN(PublicKey companion_ephemeral, PubArg(args, "companion_ephemeral"));
  WAGATE_ASSIGN_OR_RETURN(std::string bundle, HexArg(args, "bundle"));
  WAGATE_ASSIGN_OR_RETURN(PublicKey companion_identity, PubArg(args, "companion_identity"));
  WAGATE_ASSIGN_OR_RETURN(std::string adv,
                          ProcessCompanionFinish({.primary_ephemeral = ephemeral,
                                                  .account = account,
                                                  .companion_ephemeral = companion_ephemeral,
                                                  .wrapped_key_bundle = bundle,
                                                  .companion_identity = companion_identity}));
  return json::value(json::object{{"adv_secret", Hex(adv)}});
}

PeerOps ops{
    {"pair.qr.build", QrBuild},
    {"pair.qr.parse", QrParse},
    {"pair.adv.phone_sign", AdvPhoneSign},
    {"pair.adv.companion_process", AdvCompanionProcess},
    {"pair.adv.verify_reply", AdvVerifyReply},
    {"pair.code.generate", CodeGenerate},
    {"pair.code.derive_key", CodeDeriveKey},
    {"pair.code.wrap", CodeWrap},
    {"pair.code.unwrap", CodeUnwrap},
    {"pair.code.primary_hello", CodePrimaryHello},
    {"pair.code.companion_finish", CodeCompanionFinish},
    {"pair.code.phone_finish", CodePhoneFinish},
};

}  // namespace
}  // namespace interop
