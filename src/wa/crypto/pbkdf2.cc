#include "wa/crypto/pbkdf2.h"

#include <openssl/core_names.h>

#include "wa/crypto/openssl_util.h"

namespace wa::crypto {

base::Result<std::string> Pbkdf2HmacSha256(std::string_view password, std::string_view salt,
                                           uint32_t iterations, size_t length) {
  constexpr const char* kWhat = "pbkdf2-hmac-sha256";
  if (iterations == 0) return base::InvalidArgument("pbkdf2: iterations must be at least 1");
  if (length == 0 || length > 1024) {
    return base::InvalidArgument("pbkdf2: output length must be 1..1024");
  }
  if (internal::Pbkdf2Kdf() == nullptr) return internal::OpenSslError(kWhat);
  internal::KdfCtx ctx(EVP_KDF_CTX_new(internal::Pbkdf2Kdf()));
  if (!ctx) return internal::OpenSslError(kWhat);

  char digest[] = "SHA2-256";
  uint64_t iter = iterations;
  int no_lower_bound_checks = 1;  // OSSL_KDF_PARAM_PKCS5 = 1: RFC 8018 without SP 800-132 limits
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, internal::ParamBytes(password),
                                        password.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, internal::ParamBytes(salt),
                                        salt.size()),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_ITER, &iter),
      OSSL_PARAM_construct_int(OSSL_KDF_PARAM_PKCS5, &no_lower_bound_checks),
      OSSL_PARAM_construct_end(),
  };
  std::string out(length, '\0');
  if (EVP_KDF_derive(ctx.get(), internal::MutableBytes(out), out.size(), params) != 1) {
    return internal::OpenSslError(kWhat);
  }
  return out;
}

}  // namespace wa::crypto
