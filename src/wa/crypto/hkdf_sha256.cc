#include "wa/crypto/hkdf_sha256.h"

#include <openssl/core_names.h>

#include "wa/crypto/openssl_util.h"

namespace wa::crypto {

namespace {

base::Result<std::string> Derive(int mode, std::string_view key, std::string_view salt,
                                 std::string_view info, size_t length) {
  constexpr const char* kWhat = "hkdf-sha256";
  if (internal::HkdfKdf() == nullptr) return internal::OpenSslError(kWhat);
  internal::KdfCtx ctx(EVP_KDF_CTX_new(internal::HkdfKdf()));
  if (!ctx) return internal::OpenSslError(kWhat);

  char digest[] = "SHA2-256";
  OSSL_PARAM params[6];
  size_t n = 0;
  params[n++] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
  params[n++] =
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, internal::ParamBytes(key), key.size());
  // An absent salt is passed as absent; OpenSSL then uses HashLen zeros.
  if (!salt.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, internal::ParamBytes(salt),
                                                    salt.size());
  }
  if (!info.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, internal::ParamBytes(info),
                                                    info.size());
  }
  params[n] = OSSL_PARAM_construct_end();

  std::string out(length, '\0');
  if (EVP_KDF_derive(ctx.get(), internal::MutableBytes(out), out.size(), params) != 1) {
    return internal::OpenSslError(kWhat);
  }
  return out;
}

base::Status CheckLength(size_t length) {
  if (length == 0 || length > kHkdfSha256MaxLength) {
    return base::InvalidArgument("hkdf-sha256: output length " + std::to_string(length) +
                                 " is not in 1..8160");
  }
  return base::Status::Ok();
}

}  // namespace

base::Result<std::string> HkdfSha256(const HkdfParams& p) {
  WAGATE_RETURN_IF_ERROR(CheckLength(p.length));
  return Derive(EVP_KDF_HKDF_MODE_EXTRACT_AND_EXPAND, p.ikm, p.salt, p.info, p.length);
}

base::Result<std::string> HkdfSha256Extract(std::string_view salt, std::string_view ikm) {
  return Derive(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, ikm, salt, {}, 32);
}

base::Result<std::string> HkdfSha256Expand(std::string_view prk, std::string_view info,
                                           size_t length) {
  WAGATE_RETURN_IF_ERROR(CheckLength(length));
  if (prk.size() < 32) return base::InvalidArgument("hkdf-sha256: prk shorter than 32 bytes");
  return Derive(EVP_KDF_HKDF_MODE_EXPAND_ONLY, prk, {}, info, length);
}

}  // namespace wa::crypto
