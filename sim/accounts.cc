#include "sim/accounts.h"

#include <unistd.h>

#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "base/encoding.h"

namespace sim {
namespace {

namespace json = boost::json;

json::object KeyPairJson(const wa::signal::KeyPairBytes& pair) {
  return {{"public", base::HexEncode(pair.public_key)},
          {"private", base::HexEncode(pair.private_key)}};
}

// Reading: every accessor throws std::exception on a missing or mistyped
// field; Load() turns that into one kDataLoss naming the file.
const json::value& Field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) throw std::runtime_error("missing field " + std::string(key));
  return *v;
}
std::string Str(const json::object& o, std::string_view key) {
  return std::string(Field(o, key).as_string());
}
std::string Hex(const json::object& o, std::string_view key) {
  auto bytes = base::HexDecode(Field(o, key).as_string());
  if (!bytes.ok()) throw std::runtime_error("bad hex in " + std::string(key));
  return std::move(bytes).value();
}
uint64_t Num(const json::object& o, std::string_view key) {
  return json::value_to<uint64_t>(Field(o, key));
}
wa::signal::KeyPairBytes KeyPairFrom(const json::object& o) {
  return {Hex(o, "public"), Hex(o, "private")};
}

json::object DeviceJson(const Device& d) {
  json::object prekeys;
  for (const auto& [id, pub] : d.prekeys) prekeys[std::to_string(id)] = base::HexEncode(pub);
  return {{"id", d.id},
          {"keyIndex", d.key_index},
          {"noiseKey", base::HexEncode(d.noise_key)},
          {"identityKey", base::HexEncode(d.identity_key)},
          {"registrationId", d.registration_id},
          {"signedPreKey",
           {{"id", d.signed_prekey.id},
            {"public", base::HexEncode(d.signed_prekey.public_key)},
            {"signature", base::HexEncode(d.signed_prekey.signature)}}},
          {"preKeys", std::move(prekeys)},
          {"platform", d.platform},
          {"linkedAtMs", d.linked_at_ms}};
}

Device DeviceFrom(const json::object& o) {
  Device d;
  d.id = static_cast<uint16_t>(Num(o, "id"));
  d.key_index = static_cast<uint32_t>(Num(o, "keyIndex"));
  d.noise_key = Hex(o, "noiseKey");
  d.identity_key = Hex(o, "identityKey");
  d.registration_id = static_cast<uint32_t>(Num(o, "registrationId"));
  const json::object& spk = Field(o, "signedPreKey").as_object();
  d.signed_prekey = {static_cast<uint32_t>(Num(spk, "id")), Hex(spk, "public"),
                     Hex(spk, "signature")};
  for (const auto& [id, pub] : Field(o, "preKeys").as_object()) {
    auto bytes = base::HexDecode(pub.as_string());
    if (!bytes.ok()) throw std::runtime_error("bad pre-key hex");
    d.prekeys[static_cast<uint32_t>(std::stoul(std::string(id)))] = std::move(bytes).value();
  }
  d.platform = Str(o, "platform");
  d.linked_at_ms = json::value_to<int64_t>(Field(o, "linkedAtMs"));
  return d;
}

json::object AccountJson(const Account& a) {
  json::array prekeys;
  for (const auto& pk : a.primary.prekeys) {
    prekeys.push_back(json::object{{"id", pk.id}, {"pair", KeyPairJson(pk.key_pair)}});
  }
  json::array devices;
  for (const auto& [id, d] : a.devices) devices.push_back(DeviceJson(d));
  const auto& spk = a.primary.signed_prekey;
  return {{"phone", a.phone},
          {"name", a.name},
          {"lid", a.lid},
          {"nextDeviceId", a.next_device_id},
          {"nextKeyIndex", a.next_key_index},
          {"primary",
           {{"accountKey", KeyPairJson(a.primary.account_key)},
            {"registrationId", a.primary.registration_id},
            {"signedPreKey",
             {{"id", spk.id},
              {"pair", KeyPairJson(spk.key_pair)},
              {"signature", base::HexEncode(spk.signature)}}},
            {"preKeys", std::move(prekeys)},
            {"nextPreKeyId", a.primary.next_prekey_id}}},
          {"devices", std::move(devices)}};
}

