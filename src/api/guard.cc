#include "api/guard.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <cctype>
#include <utility>

#include "api/jwt.h"

namespace api {
namespace {

std::array<unsigned char, 32> Sha256(std::string_view s) {
  std::array<unsigned char, 32> d;
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d.data());
  return d;
}

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Guard::Guard(std::string_view api_key, std::string jwt_secret, const base::Clock& clock)
    : key_digest_(Sha256(api_key)), jwt_secret_(std::move(jwt_secret)), clock_(clock) {}

bool Guard::IsApiKey(std::string_view candidate) const {
  std::array<unsigned char, 32> d = Sha256(candidate);
  return CRYPTO_memcmp(d.data(), key_digest_.data(), d.size()) == 0;
}

base::Status Guard::Check(std::optional<std::string_view> x_api_key,
                          std::optional<std::string_view> authorization) const {
  // Any one valid credential admits the request; a wrong x-api-key next to a
  // valid bearer token is the client's clutter, not an attack we can stop.
  if (x_api_key && IsApiKey(Trim(*x_api_key))) return base::Status::Ok();
  if (!authorization) {
    return base::Unauthenticated(x_api_key ? "wrong x-api-key" : "no credential");
  }
  std::string_view auth = Trim(*authorization);
  size_t space = auth.find(' ');
  if (space == std::string_view::npos || !IEquals(auth.substr(0, space), "bearer")) {
    return base::Unauthenticated("authorization is not a Bearer credential");
  }
  std::string_view token = Trim(auth.substr(space + 1));
  if (token.empty()) return base::Unauthenticated("empty bearer token");
  if (IsApiKey(token)) return base::Status::Ok();
  if (jwt_secret_.empty()) return base::Unauthenticated("wrong bearer key (JWTs are off)");
  return VerifyJwt(token, jwt_secret_, clock_.NowMs());
}

}  // namespace api
