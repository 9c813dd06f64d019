#include "wa/signal/crypto_provider.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <string>

namespace wa::signal {
namespace {

// Algorithms are fetched once per process: the implicit fetch behind
// EVP_aes_256_cbc() & co. costs a lookup on every init, several per message.
const EVP_MD* Sha512Md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA2-512", nullptr);
  return md;
}

const EVP_CIPHER* Fetched(int index) {
  static const char* const kNames[] = {"AES-128-CBC", "AES-192-CBC", "AES-256-CBC",
                                       "AES-128-CTR", "AES-192-CTR", "AES-256-CTR"};
  static EVP_CIPHER* ciphers[] = {
      EVP_CIPHER_fetch(nullptr, kNames[0], nullptr), EVP_CIPHER_fetch(nullptr, kNames[1], nullptr),
      EVP_CIPHER_fetch(nullptr, kNames[2], nullptr), EVP_CIPHER_fetch(nullptr, kNames[3], nullptr),
      EVP_CIPHER_fetch(nullptr, kNames[4], nullptr), EVP_CIPHER_fetch(nullptr, kNames[5], nullptr)};
  return ciphers[index];
}

int RandomFunc(uint8_t* data, size_t len, void* user_data) {
  static_cast<base::Random*>(user_data)->Fill(data, len);
  return 0;
}

// HMAC-SHA256 contexts are duplicated from a per-thread template that
// already has its digest set: EVP_MAC_init with a digest parameter looks the
// digest up by name every time, which was a tenth of a message's cost.
EVP_MAC_CTX* NewHmacCtx() {
  struct Template {
    EVP_MAC_CTX* ctx = nullptr;
    Template() {
      EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
      if (mac == nullptr) return;
      ctx = EVP_MAC_CTX_new(mac);
      EVP_MAC_free(mac);  // the context keeps its own reference
      char digest[] = "SHA2-256";
      OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                             OSSL_PARAM_construct_end()};
      if (ctx != nullptr && EVP_MAC_CTX_set_params(ctx, params) != 1) {
        EVP_MAC_CTX_free(ctx);
        ctx = nullptr;
      }
    }
    ~Template() { EVP_MAC_CTX_free(ctx); }
  };
  thread_local Template tmpl;
  return tmpl.ctx == nullptr ? nullptr : EVP_MAC_CTX_dup(tmpl.ctx);
}

int HmacInit(void** hmac_context, const uint8_t* key, size_t key_len, void*) {
  EVP_MAC_CTX* ctx = NewHmacCtx();
  if (ctx == nullptr) return SG_ERR_NOMEM;
  // A non-null key pointer even for an empty key (OpenSSL would otherwise
  // try to reuse a previous key).
  static const uint8_t kEmpty = 0;
  if (EVP_MAC_init(ctx, key_len == 0 ? &kEmpty : key, key_len, nullptr) != 1) {
    EVP_MAC_CTX_free(ctx);
    return SG_ERR_UNKNOWN;
  }
  *hmac_context = ctx;
  return 0;
}

int HmacUpdate(void* hmac_context, const uint8_t* data, size_t data_len, void*) {
  return EVP_MAC_update(static_cast<EVP_MAC_CTX*>(hmac_context), data, data_len) == 1
             ? 0
             : SG_ERR_UNKNOWN;
}

int HmacFinal(void* hmac_context, signal_buffer** output, void*) {
  uint8_t tag[32];
  size_t len = 0;
  if (EVP_MAC_final(static_cast<EVP_MAC_CTX*>(hmac_context), tag, &len, sizeof tag) != 1 ||
      len != sizeof tag) {
    return SG_ERR_UNKNOWN;
  }
  signal_buffer* buffer = signal_buffer_create(tag, len);
  if (buffer == nullptr) return SG_ERR_NOMEM;
  *output = buffer;
  return 0;
}

void HmacCleanup(void* hmac_context, void*) {
  EVP_MAC_CTX_free(static_cast<EVP_MAC_CTX*>(hmac_context));
}

int Sha512Init(void** digest_context, void*) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) return SG_ERR_NOMEM;
  if (Sha512Md() == nullptr || EVP_DigestInit_ex(ctx, Sha512Md(), nullptr) != 1) {
    EVP_MD_CTX_free(ctx);
    return SG_ERR_UNKNOWN;
  }
  *digest_context = ctx;
  return 0;
}

int Sha512Update(void* digest_context, const uint8_t* data, size_t data_len, void*) {
  return EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(digest_context), data, data_len) == 1
             ? 0
             : SG_ERR_UNKNOWN;
}