Account AccountFrom(const json::object& o) {
  Account a;
  a.phone = Str(o, "phone");
  a.name = Str(o, "name");
  a.lid = Str(o, "lid");
  if (!IsValidPhone(a.phone)) throw std::runtime_error("bad phone " + a.phone);
  a.next_device_id = static_cast<uint16_t>(Num(o, "nextDeviceId"));
  a.next_key_index = static_cast<uint32_t>(Num(o, "nextKeyIndex"));
  const json::object& p = Field(o, "primary").as_object();
  a.primary.account_key = KeyPairFrom(Field(p, "accountKey").as_object());
  a.primary.registration_id = static_cast<uint32_t>(Num(p, "registrationId"));
  const json::object& spk = Field(p, "signedPreKey").as_object();
  a.primary.signed_prekey = {static_cast<uint32_t>(Num(spk, "id")),
                             KeyPairFrom(Field(spk, "pair").as_object()), Hex(spk, "signature")};
  for (const auto& v : Field(p, "preKeys").as_array()) {
    const json::object& pk = v.as_object();
    a.primary.prekeys.push_back(
        {static_cast<uint32_t>(Num(pk, "id")), KeyPairFrom(Field(pk, "pair").as_object())});
  }
  a.primary.next_prekey_id = static_cast<uint32_t>(Num(p, "nextPreKeyId"));
  for (const auto& v : Field(o, "devices").as_array()) {
    Device d = DeviceFrom(v.as_object());
    a.devices[d.id] = std::move(d);
  }
  return a;
}

}  // namespace

bool IsValidPhone(std::string_view phone) {
  if (phone.size() < 8 || phone.size() > 15 || phone.front() == '0') return false;
  for (char c : phone) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

AccountStore::AccountStore(std::string path, base::Random& random)
    : path_(std::move(path)), random_(random) {}

base::Status AccountStore::Load() {
  if (path_.empty()) return base::Status::Ok();
  std::ifstream in(path_, std::ios::binary);
  if (!in) return base::Status::Ok();  // first start
  std::stringstream buffer;
  buffer << in.rdbuf();
  try {
    const json::object root = json::parse(buffer.str()).as_object();
    next_lid_ = Num(root, "nextLid");
    accounts_.clear();
    for (const auto& v : Field(root, "accounts").as_array()) {
      Account a = AccountFrom(v.as_object());
      accounts_[a.phone] = std::move(a);
    }
  } catch (const std::exception& e) {
    return base::DataLoss("accounts: load " + path_ + ": " + e.what());
  }
  return base::Status::Ok();
}

base::Status AccountStore::Save() const {
  if (path_.empty()) return base::Status::Ok();
  json::array accounts;
  for (const auto& [phone, a] : accounts_) accounts.push_back(AccountJson(a));
  const std::string text = json::serialize(
      json::object{{"version", 1}, {"nextLid", next_lid_}, {"accounts", std::move(accounts)}});
  // Written next to the target and renamed over it: readers (and a crash)
  // see the old file or the new one, never a mix.
  const std::string tmp = path_ + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) return base::Unavailable("accounts: write " + tmp);
  }
  if (std::rename(tmp.c_str(), path_.c_str()) != 0) {
    return base::Unavailable("accounts: rename " + tmp + " → " + path_);
  }
  return base::Status::Ok();
}

base::Result<Account*> AccountStore::CreateAccount(std::string_view phone, std::string_view name) {
  if (!IsValidPhone(phone)) {
    return base::InvalidArgument("phone must be 8 to 15 digits without '+' or leading 0");
  }
  if (Account* existing = FindByPhone(phone)) return existing;
  Account a;
  a.phone = std::string(phone);
  a.name = std::string(name);
  a.lid = std::to_string(kLidBase + next_lid_);
  WAGATE_ASSIGN_OR_RETURN(a.primary.account_key, wa::signal::GenerateIdentityKeyPair(random_));
  a.primary.registration_id = wa::signal::GenerateRegistrationId(random_);
  WAGATE_ASSIGN_OR_RETURN(a.primary.signed_prekey,
                          wa::signal::GenerateSignedPreKey(a.primary.account_key, 1, random_));
  WAGATE_ASSIGN_OR_RETURN(a.primary.prekeys,
                          wa::signal::GeneratePreKeys(1, kPrimaryPreKeys, random_));
  a.primary.next_prekey_id = kPrimaryPreKeys + 1;
  ++next_lid_;
  auto [it, inserted] = accounts_.emplace(a.phone, std::move(a));
  (void)inserted;
  return &it->second;
}

Account* AccountStore::FindByPhone(std::string_view phone) {
  auto it = accounts_.find(phone);
  return it == accounts_.end() ? nullptr : &it->second;
}

Account* AccountStore::FindByLid(std::string_view lid) {
  for (auto& [phone, a] : accounts_) {
    if (a.lid == lid) return &a;
  }
  return nullptr;
}

Account* AccountStore::FindByJid(const wa::Jid& jid) {
  if (jid.IsPnUser()) return FindByPhone(jid.user());
  if (jid.IsLid()) return FindByLid(jid.user());
  return nullptr;
}

std::vector<const Account*> AccountStore::List() const {
  std::vector<const Account*> out;
  for (const auto& [phone, a] : accounts_) out.push_back(&a);
  return out;
}

std::optional<wa::signal::PreKey> AccountStore::TakePrimaryPreKey(Account& account) {
  auto& keys = account.primary.prekeys;
  if (keys.empty()) return std::nullopt;
  wa::signal::PreKey key = std::move(keys.front());
  keys.erase(keys.begin());
  return key;
}

}  // namespace sim
