// wa_peer ops for wa/signal (tests/interop/signal.test.mjs). Bytes travel as
// lower-case hex; addresses as "name.device". State is kept per `party` id:
// each party has its own Random (seeded if `seed` is given), memory KV,
// context, stores, identity, signed pre-key 1 and one-time pre-keys 1..N.
//   signal.party_new      {party, seed?, pre_keys?}          → {registration_id, identity}
//   signal.bundle         {party, pre_key_id?}               → {registration_id, identity_key,
//                          signed_pre_key:{id, public, signature}, pre_key?:{id, public}}
//   signal.process_bundle {party, address, registration_id, identity_key, signed_pre_key_id,
//                          signed_pre_key_public, signed_pre_key_signature,
//                          pre_key_id?, pre_key_public?}      → {}
//   signal.encrypt        {party, address, plaintext}        → {type, ciphertext}
//   signal.decrypt        {party, address, type, ciphertext} → {plaintext}
//   signal.restart        {party}      (new context + stores over the same KV bytes) → {}
//   signal.group_skdm     {party, group, sender}             → {skdm}
//   signal.group_process  {party, group, sender, skdm}       → {}
//   signal.group_encrypt  {party, group, sender, plaintext}  → {ciphertext}
//   signal.group_decrypt  {party, group, sender, ciphertext} → {plaintext}
//   signal.pad            {data, seed}                       → {hex}
//   signal.unpad          {data}                             → {hex}
#include <boost/json.hpp>

#include <map>
#include <memory>
#include <optional>

#include "base/encoding.h"
#include "base/random.h"
#include "peer.h"
#include "wa/signal/context.h"
#include "wa/signal/group.h"
#include "wa/signal/keygen.h"
#include "wa/signal/memory_kv_store.h"
#include "wa/signal/padding.h"
#include "wa/signal/session.h"
#include "wa/signal/stores.h"

namespace interop {
namespace {

namespace json = boost::json;
using namespace wa::signal;

struct Party {
  std::unique_ptr<base::SeededRandom> seeded;
  base::Random* random = nullptr;
  MemoryKeyValueStore kv;
  LocalIdentity local;
  SignedPreKey signed_pre_key;
  std::map<uint32_t, PreKey> pre_keys;
  std::unique_ptr<Context> context;
  std::unique_ptr<Stores> stores;

