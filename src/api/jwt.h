// HS256 JSON Web Token verification for the bearer credential (api.md
// "Auth"). Only HS256 is accepted (never "none", never another HMAC size or
// an asymmetric algorithm chosen by the token), the signature must verify
// with the configured secret, `exp` is required and `nbf` honoured when
// present, both with a small clock skew. Thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <string_view>

#include "base/status.h"

namespace api {

// How far `exp` and `nbf` may be off between the token issuer and us.
inline constexpr int64_t kJwtClockSkewMs = 30'000;

// Ok when `token` is a valid HS256 JWT for `secret` at `now_ms`; otherwise
// kUnauthenticated with the reason (for logs, not for the client).
// REQUIRES: !secret.empty().
base::Status VerifyJwt(std::string_view token, std::string_view secret, int64_t now_ms);

// Signs `claims_json` (a JSON object text) with HS256; for tests and tools.
base::Result<std::string> SignJwtHs256(std::string_view claims_json, std::string_view secret);

}  // namespace api
