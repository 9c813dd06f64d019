#include "sim/phone_crypto.h"

#include "wa/signal/group.h"
#include "wa/signal/padding.h"

namespace sim {

base::Result<std::unique_ptr<PhoneCrypto>> PhoneCrypto::Create(
    wa::signal::Context& context, const Phone& phone,
    const std::vector<wa::signal::KeyWrite>& saved) {
  std::unique_ptr<PhoneCrypto> out(new PhoneCrypto());
  // An earlier run's sessions, sender keys and handed-out pre-keys first.
  if (!saved.empty()) WAGATE_RETURN_IF_ERROR(out->kv_.Write(saved));
  WAGATE_ASSIGN_OR_RETURN(
      out->stores_,
      wa::signal::Stores::Create(context, out->kv_, {phone.account_key, phone.registration_id}));
  WAGATE_RETURN_IF_ERROR(out->stores_->PutSignedPreKey(phone.signed_prekey));
  WAGATE_RETURN_IF_ERROR(out->stores_->PutPreKeys(phone.prekeys));
  return out;
}

std::vector<wa::signal::KeyWrite> PhoneCrypto::Snapshot() const {
  std::vector<wa::signal::KeyWrite> out;
  for (auto& [key, value] : kv_.Snapshot()) out.push_back({key.first, key.second, value});
  return out;
}

wa::signal::Address PhoneCrypto::AddressOf(const Account& account, uint16_t device) {
  return wa::signal::Address::ForUser(account.lid, 1, device);
}

base::Result<std::string> PhoneCrypto::Decrypt(const wa::signal::Address& from,
                                               std::string_view type, std::string_view ciphertext) {
  WAGATE_ASSIGN_OR_RETURN(auto message_type, wa::signal::ParseMessageType(type));
  if (message_type == wa::signal::MessageType::kSenderKey) {
    return base::InvalidArgument("skmsg is not a pairwise message");
  }
  WAGATE_ASSIGN_OR_RETURN(std::string padded,
                          wa::signal::Decrypt(*stores_, from, message_type, ciphertext));
  return wa::signal::Unpad(padded);
}

base::Result<wa::signal::EncryptedMessage> PhoneCrypto::EncryptFor(Account& account,
                                                                   uint16_t device,
                                                                   std::string_view plaintext,
                                                                   base::Random& random,
                                                                   bool* consumed) {
  const wa::signal::Address address = AddressOf(account, device);
  WAGATE_ASSIGN_OR_RETURN(bool has, stores_->HasSession(address));
  if (!has) {
    auto it = account.devices.find(device);
    if (it == account.devices.end()) return base::NotFound("no such device");
    Device& d = it->second;
    if (d.signed_prekey.signature.size() != 64) {
      return base::FailedPrecondition("device has no signed pre-key");
    }
    wa::signal::PreKeyBundle bundle;
    bundle.registration_id = d.registration_id;
    bundle.device_id = device;
    bundle.identity_key = d.identity_key;
    bundle.signed_pre_key_id = d.signed_prekey.id;
    bundle.signed_pre_key_public = d.signed_prekey.public_key;
    bundle.signed_pre_key_signature = d.signed_prekey.signature;
    if (!d.prekeys.empty()) {
      auto first = d.prekeys.begin();
      bundle.pre_key_id = first->first;
      bundle.pre_key_public = first->second;
      d.prekeys.erase(first);
      *consumed = true;
    }
    WAGATE_RETURN_IF_ERROR(wa::signal::ProcessPreKeyBundle(*stores_, address, bundle));
  }
  return wa::signal::Encrypt(*stores_, address, wa::signal::Pad(plaintext, random));
}

void PhoneCrypto::ResetSession(const wa::signal::Address& address) {
  (void)stores_->DeleteSession(address);
}

base::Result<std::string> PhoneCrypto::OwnDistribution(const std::string& group,
                                                       const wa::signal::Address& self) {
  return wa::signal::CreateSenderKeyDistribution(*stores_, {group, self});
}

base::Result<std::string> PhoneCrypto::GroupEncrypt(const std::string& group,
                                                    const wa::signal::Address& self,
                                                    std::string_view padded) {
  return wa::signal::GroupEncrypt(*stores_, {group, self}, padded);
}

void PhoneCrypto::ForgetOwnSenderKey(const std::string& group, const wa::signal::Address& self) {
  (void)kv_.Delete(wa::signal::kSenderKeyType, wa::signal::SenderKeyName{group, self}.ToString());
}

base::Status PhoneCrypto::ProcessDistribution(const std::string& group,
                                              const wa::signal::Address& sender,
                                              std::string_view distribution) {
  return wa::signal::ProcessSenderKeyDistribution(*stores_, {group, sender}, distribution);
}

base::Result<std::string> PhoneCrypto::GroupDecrypt(const std::string& group,
                                                    const wa::signal::Address& sender,
                                                    std::string_view ciphertext) {
  WAGATE_ASSIGN_OR_RETURN(std::string padded,
                          wa::signal::GroupDecrypt(*stores_, {group, sender}, ciphertext));
  return wa::signal::Unpad(padded);
}

}  // namespace sim
