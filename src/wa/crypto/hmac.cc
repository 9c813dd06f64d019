#include "wa/crypto/hmac.h"

#include <openssl/core_names.h>

namespace wa::crypto {

namespace {

base::Result<internal::MacCtx> NewHmacCtx(std::string_view key, const char* what) {
  if (internal::HmacMac() == nullptr) return internal::OpenSslError(what);
  internal::MacCtx ctx(EVP_MAC_CTX_new(internal::HmacMac()));
  if (!ctx) return internal::OpenSslError(what);
  char digest[] = "SHA2-256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end(),
  };
  // A non-null key pointer even for an empty key: with a null key OpenSSL
  // would try to reuse a previous key and fail.
  if (EVP_MAC_init(ctx.get(), internal::Bytes(key), key.size(), params) != 1) {
    return internal::OpenSslError(what);
  }
  return ctx;
}

base::Result<std::string> FinishHmac(EVP_MAC_CTX* ctx, const char* what) {
  std::string out(kHmacSha256Size, '\0');
  size_t len = 0;
  if (EVP_MAC_final(ctx, internal::MutableBytes(out), &len, out.size()) != 1 ||
      len != kHmacSha256Size) {
    return internal::OpenSslError(what);
  }
  return out;
}

}  // namespace

base::Result<std::string> HmacSha256(std::string_view key, std::string_view data) {
  WAGATE_ASSIGN_OR_RETURN(internal::MacCtx ctx, NewHmacCtx(key, "hmac-sha256"));
  if (EVP_MAC_update(ctx.get(), internal::Bytes(data), data.size()) != 1) {
    return internal::OpenSslError("hmac-sha256");
  }
  return FinishHmac(ctx.get(), "hmac-sha256");
}

base::Result<HmacSha256Stream> HmacSha256Stream::Create(std::string_view key) {
  WAGATE_ASSIGN_OR_RETURN(internal::MacCtx ctx, NewHmacCtx(key, "hmac-sha256 stream"));
  return HmacSha256Stream(std::move(ctx));
}

base::Status HmacSha256Stream::Update(std::string_view data) {
  if (finished_) return base::FailedPrecondition("hmac-sha256 stream: update after finish");
  if (EVP_MAC_update(ctx_.get(), internal::Bytes(data), data.size()) != 1) {
    return internal::OpenSslError("hmac-sha256 stream update");
  }
  return base::Status::Ok();
}

base::Result<std::string> HmacSha256Stream::Finish() {
  if (finished_) return base::FailedPrecondition("hmac-sha256 stream: finished twice");
  finished_ = true;
  return FinishHmac(ctx_.get(), "hmac-sha256 stream finish");
}

}  // namespace wa::crypto