int Sha512Final(void* digest_context, signal_buffer** output, void*) {
  auto* ctx = static_cast<EVP_MD_CTX*>(digest_context);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx, digest, &len) != 1) return SG_ERR_UNKNOWN;
  // libsignal reuses the context after final (fingerprints iterate), as the
  // reference providers allow: re-arm it.
  if (EVP_DigestInit_ex(ctx, Sha512Md(), nullptr) != 1) return SG_ERR_UNKNOWN;
  signal_buffer* buffer = signal_buffer_create(digest, len);
  if (buffer == nullptr) return SG_ERR_NOMEM;
  *output = buffer;
  return 0;
}

void Sha512Cleanup(void* digest_context, void*) {
  EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(digest_context));
}

const EVP_CIPHER* CipherFor(int cipher, size_t key_len) {
  if (cipher == SG_CIPHER_AES_CBC_PKCS5) {
    switch (key_len) {
      case 16:
        return Fetched(0);
      case 24:
        return Fetched(1);
      case 32:
        return Fetched(2);
      default:
        return nullptr;
    }
  }
  if (cipher == SG_CIPHER_AES_CTR_NOPADDING) {
    switch (key_len) {
      case 16:
        return Fetched(3);
      case 24:
        return Fetched(4);
      case 32:
        return Fetched(5);
      default:
        return nullptr;
    }
  }
  return nullptr;
}

int Crypt(bool encrypt, signal_buffer** output, int cipher, const uint8_t* key, size_t key_len,
          const uint8_t* iv, size_t iv_len, const uint8_t* in, size_t in_len) {
  const EVP_CIPHER* evp = CipherFor(cipher, key_len);
  if (evp == nullptr || iv_len != 16) return SG_ERR_INVAL;
  if (in_len > (size_t{1} << 30)) return SG_ERR_INVAL;
  if (!encrypt && cipher == SG_CIPHER_AES_CBC_PKCS5 && (in_len == 0 || in_len % 16 != 0)) {
    return SG_ERR_INVALID_MESSAGE;
  }
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  if (ctx == nullptr) return SG_ERR_NOMEM;
  std::string out(in_len + 16, '\0');
  int len1 = 0;
  int len2 = 0;
  auto* out_bytes = reinterpret_cast<unsigned char*>(out.data());
  static const unsigned char kEmpty = 0;
  const unsigned char* in_bytes = in_len == 0 ? &kEmpty : in;
  bool ok = EVP_CipherInit_ex(ctx, evp, nullptr, key, iv, encrypt ? 1 : 0) == 1 &&
            EVP_CipherUpdate(ctx, out_bytes, &len1, in_bytes, static_cast<int>(in_len)) == 1 &&
            EVP_CipherFinal_ex(ctx, out_bytes + len1, &len2) == 1;
  EVP_CIPHER_CTX_free(ctx);
  if (!ok) {
    OPENSSL_cleanse(out.data(), out.size());
    // A decryption that fails in Final has malformed padding.
    return encrypt ? SG_ERR_UNKNOWN : SG_ERR_INVALID_MESSAGE;
  }
  signal_buffer* buffer = signal_buffer_create(out_bytes, static_cast<size_t>(len1 + len2));
  OPENSSL_cleanse(out.data(), out.size());
  if (buffer == nullptr) return SG_ERR_NOMEM;
  *output = buffer;
  return 0;
}

int EncryptFunc(signal_buffer** output, int cipher, const uint8_t* key, size_t key_len,
                const uint8_t* iv, size_t iv_len, const uint8_t* plaintext, size_t plaintext_len,
                void*) {
  return Crypt(true, output, cipher, key, key_len, iv, iv_len, plaintext, plaintext_len);
}

int DecryptFunc(signal_buffer** output, int cipher, const uint8_t* key, size_t key_len,
                const uint8_t* iv, size_t iv_len, const uint8_t* ciphertext, size_t ciphertext_len,
                void*) {
  return Crypt(false, output, cipher, key, key_len, iv, iv_len, ciphertext, ciphertext_len);
}

}  // namespace

signal_crypto_provider MakeCryptoProvider(base::Random* random) {
  signal_crypto_provider provider{};
  provider.random_func = RandomFunc;
  provider.hmac_sha256_init_func = HmacInit;
  provider.hmac_sha256_update_func = HmacUpdate;
  provider.hmac_sha256_final_func = HmacFinal;
  provider.hmac_sha256_cleanup_func = HmacCleanup;
  provider.sha512_digest_init_func = Sha512Init;
  provider.sha512_digest_update_func = Sha512Update;
  provider.sha512_digest_final_func = Sha512Final;
  provider.sha512_digest_cleanup_func = Sha512Cleanup;
  provider.encrypt_func = EncryptFunc;
  provider.decrypt_func = DecryptFunc;
  provider.user_data = random;
  return provider;
}

}  // namespace wa::signal
