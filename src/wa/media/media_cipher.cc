#include "wa/media/media_cipher.h"

#include <algorithm>

#include "wa/crypto/secure_memory.h"

namespace wa::media {

namespace {

// Work in slices that stay in L2 cache between the cipher and the hashes.
constexpr size_t kSlice = 64 * 1024;

base::Status Integrity(std::string what) { return base::DataLoss("media: " + std::move(what)); }

std::string AsString(const std::array<uint8_t, 32>& digest) {
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

}  // namespace

// ---- MediaEncryptor --------------------------------------------------------

base::Result<MediaEncryptor> MediaEncryptor::Create(const MediaKeys& keys) {
  if (internal::FusedCipherAvailable()) {
    return MediaEncryptor(
        std::make_unique<internal::FusedEncryptor>(keys.cipher_key(), keys.iv(), keys.mac_key()));
  }
  WAGATE_ASSIGN_OR_RETURN(auto cbc, crypto::AesCbcStream::Encryptor(keys.cipher_key(), keys.iv()));
  WAGATE_ASSIGN_OR_RETURN(auto mac, crypto::HmacSha256Stream::Create(keys.mac_key()));
  WAGATE_RETURN_IF_ERROR(mac.Update(keys.iv()));  // the MAC covers iv ‖ ciphertext
  WAGATE_ASSIGN_OR_RETURN(auto plain_sha, crypto::Sha256Stream::Create());
  WAGATE_ASSIGN_OR_RETURN(auto enc_sha, crypto::Sha256Stream::Create());
  return MediaEncryptor(
      Streams{std::move(cbc), std::move(mac), std::move(plain_sha), std::move(enc_sha)});
}

base::Status MediaEncryptor::Process(std::string_view plaintext, std::string* out) {
  if (fused_) {
    fused_->Update(plaintext, out);
    return base::Status::Ok();
  }
  WAGATE_RETURN_IF_ERROR(streams_->plain_sha.Update(plaintext));
  const size_t at = out->size();
  WAGATE_RETURN_IF_ERROR(streams_->cbc.Update(plaintext, out));
  const std::string_view fresh = std::string_view(*out).substr(at);
  WAGATE_RETURN_IF_ERROR(streams_->mac.Update(fresh));
  return streams_->enc_sha.Update(fresh);
}

base::Status MediaEncryptor::Update(std::string_view plaintext, std::string* out) {
  if (done_) return base::FailedPrecondition("media encryptor: update after finish or error");
  for (size_t at = 0; at < plaintext.size(); at += kSlice) {
    base::Status s = Process(plaintext.substr(at, kSlice), out);
    if (!s.ok()) {
      done_ = true;
      return s;
    }
  }
  length_ += plaintext.size();
  return base::Status::Ok();
}

base::Result<MediaDigest> MediaEncryptor::Finish(std::string* out) {
  if (done_) return base::FailedPrecondition("media encryptor: finished twice or after error");
  done_ = true;
  MediaDigest digest;
  digest.file_length = length_;
  if (fused_) {
    std::array<uint8_t, 32> plain_sha, enc_sha;
    fused_->Finish(kMediaMacSize, out, &plain_sha, &enc_sha);
    digest.file_sha256 = AsString(plain_sha);
    digest.file_enc_sha256 = AsString(enc_sha);
    return digest;
  }
  Streams& s = *streams_;
  const size_t at = out->size();
  WAGATE_RETURN_IF_ERROR(s.cbc.Finish(out));
  const std::string_view last = std::string_view(*out).substr(at);
  WAGATE_RETURN_IF_ERROR(s.mac.Update(last));
  WAGATE_RETURN_IF_ERROR(s.enc_sha.Update(last));
  WAGATE_ASSIGN_OR_RETURN(std::string full_mac, s.mac.Finish());
  const std::string_view mac = std::string_view(full_mac).substr(0, kMediaMacSize);
  out->append(mac);
  WAGATE_RETURN_IF_ERROR(s.enc_sha.Update(mac));
  WAGATE_ASSIGN_OR_RETURN(digest.file_sha256, s.plain_sha.Finish());
  WAGATE_ASSIGN_OR_RETURN(digest.file_enc_sha256, s.enc_sha.Finish());
  return digest;
}

// ---- MediaDecryptor --------------------------------------------------------

base::Result<MediaDecryptor> MediaDecryptor::Create(const MediaKeys& keys,
                                                    MediaExpectations expect) {
  WAGATE_ASSIGN_OR_RETURN(auto cbc, crypto::AesCbcStream::Decryptor(keys.cipher_key(), keys.iv()));
  WAGATE_ASSIGN_OR_RETURN(auto mac, crypto::HmacSha256Stream::Create(keys.mac_key()));
  WAGATE_RETURN_IF_ERROR(mac.Update(keys.iv()));
  WAGATE_ASSIGN_OR_RETURN(auto plain_sha, crypto::Sha256Stream::Create());
  WAGATE_ASSIGN_OR_RETURN(auto enc_sha, crypto::Sha256Stream::Create());
  MediaDecryptor decryptor(std::move(cbc), std::move(mac), std::move(plain_sha), std::move(enc_sha),
                           std::move(expect));
  if (internal::FusedCipherAvailable()) {
    decryptor.ni_ = std::make_unique<internal::NiMediaHashes>(keys.mac_key());
    decryptor.ni_->mac.Update(keys.iv());
  }
  return decryptor;
}

// Decrypts and hashes the plaintext; the caller has fed the MAC.
base::Status MediaDecryptor::Process(std::string_view ciphertext, std::string* out) {
  if (ciphertext.empty()) return base::Status::Ok();
  const size_t at = out->size();
  WAGATE_RETURN_IF_ERROR(cbc_.Update(ciphertext, out));
  const std::string_view fresh = std::string_view(*out).substr(at);
  length_ += fresh.size();
  if (ni_) {
    ni_->plain_sha.Update(fresh);
    return base::Status::Ok();
  }
  return plain_sha_.Update(fresh);
}

base::Status MediaDecryptor::Update(std::string_view encrypted, std::string* out) {
  if (done_) return base::FailedPrecondition("media decryptor: update after finish or error");
  for (size_t at = 0; at < encrypted.size(); at += kSlice) {
    const std::string_view slice = encrypted.substr(at, kSlice);
    // Everything but the newest 10 bytes is known to be ciphertext: first
    // the held-back tail, then the front of this slice. The file hash takes
    // every byte, the MAC the ciphertext.
    const size_t total = tail_.size() + slice.size();
    const size_t release = total > kMediaMacSize ? total - kMediaMacSize : 0;
    const size_t from_tail = std::min(release, tail_.size());
    const std::string_view tail_part = std::string_view(tail_).substr(0, from_tail);
    const std::string_view slice_part = slice.substr(0, release - from_tail);
    base::Status s;
    if (ni_) {
      ni_->mac.Update(tail_part);
      internal::HashTogether(&ni_->enc_sha, slice, ni_->mac.inner(), slice_part);
    } else {
      s = enc_sha_.Update(slice);
      if (s.ok()) s = mac_.Update(tail_part);
      if (s.ok()) s = mac_.Update(slice_part);
    }
    if (s.ok()) s = Process(tail_part, out);
    if (s.ok()) s = Process(slice_part, out);
    if (s.ok()) tail_ = tail_.substr(from_tail) + std::string(slice.substr(slice_part.size()));
    if (!s.ok()) {
      done_ = true;
      return s;
    }
  }
  return base::Status::Ok();
}

base::Result<MediaDigest> MediaDecryptor::Verify(std::string* out) {
  if (tail_.size() < kMediaMacSize) return Integrity("encrypted file shorter than its mac");
  std::string full_mac;
  if (ni_) {
    const auto digest = ni_->mac.Finish();
    full_mac.assign(reinterpret_cast<const char*>(digest.data()), digest.size());
  } else {
    WAGATE_ASSIGN_OR_RETURN(full_mac, mac_.Finish());
  }
  if (!crypto::ConstantTimeEqual(std::string_view(full_mac).substr(0, kMediaMacSize), tail_)) {
    return Integrity("mac mismatch");
  }
  const size_t at = out->size();
  base::Status padded = cbc_.Finish(out);
  if (!padded.ok()) {
    return padded.code() == base::Code::kDataLoss ? Integrity("bad padding or length") : padded;
  }
  const std::string_view last = std::string_view(*out).substr(at);
  length_ += last.size();
  MediaDigest digest;
  if (ni_) {
    ni_->plain_sha.Update(last);
    digest.file_sha256 = AsString(ni_->plain_sha.Finish());
    digest.file_enc_sha256 = AsString(ni_->enc_sha.Finish());
  } else {
    WAGATE_RETURN_IF_ERROR(plain_sha_.Update(last));
    WAGATE_ASSIGN_OR_RETURN(digest.file_sha256, plain_sha_.Finish());
    WAGATE_ASSIGN_OR_RETURN(digest.file_enc_sha256, enc_sha_.Finish());
  }
  digest.file_length = length_;
  if (expect_.file_enc_sha256 && *expect_.file_enc_sha256 != digest.file_enc_sha256) {
    return Integrity("fileEncSha256 mismatch");
  }
  if (expect_.file_sha256 && *expect_.file_sha256 != digest.file_sha256) {
    return Integrity("fileSha256 mismatch");
  }
  if (expect_.file_length && *expect_.file_length != digest.file_length) {
    return Integrity("fileLength mismatch: message says " + std::to_string(*expect_.file_length) +
                     ", file has " + std::to_string(digest.file_length));
  }
  return digest;
}

base::Result<MediaDigest> MediaDecryptor::Finish(std::string* out) {
  if (done_) return base::FailedPrecondition("media decryptor: finished twice or after error");
  done_ = true;
  return Verify(out);
}

// ---- one-shot --------------------------------------------------------------

base::Result<EncryptedMedia> EncryptMedia(const MediaKeys& keys, std::string_view plaintext) {
  WAGATE_ASSIGN_OR_RETURN(MediaEncryptor enc, MediaEncryptor::Create(keys));
  EncryptedMedia result;
  result.data.reserve(plaintext.size() + crypto::kAesBlockSize + kMediaMacSize);
  WAGATE_RETURN_IF_ERROR(enc.Update(plaintext, &result.data));
  WAGATE_ASSIGN_OR_RETURN(result.digest, enc.Finish(&result.data));
  return result;
}

base::Result<std::string> DecryptMedia(const MediaKeys& keys, std::string_view encrypted,
                                       const MediaExpectations& expect) {
  if (encrypted.size() < kMediaMacSize) return Integrity("encrypted file shorter than its mac");
  const std::string_view ciphertext = encrypted.substr(0, encrypted.size() - kMediaMacSize);
  const std::string_view mac = encrypted.substr(ciphertext.size());

  // Pass 1 authenticates before the cipher touches anything; the MAC and the
  // fileEncSha256 both read the ciphertext, slice by slice while it is cached
  // (on SHA-NI in one loop, see fused_cipher.h).
  std::optional<internal::NiMediaHashes> ni;
  if (internal::FusedCipherAvailable()) ni.emplace(keys.mac_key());
  std::string full_mac, enc_digest;
  if (ni) {
    ni->mac.Update(keys.iv());
    for (size_t at = 0; at < ciphertext.size(); at += kSlice) {
      const std::string_view slice = ciphertext.substr(at, kSlice);
      if (expect.file_enc_sha256) {
        internal::HashTogether(&ni->enc_sha, slice, ni->mac.inner(), slice);
      } else {
        ni->mac.Update(slice);
      }
    }
    full_mac = AsString(ni->mac.Finish());
    ni->enc_sha.Update(mac);
    enc_digest = AsString(ni->enc_sha.Finish());
  } else {
    WAGATE_ASSIGN_OR_RETURN(auto hmac, crypto::HmacSha256Stream::Create(keys.mac_key()));
    WAGATE_ASSIGN_OR_RETURN(auto enc_sha, crypto::Sha256Stream::Create());
    WAGATE_RETURN_IF_ERROR(hmac.Update(keys.iv()));
    for (size_t at = 0; at < ciphertext.size(); at += kSlice) {
      const std::string_view slice = ciphertext.substr(at, kSlice);
      WAGATE_RETURN_IF_ERROR(hmac.Update(slice));
      if (expect.file_enc_sha256) WAGATE_RETURN_IF_ERROR(enc_sha.Update(slice));
    }
    WAGATE_ASSIGN_OR_RETURN(full_mac, hmac.Finish());
    if (expect.file_enc_sha256) {
      WAGATE_RETURN_IF_ERROR(enc_sha.Update(mac));
      WAGATE_ASSIGN_OR_RETURN(enc_digest, enc_sha.Finish());
    }
  }
  if (!crypto::ConstantTimeEqual(std::string_view(full_mac).substr(0, kMediaMacSize), mac)) {
    return Integrity("mac mismatch");
  }
  if (expect.file_enc_sha256 && enc_digest != *expect.file_enc_sha256) {
    return Integrity("fileEncSha256 mismatch");
  }

  // Pass 2 decrypts and hashes the plaintext as it comes out.
  WAGATE_ASSIGN_OR_RETURN(auto cbc, crypto::AesCbcStream::Decryptor(keys.cipher_key(), keys.iv()));
  WAGATE_ASSIGN_OR_RETURN(auto plain_sha, crypto::Sha256Stream::Create());
  std::string plaintext;
  plaintext.reserve(ciphertext.size());
  auto hash_from = [&](size_t before) {
    if (!expect.file_sha256) return base::Status::Ok();
    const std::string_view fresh = std::string_view(plaintext).substr(before);
    if (ni) {
      ni->plain_sha.Update(fresh);
      return base::Status::Ok();
    }
    return plain_sha.Update(fresh);
  };
  for (size_t at = 0; at < ciphertext.size(); at += kSlice) {
    const size_t before = plaintext.size();
    WAGATE_RETURN_IF_ERROR(cbc.Update(ciphertext.substr(at, kSlice), &plaintext));
    WAGATE_RETURN_IF_ERROR(hash_from(before));
  }
  const size_t before = plaintext.size();
  base::Status padded = cbc.Finish(&plaintext);
  if (!padded.ok()) {
    return padded.code() == base::Code::kDataLoss ? Integrity("bad padding or length") : padded;
  }
  WAGATE_RETURN_IF_ERROR(hash_from(before));
  if (expect.file_length && *expect.file_length != plaintext.size()) {
    return Integrity("fileLength mismatch");
  }
  if (expect.file_sha256) {
    std::string plain_digest;
    if (ni) {
      plain_digest = AsString(ni->plain_sha.Finish());
    } else {
      WAGATE_ASSIGN_OR_RETURN(plain_digest, plain_sha.Finish());
    }
    if (plain_digest != *expect.file_sha256) return Integrity("fileSha256 mismatch");
  }
  return plaintext;
}

}  // namespace wa::media
