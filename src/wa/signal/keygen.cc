#include "wa/signal/keygen.h"

#include "wa/crypto/curve25519.h"
#include "wa/crypto/xeddsa.h"

namespace wa::signal {

base::Result<KeyPairBytes> GenerateKeyPair(base::Random& random) {
  WAGATE_ASSIGN_OR_RETURN(auto pair, wa::crypto::KeyPair::Generate(random));
  return KeyPairBytes{std::string(pair.public_key.raw()), std::string(pair.private_key.bytes())};
}

uint32_t GenerateRegistrationId(base::Random& random) {
  uint32_t value = 0;
  random.Fill(&value, sizeof(value));
  return (value & 0x7FFFFFFF) % 16380 + 1;
}

base::Result<SignedPreKey> GenerateSignedPreKey(const KeyPairBytes& identity, uint32_t id,
                                                base::Random& random) {
  if (id == 0 || id > kMaxPreKeyId) {
    return base::InvalidArgument("signed pre-key id " + std::to_string(id) + " out of range");
  }
  WAGATE_ASSIGN_OR_RETURN(auto identity_private,
                          wa::crypto::PrivateKey::FromBytes(identity.private_key));
  WAGATE_ASSIGN_OR_RETURN(auto pair, wa::crypto::KeyPair::Generate(random));
  WAGATE_ASSIGN_OR_RETURN(
      std::string signature,
      wa::crypto::XeddsaSign(identity_private, pair.public_key.Signal(), random));
  return SignedPreKey{
      id, KeyPairBytes{std::string(pair.public_key.raw()), std::string(pair.private_key.bytes())},
      std::move(signature)};
}

base::Result<std::vector<PreKey>> GeneratePreKeys(uint32_t start_id, uint32_t count,
                                                  base::Random& random) {
  if (start_id == 0 || (count > 0 && uint64_t{start_id} + count - 1 > kMaxPreKeyId)) {
    return base::InvalidArgument("pre-key ids " + std::to_string(start_id) + "+" +
                                 std::to_string(count) + " exceed 24 bits");
  }
  std::vector<PreKey> keys;
  keys.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    WAGATE_ASSIGN_OR_RETURN(KeyPairBytes pair, GenerateKeyPair(random));
    keys.push_back(PreKey{start_id + i, std::move(pair)});
  }
  return keys;
}

}  // namespace wa::signal
