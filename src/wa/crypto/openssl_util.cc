#include "wa/crypto/openssl_util.h"

#include <openssl/err.h>

namespace wa::crypto::internal {

namespace {

// Fetched once, never freed: the objects live as long as the process, and a
// reachable static pointer is not a leak for LeakSanitizer.
template <typename T, T* (*Fetch)(OSSL_LIB_CTX*, const char*, const char*)>
T* FetchOnce(const char* name) {
  return Fetch(nullptr, name, nullptr);
}

}  // namespace

EVP_MD* Sha256Md() {
  static EVP_MD* const md = FetchOnce<EVP_MD, EVP_MD_fetch>("SHA2-256");
  return md;
}

EVP_MD* Sha512Md() {
  static EVP_MD* const md = FetchOnce<EVP_MD, EVP_MD_fetch>("SHA2-512");
  return md;
}

EVP_MAC* HmacMac() {
  static EVP_MAC* const mac = FetchOnce<EVP_MAC, EVP_MAC_fetch>("HMAC");
  return mac;
}

EVP_KDF* HkdfKdf() {
  static EVP_KDF* const kdf = FetchOnce<EVP_KDF, EVP_KDF_fetch>("HKDF");
  return kdf;
}

EVP_KDF* Pbkdf2Kdf() {
  static EVP_KDF* const kdf = FetchOnce<EVP_KDF, EVP_KDF_fetch>("PBKDF2");
  return kdf;
}

EVP_CIPHER* Aes256Gcm() {
  static EVP_CIPHER* const c = FetchOnce<EVP_CIPHER, EVP_CIPHER_fetch>("AES-256-GCM");
  return c;
}

EVP_CIPHER* Aes256Cbc() {
  static EVP_CIPHER* const c = FetchOnce<EVP_CIPHER, EVP_CIPHER_fetch>("AES-256-CBC");
  return c;
}

EVP_CIPHER* Aes256Ctr() {
  static EVP_CIPHER* const c = FetchOnce<EVP_CIPHER, EVP_CIPHER_fetch>("AES-256-CTR");
  return c;
}

base::Status OpenSslError(std::string_view what) {
  std::string message(what);
  unsigned long code = ERR_get_error();
  if (code != 0) {
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    message += ": ";
    message += text;
  } else {
    message += ": openssl call failed";
  }
  ERR_clear_error();
  return base::Internal(std::move(message));
}

const unsigned char* Bytes(std::string_view s) {
  static const unsigned char kEmpty = 0;
  return s.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(s.data());
}

unsigned char* MutableBytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

void* ParamBytes(std::string_view s) { return const_cast<unsigned char*>(Bytes(s)); }

}  // namespace wa::crypto::internal
