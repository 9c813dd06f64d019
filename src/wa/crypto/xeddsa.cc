#include "wa/crypto/xeddsa.h"

#include <algorithm>
#include <array>

#include "wa/crypto/openssl_util.h"
#include "wa/crypto/secure_memory.h"

// Exported by libsignal-protocol-c.so (2.3.x; see `nm -D`) but declared only in
// its private header curve_sigs.h. Both return 0 on success.
extern "C" {
int curve25519_sign(unsigned char* signature_out, const unsigned char* curve25519_privkey,
                    const unsigned char* msg, const unsigned long msg_len,
                    const unsigned char* random);
int curve25519_verify(const unsigned char* signature, const unsigned char* curve25519_pubkey,
                      const unsigned char* msg, const unsigned long msg_len);
}

namespace wa::crypto {

namespace {

// Wiped on every exit path.
struct Scratch {
  std::array<char, kCurve25519KeySize> key{};
  std::array<unsigned char, 64> random{};
  ~Scratch() {
    Wipe(key.data(), key.size());
    Wipe(random.data(), random.size());
  }
};

}  // namespace

base::Result<std::string> XeddsaSign(const PrivateKey& key, std::string_view message,
                                     base::Random& random) {
  Scratch scratch;
  std::copy(key.bytes().begin(), key.bytes().end(), scratch.key.begin());
  ClampPrivateKey(scratch.key.data());
  random.Fill(scratch.random.data(), scratch.random.size());
  std::string signature(kSignatureSize, '\0');
  if (curve25519_sign(internal::MutableBytes(signature),
                      reinterpret_cast<const unsigned char*>(scratch.key.data()),
                      internal::Bytes(message), message.size(), scratch.random.data()) != 0) {
    return base::Internal("xeddsa: sign failed (out of memory)");
  }
  return signature;
}

base::Status XeddsaVerify(const PublicKey& key, std::string_view message,
                          std::string_view signature) {
  if (signature.size() != kSignatureSize) {
    return base::InvalidArgument("xeddsa: signature must be 64 bytes, got " +
                                 std::to_string(signature.size()));
  }
  if (curve25519_verify(internal::Bytes(signature), internal::Bytes(key.raw()),
                        internal::Bytes(message), message.size()) != 0) {
    return base::Unauthenticated("xeddsa: signature does not verify");
  }
  return base::Status::Ok();
}

}  // namespace wa::crypto
