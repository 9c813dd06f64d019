// Internal to wa/crypto: OpenSSL 3 plumbing shared by the primitives.
//
// Algorithms are fetched once per process (EVP_*_fetch is costly; the fetched
// objects are reference counted and safe to share between threads) and kept
// for the life of the process. Failures are turned into base::Status with the
// OpenSSL error queue text, and the queue is cleared so that one failure never
// leaks into an unrelated later call. Not part of the public API.
#pragma once

#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace wa::crypto::internal {

// Fetched algorithms; nullptr only if the OpenSSL default provider is missing.
EVP_MD* Sha256Md();
EVP_MD* Sha512Md();
EVP_MAC* HmacMac();
EVP_KDF* HkdfKdf();
EVP_KDF* Pbkdf2Kdf();
EVP_CIPHER* Aes256Gcm();
EVP_CIPHER* Aes256Cbc();
EVP_CIPHER* Aes256Ctr();

// kInternal "<what>: <openssl error text>"; drains the OpenSSL error queue.
base::Status OpenSslError(std::string_view what);

// OpenSSL rejects a null pointer even for zero-length inputs in some calls;
// this returns a valid pointer for every view, empty or not.
const unsigned char* Bytes(std::string_view s);
unsigned char* MutableBytes(std::string& s);

// OSSL_PARAM wants non-const pointers for octet strings it only reads.
void* ParamBytes(std::string_view s);

struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct MacCtxFree {
  void operator()(EVP_MAC_CTX* p) const { EVP_MAC_CTX_free(p); }
};
struct KdfCtxFree {
  void operator()(EVP_KDF_CTX* p) const { EVP_KDF_CTX_free(p); }
};
struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};

using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using MacCtx = std::unique_ptr<EVP_MAC_CTX, MacCtxFree>;
using KdfCtx = std::unique_ptr<EVP_KDF_CTX, KdfCtxFree>;
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;

// EVP_*Update take an int length; inputs are fed in slices of at most this.
inline constexpr size_t kMaxUpdate = size_t{1} << 30;

}  // namespace wa::crypto::internal