  base::Status Open() {
    stores.reset();
    WAGATE_ASSIGN_OR_RETURN(context, Context::Create(*random));
    WAGATE_ASSIGN_OR_RETURN(stores, Stores::Create(*context, kv, local));
    return base::Status::Ok();
  }
};

std::map<std::string, std::unique_ptr<Party>>& Parties() {
  static std::map<std::string, std::unique_ptr<Party>> parties;
  return parties;
}

std::optional<uint64_t> OptUint(const json::object& args, const char* name) {
  auto it = args.find(name);
  if (it == args.end()) return std::nullopt;
  if (it->value().is_uint64()) return it->value().as_uint64();
  if (it->value().is_int64() && it->value().as_int64() >= 0) {
    return static_cast<uint64_t>(it->value().as_int64());
  }
  return std::nullopt;
}

base::Result<uint64_t> UintArg(const json::object& args, const char* name) {
  auto value = OptUint(args, name);
  if (!value) return base::InvalidArgument(std::string("missing integer argument '") + name + "'");
  return *value;
}

base::Result<Party*> PartyArg(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(std::string id, StringArg(args, "party"));
  auto it = Parties().find(id);
  if (it == Parties().end()) return base::NotFound("no party '" + id + "'");
  return it->second.get();
}

base::Result<Address> AddressArg(const json::object& args, const char* name) {
  WAGATE_ASSIGN_OR_RETURN(std::string text, StringArg(args, name));
  return Address::Parse(text);
}

base::Result<SenderKeyName> SenderKeyNameArg(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(std::string group, StringArg(args, "group"));
  WAGATE_ASSIGN_OR_RETURN(Address sender, AddressArg(args, "sender"));
  return SenderKeyName{std::move(group), std::move(sender)};
}

json::value Object(std::initializer_list<std::pair<const char*, json::value>> fields) {
  json::object out;
  for (auto& [key, value] : fields) out[key] = value;
  return out;
}

base::Result<json::value> PartyNew(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(std::string id, StringArg(args, "party"));
  auto party = std::make_unique<Party>();
  if (auto seed = OptUint(args, "seed")) {
    party->seeded = std::make_unique<base::SeededRandom>(*seed);
    party->random = party->seeded.get();
  } else {
    party->random = &base::SecureRandom::Instance();
  }
  base::Random& random = *party->random;
  WAGATE_ASSIGN_OR_RETURN(party->local.identity, GenerateIdentityKeyPair(random));
  party->local.registration_id = GenerateRegistrationId(random);
  WAGATE_ASSIGN_OR_RETURN(party->signed_pre_key,
                          GenerateSignedPreKey(party->local.identity, 1, random));
  uint32_t count = static_cast<uint32_t>(OptUint(args, "pre_keys").value_or(10));
  WAGATE_ASSIGN_OR_RETURN(auto pre_keys, GeneratePreKeys(1, count, random));
  WAGATE_RETURN_IF_ERROR(party->Open());
  WAGATE_RETURN_IF_ERROR(party->stores->PutSignedPreKey(party->signed_pre_key));
  WAGATE_RETURN_IF_ERROR(party->stores->PutPreKeys(pre_keys));
  for (auto& key : pre_keys) party->pre_keys.emplace(key.id, key);
  json::value out =
      Object({{"registration_id", party->local.registration_id},
              {"identity", json::value(base::HexEncode(party->local.identity.public_key))}});
  Parties()[id] = std::move(party);
  return out;
}

base::Result<json::value> BundleOp(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(Party * party, PartyArg(args));
  json::object out;
  out["registration_id"] = party->local.registration_id;
  out["identity_key"] = base::HexEncode("\x05" + party->local.identity.public_key);
  out["signed_pre_key"] = Object(
      {{"id", party->signed_pre_key.id},
       {"public", json::value(base::HexEncode("\x05" + party->signed_pre_key.key_pair.public_key))},
       {"signature", json::value(base::HexEncode(party->signed_pre_key.signature))}});
  if (auto id = OptUint(args, "pre_key_id")) {
    auto it = party->pre_keys.find(static_cast<uint32_t>(*id));
    if (it == party->pre_keys.end()) return base::NotFound("no pre-key " + std::to_string(*id));
    out["pre_key"] =
        Object({{"id", it->first},
                {"public", json::value(base::HexEncode("\x05" + it->second.key_pair.public_key))}});
  }
  return json::value(std::move(out));
}

base::Result<json::value> ProcessBundleOp(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(Party * party, PartyArg(args));
  WAGATE_ASSIGN_OR_RETURN(Address address, AddressArg(args, "address"));
  PreKeyBundle bundle;
  WAGATE_ASSIGN_OR_RETURN(uint64_t registration_id, UintArg(args, "registration_id"));
  bundle.registration_id = static_cast<uint32_t>(registration_id);
  bundle.device_id = address.device;
  WAGATE_ASSIGN_OR_RETURN(bundle.identity_key, HexArg(args, "identity_key"));
  WAGATE_ASSIGN_OR_RETURN(uint64_t spk_id, UintArg(args, "signed_pre_key_id"));
  bundle.signed_pre_key_id = static_cast<uint32_t>(spk_id);
  WAGATE_ASSIGN_OR_RETURN(bundle.signed_pre_key_public, HexArg(args, "signed_pre_key_public"));
  WAGATE_ASSIGN_OR_RETURN(bundle.signed_pre_key_signature,
                          HexArg(args, "signed_pre_key_signature"));
  if (auto id = OptUint(args, "pre_key_id")) {
    bundle.pre_key_id = static_cast<uint32_t>(*id);
    WAGATE_ASSIGN_OR_RETURN(bundle.pre_key_public, HexArg(args, "pre_key_public"));
  }
  WAGATE_RETURN_IF_ERROR(ProcessPreKeyBundle(*party->stores, address, bundle));
  return json::value(json::object());
}

base::Result<json::value> EncryptOp(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(Party * party, PartyArg(args));
  WAGATE_ASSIGN_OR_RETURN(Address address, AddressArg(args, "address"));
  WAGATE_ASSIGN_OR_RETURN(std::string plaintext, HexArg(args, "plaintext"));
  WAGATE_ASSIGN_OR_RETURN(auto message, Encrypt(*party->stores, address, plaintext));
  return Object({{"type", json::value(std::string(MessageTypeName(message.type)))},
                 {"ciphertext", json::value(base::HexEncode(message.ciphertext))}});
}

base::Result<json::value> DecryptOp(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(Party * party, PartyArg(args));
  WAGATE_ASSIGN_OR_RETURN(Address address, AddressArg(args, "address"));
  WAGATE_ASSIGN_OR_RETURN(std::string type_name, StringArg(args, "type"));
  WAGATE_ASSIGN_OR_RETURN(MessageType type, ParseMessageType(type_name));
  WAGATE_ASSIGN_OR_RETURN(std::string ciphertext, HexArg(args, "ciphertext"));
  WAGATE_ASSIGN_OR_RETURN(std::string plaintext,
                          Decrypt(*party->stores, address, type, ciphertext));
  return Object({{"plaintext", json::value(base::HexEncode(plaintext))}});
}

base::Result<json::value> RestartOp(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(Party * party, PartyArg(args));
  WAGATE_RETURN_IF_ERROR(party->Open());
  return json::value(json::object());
}

base::Result<json::value> GroupSkdmOp(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(Party * party, PartyArg(args));
  WAGATE_ASSIGN_OR_RETURN(SenderKeyName name, SenderKeyNameArg(args));
  WAGATE_ASSIGN_OR_RETURN(std::string skdm, CreateSenderKeyDistribution(*party->stores, name));
  return Object({{"skdm", json::value(base::HexEncode(skdm))}});
}

base::Result<json::value> GroupProcessOp(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(Party * party, PartyArg(args));
  WAGATE_ASSIGN_OR_RETURN(SenderKeyName name, SenderKeyNameArg(args));
  WAGATE_ASSIGN_OR_RETURN(std::string skdm, HexArg(args, "skdm"));
  WAGATE_RETURN_IF_ERROR(ProcessSenderKeyDistribution(*party->stores, name, skdm));
  return json::value(json::object());
}

base::Result<json::value> GroupEncryptOp(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(Party * party, PartyArg(args));
  WAGATE_ASSIGN_OR_RETURN(SenderKeyName name, SenderKeyNameArg(args));
  WAGATE_ASSIGN_OR_RETURN(std::string plaintext, HexArg(args, "plaintext"));
  WAGATE_ASSIGN_OR_RETURN(std::string ciphertext, GroupEncrypt(*party->stores, name, plaintext));
  return Object({{"ciphertext", json::value(base::HexEncode(ciphertext))}});
}

base::Result<json::value> GroupDecryptOp(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(Party * party, PartyArg(args));
  WAGATE_ASSIGN_OR_RETURN(SenderKeyName name, SenderKeyNameArg(args));
  WAGATE_ASSIGN_OR_RETURN(std::string ciphertext, HexArg(args, "ciphertext"));
  WAGATE_ASSIGN_OR_RETURN(std::string plaintext, GroupDecrypt(*party->stores, name, ciphertext));
  return Object({{"plaintext", json::value(base::HexEncode(plaintext))}});
}

base::Result<json::value> PadOp(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(std::string data, HexArg(args, "data"));
  base::SeededRandom random(OptUint(args, "seed").value_or(1));
  return Object({{"hex", json::value(base::HexEncode(Pad(data, random)))}});
}

base::Result<json::value> UnpadOp(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(std::string data, HexArg(args, "data"));
  WAGATE_ASSIGN_OR_RETURN(std::string message, Unpad(data));
  return Object({{"hex", json::value(base::HexEncode(message))}});
}

PeerOps ops{{"signal.party_new", PartyNew},
            {"signal.bundle", BundleOp},
            {"signal.process_bundle", ProcessBundleOp},
            {"signal.encrypt", EncryptOp},
            {"signal.decrypt", DecryptOp},
            {"signal.restart", RestartOp},
            {"signal.group_skdm", GroupSkdmOp},
            {"signal.group_process", GroupProcessOp},
            {"signal.group_encrypt", GroupEncryptOp},
            {"signal.group_decrypt", GroupDecryptOp},
            {"signal.pad", PadOp},
            {"signal.unpad", UnpadOp}};

}  // namespace
}  // namespace interop
