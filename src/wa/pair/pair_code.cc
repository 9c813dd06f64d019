#include "wa/pair/pair_code.h"

#include "wa/crypto/aes_ctr.h"
#include "wa/crypto/aes_gcm.h"
#include "wa/crypto/hkdf_sha256.h"
#include "wa/crypto/pbkdf2.h"
#include "wa/crypto/secure_memory.h"

namespace wa::pair {
namespace {

constexpr size_t kSaltSize = 32;
constexpr size_t kBundleSaltSize = 32;
constexpr size_t kBundleRandomSize = 32;

base::Result<std::string> BundleKey(std::string_view shared, std::string_view salt) {
  return crypto::HkdfSha256(
      {.ikm = shared, .salt = salt, .info = kKeyBundleInfo, .length = crypto::kAesKeySize});
}

// [§6.4 step 6]: no salt, i.e. 32 zero bytes.
base::Result<std::string> AdvSecret(std::string_view s1, std::string_view s2,
                                    std::string_view random) {
  std::string ikm;
  ikm.reserve(s1.size() + s2.size() + random.size());
  ikm.append(s1).append(s2).append(random);
  return crypto::HkdfSha256({.ikm = ikm, .info = kAdvSecretInfo, .length = 32});
}

}  // namespace

std::string GeneratePairingCode(base::Random& random) {
  // 5 bytes = 40 bits = exactly 8 base32 digits, most significant first.
  std::string bytes = random.Bytes(5);
  uint64_t value = 0;
  for (unsigned char b : bytes) value = (value << 8) | b;
  std::string code(kPairingCodeLength, '\0');
  for (size_t i = 0; i < kPairingCodeLength; ++i) {
    code[i] = kPairingCodeAlphabet[(value >> (35 - 5 * i)) & 31];
  }
  return code;
}

base::Result<std::string> DerivePairingCodeKey(std::string_view code, std::string_view salt) {
  if (code.size() != kPairingCodeLength) {
    return base::InvalidArgument("pair code: code must be 8 characters, got " +
                                 std::to_string(code.size()));
  }
  return crypto::Pbkdf2HmacSha256(code, salt, crypto::kPairingCodeIterations, crypto::kAesKeySize);
}

base::Result<std::string> WrapEphemeralKey(std::string_view code, const crypto::PublicKey& key,
                                           base::Random& random) {
  std::string salt = random.Bytes(kSaltSize);
  std::string iv = random.Bytes(crypto::kCtrIvSize);
  WAGATE_ASSIGN_OR_RETURN(std::string aes_key, DerivePairingCodeKey(code, salt));
  WAGATE_ASSIGN_OR_RETURN(std::string ciphertext, crypto::AesCtrEncrypt(aes_key, iv, key.raw()));
  return salt + iv + ciphertext;
}

base::Result<crypto::PublicKey> UnwrapEphemeralKey(std::string_view code,
                                                   std::string_view wrapped) {
  if (wrapped.size() != kWrappedKeySize) {
    return base::InvalidArgument("pair code: wrapped key must be 80 bytes, got " +
                                 std::to_string(wrapped.size()));
  }
  std::string_view salt = wrapped.substr(0, kSaltSize);
  std::string_view iv = wrapped.substr(kSaltSize, crypto::kCtrIvSize);
  std::string_view ciphertext = wrapped.substr(kSaltSize + crypto::kCtrIvSize);
  WAGATE_ASSIGN_OR_RETURN(std::string aes_key, DerivePairingCodeKey(code, salt));
  WAGATE_ASSIGN_OR_RETURN(std::string raw, crypto::AesCtrDecrypt(aes_key, iv, ciphertext));
  return crypto::PublicKey::FromRaw(raw);
}

base::Result<PrimaryHello> BuildPrimaryHello(std::string_view code,
                                             std::string_view wrapped_companion_ephemeral,
                                             base::Random& random) {
  WAGATE_ASSIGN_OR_RETURN(crypto::PublicKey companion,
                          UnwrapEphemeralKey(code, wrapped_companion_ephemeral));
  WAGATE_ASSIGN_OR_RETURN(crypto::KeyPair ephemeral, crypto::KeyPair::Generate(random));
  WAGATE_ASSIGN_OR_RETURN(std::string wrapped,
                          WrapEphemeralKey(code, ephemeral.public_key, random));
  return PrimaryHello{.companion_ephemeral = companion,
                      .primary_ephemeral = std::move(ephemeral),
                      .wrapped_primary_ephemeral = std::move(wrapped)};
}

base::Result<CompanionFinish> BuildCompanionFinish(const CompanionFinishInput& input,
                                                   base::Random& random) {
  // [§6.4 steps 1–6], in Baileys' order of random draws.
  WAGATE_ASSIGN_OR_RETURN(crypto::PublicKey primary_ephemeral,
                          UnwrapEphemeralKey(input.code, input.wrapped_primary_ephemeral));
  WAGATE_ASSIGN_OR_RETURN(
      std::string s1, crypto::SharedSecret(input.pairing_ephemeral.private_key, primary_ephemeral));
  std::string bundle_random = random.Bytes(kBundleRandomSize);
  std::string bundle_salt = random.Bytes(kBundleSaltSize);
  WAGATE_ASSIGN_OR_RETURN(std::string bundle_key, BundleKey(s1, bundle_salt));
  std::string plain;
  plain.append(input.identity.public_key.raw())
      .append(input.primary_identity.raw())
      .append(bundle_random);
  std::string nonce = random.Bytes(crypto::kGcmIvSize);
  WAGATE_ASSIGN_OR_RETURN(std::string sealed, crypto::AesGcmEncrypt(bundle_key, nonce, plain, ""));
  WAGATE_ASSIGN_OR_RETURN(std::string s2,
                          crypto::SharedSecret(input.identity.private_key, input.primary_identity));
  WAGATE_ASSIGN_OR_RETURN(std::string adv, AdvSecret(s1, s2, bundle_random));
  return CompanionFinish{.wrapped_key_bundle = bundle_salt + nonce + sealed,
                         .adv_secret = std::move(adv)};
}

base::Result<std::string> ProcessCompanionFinish(const PhoneFinishInput& input) {
  std::string_view bundle = input.wrapped_key_bundle;
  if (bundle.size() != kKeyBundleSize) {
    return base::InvalidArgument("pair code: key bundle must be 156 bytes, got " +
                                 std::to_string(bundle.size()));
  }
  WAGATE_ASSIGN_OR_RETURN(std::string s1, crypto::SharedSecret(input.primary_ephemeral.private_key,
                                                               input.companion_ephemeral));
  WAGATE_ASSIGN_OR_RETURN(std::string bundle_key, BundleKey(s1, bundle.substr(0, kBundleSaltSize)));
  auto plain = crypto::AesGcmDecrypt(bundle_key, bundle.substr(kBundleSaltSize, crypto::kGcmIvSize),
                                     bundle.substr(kBundleSaltSize + crypto::kGcmIvSize), "");
  if (!plain.ok()) return plain.status().WithContext("pair code: key bundle");
  std::string_view p = *plain;
  // [§6.5]: the bundle names both identities; they must be the ones we know.
  if (!crypto::ConstantTimeEqual(p.substr(0, 32), input.companion_identity.raw()) ||
      !crypto::ConstantTimeEqual(p.substr(32, 32), input.account.public_key.raw())) {
    return base::Unauthenticated("pair code: key bundle names other identity keys");
  }
  WAGATE_ASSIGN_OR_RETURN(
      std::string s2, crypto::SharedSecret(input.account.private_key, input.companion_identity));
  return AdvSecret(s1, s2, p.substr(64, kBundleRandomSize));
}

}  // namespace wa::pair
