#include "wa/crypto/curve25519.h"

#include <openssl/err.h>

#include <cstring>

#include "wa/crypto/openssl_util.h"
#include "wa/crypto/secure_memory.h"

namespace wa::crypto {

namespace {

base::Result<internal::Pkey> PrivatePkey(std::string_view raw) {
  internal::Pkey pkey(EVP_PKEY_new_raw_private_key_ex(nullptr, "X25519", nullptr,
                                                      internal::Bytes(raw), raw.size()));
  if (!pkey) return internal::OpenSslError("x25519 private key");
  return pkey;
}

}  // namespace

void ClampPrivateKey(char* key32) {
  auto* k = reinterpret_cast<unsigned char*>(key32);
  k[0] &= 248;
  k[31] &= 127;
  k[31] |= 64;
}

base::Result<PublicKey> PublicKey::FromRaw(std::string_view raw) {
  if (raw.size() != kCurve25519KeySize) {
    return base::InvalidArgument("curve25519: public key must be 32 bytes, got " +
                                 std::to_string(raw.size()));
  }
  PublicKey key;
  std::memcpy(key.bytes_.data(), raw.data(), kCurve25519KeySize);
  return key;
}

base::Result<PublicKey> PublicKey::FromSignal(std::string_view prefixed) {
  if (prefixed.size() != kSignalPublicKeySize || prefixed[0] != kDjbKeyType) {
    return base::InvalidArgument("curve25519: signal public key must be 05 + 32 bytes");
  }
  return FromRaw(prefixed.substr(1));
}

base::Result<PublicKey> PublicKey::Parse(std::string_view bytes) {
  if (bytes.size() == kSignalPublicKeySize) return FromSignal(bytes);
  return FromRaw(bytes);
}

std::string PublicKey::Signal() const {
  std::string out(1, kDjbKeyType);
  out.append(bytes_.data(), bytes_.size());
  return out;
}

PrivateKey PrivateKey::Generate(base::Random& random) {
  PrivateKey key;
  random.Fill(key.bytes_.data(), key.bytes_.size());
  ClampPrivateKey(key.bytes_.data());
  return key;
}

base::Result<PrivateKey> PrivateKey::FromBytes(std::string_view raw) {
  if (raw.size() != kCurve25519KeySize) {
    return base::InvalidArgument("curve25519: private key must be 32 bytes, got " +
                                 std::to_string(raw.size()));
  }
  PrivateKey key;
  std::memcpy(key.bytes_.data(), raw.data(), kCurve25519KeySize);
  return key;
}

PrivateKey::~PrivateKey() { Wipe(bytes_.data(), bytes_.size()); }

base::Result<PublicKey> PrivateKey::Public() const {
  WAGATE_ASSIGN_OR_RETURN(internal::Pkey pkey, PrivatePkey(bytes()));
  size_t len = kCurve25519KeySize;
  std::array<unsigned char, kCurve25519KeySize> raw{};
  if (EVP_PKEY_get_raw_public_key(pkey.get(), raw.data(), &len) != 1 || len != kCurve25519KeySize) {
    return internal::OpenSslError("x25519 public key");
  }
  return PublicKey::FromRaw(std::string_view(reinterpret_cast<const char*>(raw.data()), len));
}

base::Result<KeyPair> KeyPair::Generate(base::Random& random) {
  PrivateKey private_key = PrivateKey::Generate(random);
  WAGATE_ASSIGN_OR_RETURN(PublicKey public_key, private_key.Public());
  return KeyPair{std::move(private_key), public_key};
}

base::Result<KeyPair> KeyPair::FromPrivate(std::string_view raw_private) {
  WAGATE_ASSIGN_OR_RETURN(PrivateKey private_key, PrivateKey::FromBytes(raw_private));
  WAGATE_ASSIGN_OR_RETURN(PublicKey public_key, private_key.Public());
  return KeyPair{std::move(private_key), public_key};
}

base::Result<std::string> SharedSecret(const PrivateKey& private_key, const PublicKey& peer) {
  WAGATE_ASSIGN_OR_RETURN(internal::Pkey mine, PrivatePkey(private_key.bytes()));
  internal::Pkey theirs(EVP_PKEY_new_raw_public_key_ex(
      nullptr, "X25519", nullptr, internal::Bytes(peer.raw()), peer.raw().size()));
  if (!theirs) return internal::OpenSslError("x25519 peer key");
  internal::PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, mine.get(), nullptr));
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer(ctx.get(), theirs.get()) != 1) {
    return internal::OpenSslError("x25519 derive");
  }
  std::string out(kCurve25519KeySize, '\0');
  size_t len = out.size();
  if (EVP_PKEY_derive(ctx.get(), internal::MutableBytes(out), &len) != 1 ||
      len != kCurve25519KeySize) {
    // The one input-dependent failure: the result is all zeros because the
    // peer key is a point of small order (RFC 7748 §6.1).
    ERR_clear_error();
    return base::InvalidArgument("x25519: peer public key gives an all-zero shared secret");
  }
  return out;
}

}  // namespace wa::crypto
