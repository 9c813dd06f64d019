#include "wa/pair/adv.h"

#include "wa/crypto/hmac.h"
#include "wa/crypto/secure_memory.h"
#include "wa/crypto/xeddsa.h"
#include "wa/pair/qr.h"
#include "wa/proto/codec.h"

namespace wa::pair {
namespace {

std::string_view AccountPrefix(proto::ADVEncryptionType device_type) {
  return device_type == proto::HOSTED ? kHostedAccountSignaturePrefix : kAccountSignaturePrefix;
}

std::string HmacPrefix(proto::ADVEncryptionType account_type) {
  return account_type == proto::HOSTED ? std::string(kHostedAccountSignaturePrefix) : "";
}

std::string AccountMessage(const proto::ADVDeviceIdentity& details_proto, std::string_view details,
                           const crypto::PublicKey& companion) {
  std::string message(AccountPrefix(details_proto.device_type()));
  message += details;
  message += companion.raw();
  return message;
}

// Baileys signs with 06 01 whatever the device type [§5.4].
std::string DeviceMessage(std::string_view details, const crypto::PublicKey& companion,
                          const crypto::PublicKey& account) {
  std::string message(kDeviceSignaturePrefix);
  message += details;
  message += companion.raw();
  message += account.raw();
  return message;
}

base::Result<DeviceIdentity> DecodeIdentity(const proto::ADVDeviceIdentity& d) {
  if (!d.has_key_index()) {
    return base::InvalidArgument("adv: device identity has no key index");
  }
  return DeviceIdentity{.raw_id = d.raw_id(),
                        .timestamp = d.timestamp(),
                        .key_index = d.key_index(),
                        .account_type = d.account_type(),
                        .device_type = d.device_type()};
}

base::Status CheckSignatureField(const std::string& signature, const char* name) {
  if (signature.size() != crypto::kSignatureSize) {
    return base::InvalidArgument(std::string("adv: ") + name + " must be 64 bytes, got " +
                                 std::to_string(signature.size()));
  }
  return base::Status::Ok();
}

base::Status Mismatch(const base::Status& status, const char* what) {
  if (status.code() == base::Code::kUnauthenticated) {
    return base::Unauthenticated(std::string("adv: signature-mismatch: ") + what);
  }
  return status.WithContext(std::string("adv: ") + what);
}

}  // namespace

base::Result<std::string> BuildDeviceIdentityHmac(const PhoneSignInput& input,
                                                  base::Random& random) {
  if (input.adv_secret.size() != kAdvSecretSize) {
    return base::InvalidArgument("adv: adv secret must be 32 bytes");
  }
  if (input.identity.key_index == 0) {
    return base::InvalidArgument("adv: key index must be at least 1");
  }
  // [§5.3 step 1]: every field is set explicitly, keyIndex above all.
  proto::ADVDeviceIdentity details_proto;
  details_proto.set_raw_id(input.identity.raw_id);
  details_proto.set_timestamp(input.identity.timestamp);
  details_proto.set_key_index(input.identity.key_index);
  details_proto.set_account_type(input.identity.account_type);
  details_proto.set_device_type(input.identity.device_type);
  WAGATE_ASSIGN_OR_RETURN(std::string details, proto::Serialize(details_proto));

  // [§5.3 steps 2–3].
  WAGATE_ASSIGN_OR_RETURN(
      std::string account_signature,
      crypto::XeddsaSign(input.account.private_key,
                         AccountMessage(details_proto, details, input.companion_identity), random));
  proto::ADVSignedDeviceIdentity signed_identity;
  signed_identity.set_details(details);
  signed_identity.set_account_signature_key(std::string(input.account.public_key.raw()));
  signed_identity.set_account_signature(account_signature);
  WAGATE_ASSIGN_OR_RETURN(std::string signed_bytes, proto::Serialize(signed_identity));

  // [§5.3 step 4]. accountType is written only for hosted accounts; Baileys
  // reads its absence as E2EE.
  WAGATE_ASSIGN_OR_RETURN(
      std::string hmac,
      crypto::HmacSha256(input.adv_secret, HmacPrefix(input.identity.account_type) + signed_bytes));
  proto::ADVSignedDeviceIdentityHMAC container;
  container.set_details(signed_bytes);
  container.set_hmac(hmac);
  if (input.identity.account_type == proto::HOSTED) container.set_account_type(proto::HOSTED);
  return proto::Serialize(container);
}

base::Result<CompanionPairing> ProcessDeviceIdentityHmac(std::string_view container_bytes,
                                                         std::string_view adv_secret,
                                                         const crypto::KeyPair& identity,
                                                         base::Random& random) {
  if (adv_secret.size() != kAdvSecretSize) {
    return base::InvalidArgument("adv: adv secret must be 32 bytes");
  }
  WAGATE_ASSIGN_OR_RETURN(auto container,
                          proto::Parse<proto::ADVSignedDeviceIdentityHMAC>(container_bytes));
  if (!container.has_details() || !container.has_hmac()) {
    return base::InvalidArgument("adv: device identity container lacks details or hmac");
  }
  WAGATE_ASSIGN_OR_RETURN(
      std::string expected,
      crypto::HmacSha256(adv_secret, HmacPrefix(container.account_type()) + container.details()));
  if (!crypto::ConstantTimeEqual(expected, container.hmac())) {
    return base::Unauthenticated("adv: hmac-mismatch");
  }

  WAGATE_ASSIGN_OR_RETURN(auto account,
                          proto::Parse<proto::ADVSignedDeviceIdentity>(container.details()));
  WAGATE_RETURN_IF_ERROR(CheckSignatureField(account.account_signature(), "account signature"));
  WAGATE_ASSIGN_OR_RETURN(crypto::PublicKey account_key,
                          crypto::PublicKey::FromRaw(account.account_signature_key()));
  WAGATE_ASSIGN_OR_RETURN(auto details_proto,
                          proto::Parse<proto::ADVDeviceIdentity>(account.details()));
  WAGATE_ASSIGN_OR_RETURN(DeviceIdentity decoded, DecodeIdentity(details_proto));

  // Baileys' check is ineffective in rc14; whatsmeow's is real, and so is ours [§14.2].
  base::Status verified = crypto::XeddsaVerify(
      account_key, AccountMessage(details_proto, account.details(), identity.public_key),
      account.account_signature());
  if (!verified.ok()) return Mismatch(verified, "account signature");

  WAGATE_ASSIGN_OR_RETURN(
      std::string device_signature,
      crypto::XeddsaSign(identity.private_key,
                         DeviceMessage(account.details(), identity.public_key, account_key),
                         random));
  account.set_device_signature(device_signature);

  proto::ADVSignedDeviceIdentity reply = account;
  reply.clear_account_signature_key();
  WAGATE_ASSIGN_OR_RETURN(std::string reply_bytes, proto::Serialize(reply));
  return CompanionPairing{
      .account = std::move(account), .identity = decoded, .reply_identity = std::move(reply_bytes)};
}

base::Result<DeviceIdentity> VerifyDeviceIdentityReply(
    std::string_view signed_bytes, const crypto::PublicKey& account_key,
    const crypto::PublicKey& companion_identity) {
  WAGATE_ASSIGN_OR_RETURN(auto account, proto::Parse<proto::ADVSignedDeviceIdentity>(signed_bytes));
  if (account.has_account_signature_key() && account.account_signature_key() != account_key.raw()) {
    return base::Unauthenticated("adv: signature-mismatch: foreign account signature key");
  }
  WAGATE_RETURN_IF_ERROR(CheckSignatureField(account.account_signature(), "account signature"));
  WAGATE_RETURN_IF_ERROR(CheckSignatureField(account.device_signature(), "device signature"));
  WAGATE_ASSIGN_OR_RETURN(auto details_proto,
                          proto::Parse<proto::ADVDeviceIdentity>(account.details()));
  WAGATE_ASSIGN_OR_RETURN(DeviceIdentity decoded, DecodeIdentity(details_proto));

  base::Status verified = crypto::XeddsaVerify(
      account_key, AccountMessage(details_proto, account.details(), companion_identity),
      account.account_signature());
  if (!verified.ok()) return Mismatch(verified, "account signature");
  verified = crypto::XeddsaVerify(companion_identity,
                                  DeviceMessage(account.details(), companion_identity, account_key),
                                  account.device_signature());
  if (!verified.ok()) return Mismatch(verified, "device signature");
  return decoded;
}

}  // namespace wa::pair
