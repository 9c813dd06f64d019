#include "wa/crypto/hash.h"

namespace wa::crypto {

namespace {

base::Result<std::string> Digest(EVP_MD* md, size_t size, std::string_view data, const char* what) {
  if (md == nullptr) return internal::OpenSslError(what);
  std::string out(size, '\0');
  unsigned int len = 0;
  if (EVP_Digest(internal::Bytes(data), data.size(), internal::MutableBytes(out), &len, md,
                 nullptr) != 1 ||
      len != size) {
    return internal::OpenSslError(what);
  }
  return out;
}

}  // namespace

base::Result<std::string> Sha256(std::string_view data) {
  return Digest(internal::Sha256Md(), kSha256Size, data, "sha256");
}

base::Result<std::string> Sha512(std::string_view data) {
  return Digest(internal::Sha512Md(), kSha512Size, data, "sha512");
}

base::Result<Sha256Stream> Sha256Stream::Create() {
  internal::MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || internal::Sha256Md() == nullptr ||
      EVP_DigestInit_ex2(ctx.get(), internal::Sha256Md(), nullptr) != 1) {
    return internal::OpenSslError("sha256 stream");
  }
  return Sha256Stream(std::move(ctx));
}

base::Status Sha256Stream::Update(std::string_view data) {
  if (finished_) return base::FailedPrecondition("sha256 stream: update after finish");
  if (EVP_DigestUpdate(ctx_.get(), data.data(), data.size()) != 1) {
    return internal::OpenSslError("sha256 stream update");
  }
  return base::Status::Ok();
}

base::Result<std::string> Sha256Stream::Finish() {
  if (finished_) return base::FailedPrecondition("sha256 stream: finished twice");
  finished_ = true;
  std::string out(kSha256Size, '\0');
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_.get(), internal::MutableBytes(out), &len) != 1 ||
      len != kSha256Size) {
    return internal::OpenSslError("sha256 stream finish");
  }
  return out;
}

}  // namespace wa::crypto
