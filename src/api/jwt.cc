#include "api/jwt.h"

#include <jwt.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <string>

namespace api {
namespace {

// A bearer token is a header value; anything this long is not ours.
constexpr size_t kMaxTokenBytes = 8192;

struct JwtFree {
  void operator()(jwt_t* j) const { jwt_free(j); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtFree>;

struct CharFree {
  void operator()(char* p) const { std::free(p); }
};

// A NumericDate claim in milliseconds. RFC 7519 allows fractions, so a
// double is read too (some issuers write 1.7e9).
bool NumericDateMs(const boost::json::object& claims, const char* name, int64_t& out) {
  const boost::json::value* v = claims.if_contains(name);
  if (v == nullptr) return false;
  // Beyond ~35,000 years the claim is nonsense; refusing it keeps the
  // multiplication below from overflowing.
  constexpr int64_t kMaxSeconds = int64_t{1} << 40;
  if (v->is_int64() && v->get_int64() > -kMaxSeconds && v->get_int64() < kMaxSeconds) {
    out = v->get_int64() * 1000;
    return true;
  }
  if (v->is_double() && std::isfinite(v->get_double()) &&
      std::abs(v->get_double()) < static_cast<double>(kMaxSeconds)) {
    out = static_cast<int64_t>(v->get_double() * 1000);
    return true;
  }
  return false;
}

}  // namespace

base::Status VerifyJwt(std::string_view token, std::string_view secret, int64_t now_ms) {
  if (token.empty() || token.size() > kMaxTokenBytes) {
    return base::Unauthenticated("jwt: bad token length");
  }
  std::string token_z(token);  // libjwt wants a NUL-terminated string
  jwt_t* raw = nullptr;
  int rc = jwt_decode(&raw, token_z.c_str(), reinterpret_cast<const unsigned char*>(secret.data()),
                      static_cast<int>(secret.size()));
  JwtPtr jwt(raw);
  if (rc != 0 || jwt == nullptr) {
    return base::Unauthenticated("jwt: malformed or bad signature");
  }
  // libjwt verifies with whatever algorithm the token names; only HS256 was
  // agreed, and "none" must never pass just because it carries no signature.
  if (jwt_get_alg(jwt.get()) != JWT_ALG_HS256) {
    return base::Unauthenticated("jwt: algorithm must be HS256");
  }
  std::unique_ptr<char, CharFree> grants(jwt_get_grants_json(jwt.get(), nullptr));
  if (grants == nullptr) return base::Unauthenticated("jwt: no claims");
  boost::system::error_code ec;
  boost::json::value claims = boost::json::parse(grants.get(), ec);
  if (ec || !claims.is_object()) return base::Unauthenticated("jwt: claims are not an object");
  int64_t exp_ms = 0;
  if (!NumericDateMs(claims.get_object(), "exp", exp_ms)) {
    return base::Unauthenticated("jwt: exp (a NumericDate) is required");
  }
  if (now_ms > exp_ms + kJwtClockSkewMs) return base::Unauthenticated("jwt: expired");
  if (claims.get_object().contains("nbf")) {
    int64_t nbf_ms = 0;
    if (!NumericDateMs(claims.get_object(), "nbf", nbf_ms)) {
      return base::Unauthenticated("jwt: nbf is not a NumericDate");
    }
    if (now_ms + kJwtClockSkewMs < nbf_ms) return base::Unauthenticated("jwt: not valid yet");
  }
  return base::Status::Ok();
}

base::Result<std::string> SignJwtHs256(std::string_view claims_json, std::string_view secret) {
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) return base::Internal("jwt_new failed");
  JwtPtr jwt(raw);
  std::string claims(claims_json);
  if (jwt_add_grants_json(jwt.get(), claims.c_str()) != 0) {
    return base::InvalidArgument("jwt: claims must be a JSON object");
  }
  if (jwt_set_alg(jwt.get(), JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(secret.data()),
                  static_cast<int>(secret.size())) != 0) {
    return base::InvalidArgument("jwt: bad secret");
  }
  std::unique_ptr<char, CharFree> out(jwt_encode_str(jwt.get()));
  if (out == nullptr) return base::Internal("jwt_encode_str failed");
  return std::string(out.get());
}

}  // namespace api
