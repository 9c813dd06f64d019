// Guard: the credential check of every route but GET /health (api.md
// "Auth"). A request passes with `x-api-key: <key>`, or with
// `Authorization: Bearer <key>`, or `Authorization: Bearer <HS256 JWT>` when
// a JWT secret is configured. Keys are compared in constant time: both sides
// are hashed with SHA-256 first, so neither the content nor the length of
// the key leaks through timing.
//
// Thread safety: immutable after construction; Check is safe from any thread.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/status.h"

namespace api {

class Guard {
 public:
  // REQUIRES: !api_key.empty(). An empty jwt_secret turns JWTs off.
  // `clock` must outlive the guard.
  Guard(std::string_view api_key, std::string jwt_secret, const base::Clock& clock);

  // The request headers as received (nullopt when absent). Ok, or
  // kUnauthenticated with the reason, which is meant for the log: the client
  // always gets a plain 401.
  base::Status Check(std::optional<std::string_view> x_api_key,
                     std::optional<std::string_view> authorization) const;

 private:
  bool IsApiKey(std::string_view candidate) const;

  std::array<unsigned char, 32> key_digest_;
  std::string jwt_secret_;
  const base::Clock& clock_;
};

}  // namespace api
