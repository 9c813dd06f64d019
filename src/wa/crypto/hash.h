// SHA-256 and SHA-512, one-shot and streaming (OpenSSL 3 EVP).
//
// Bytes are std::string / std::string_view throughout wa/crypto, as in base/.
// Digests: SHA-256 is 32 bytes, SHA-512 is 64 bytes. Errors are only possible
// when OpenSSL itself fails (out of memory, provider missing): kInternal.
// Thread safety: the free functions are safe from any thread; a Sha256Stream
// is one object used by one thread at a time.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "wa/crypto/openssl_util.h"

namespace wa::crypto {

inline constexpr size_t kSha256Size = 32;
inline constexpr size_t kSha512Size = 64;

base::Result<std::string> Sha256(std::string_view data);
base::Result<std::string> Sha512(std::string_view data);

// Incremental SHA-256: Update any number of times, then Finish once.
// Media hashing uses it so that a large file is never held whole in memory.
class Sha256Stream {
 public:
  static base::Result<Sha256Stream> Create();

  base::Status Update(std::string_view data);
  // The digest. REQUIRES: not called before. A second call is kFailedPrecondition.
  base::Result<std::string> Finish();

 private:
  explicit Sha256Stream(internal::MdCtx ctx) : ctx_(std::move(ctx)) {}
  internal::MdCtx ctx_;
  bool finished_ = false;
};

}  // namespace wa::crypto
