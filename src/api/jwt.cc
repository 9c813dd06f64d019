#include "api/jwt.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cmath>
#include <string>

#include "base/encoding.h"

namespace api {
namespace {

// A bearer token is a header value; anything this long is not ours.
constexpr size_t kMaxTokenBytes = 8192;

// HMAC-SHA256 of `input` with `secret`, as base64url without padding (the
// JWS signature segment).
std::string Hs256(std::string_view input, std::string_view secret) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
  return base::Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(mac), len));
}

// A JWS segment is base64url without padding (RFC 7515 §2); the general
// decoder also takes '+', '/' and '=', which no token of ours carries.
base::Result<boost::json::object> DecodeJsonSegment(std::string_view segment,
                                                    std::string_view what) {
  if (segment.find_first_of("+/=") != std::string_view::npos) {
    return base::Unauthenticated("jwt: " + std::string(what) + " is not base64url");
  }
  base::Result<std::string> text = base::Base64Decode(segment);
  if (!text.ok()) return base::Unauthenticated("jwt: " + std::string(what) + " is not base64url");
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(*text, ec);
  if (ec || !value.is_object()) {
    return base::Unauthenticated("jwt: " + std::string(what) + " is not a JSON object");
  }
  return std::move(value.get_object());
}

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
  const size_t dot1 = token.find('.');
  const size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return base::Unauthenticated("jwt: malformed or bad signature");
  }
  base::Result<boost::json::object> header = DecodeJsonSegment(token.substr(0, dot1), "header");
  if (!header.ok()) return base::Unauthenticated("jwt: malformed or bad signature");
  // Only HS256 was agreed: the token does not get to choose ("none", another
  // HMAC size, or an asymmetric algorithm keyed with our secret).
  const boost::json::value* alg = header->if_contains("alg");
  if (alg == nullptr || !alg->is_string() || alg->get_string() != "HS256") {
    return base::Unauthenticated("jwt: algorithm must be HS256");
  }
  // RFC 7515 §4.1.11: extensions we do not understand must not be ignored.
  if (header->contains("crit")) return base::Unauthenticated("jwt: unsupported crit header");
  // The signature is compared as text: base64url without padding has one
  // spelling per byte string, and the comparison takes constant time.
  const std::string expected = Hs256(token.substr(0, dot2), secret);
  const std::string_view signature = token.substr(dot2 + 1);
  if (signature.size() != expected.size() ||
      CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) != 0) {
    return base::Unauthenticated("jwt: malformed or bad signature");
  }
  base::Result<boost::json::object> claims =
      DecodeJsonSegment(token.substr(dot1 + 1, dot2 - dot1 - 1), "claims");
  if (!claims.ok()) return base::Unauthenticated("jwt: claims are not an object");
  int64_t exp_ms = 0;
  if (!NumericDateMs(*claims, "exp", exp_ms)) {
    return base::Unauthenticated("jwt: exp (a NumericDate) is required");
  }
  if (now_ms > exp_ms + kJwtClockSkewMs) return base::Unauthenticated("jwt: expired");
  if (claims->contains("nbf")) {
    int64_t nbf_ms = 0;
    if (!NumericDateMs(*claims, "nbf", nbf_ms)) {
      return base::Unauthenticated("jwt: nbf is not a NumericDate");
    }
    if (now_ms + kJwtClockSkewMs < nbf_ms) return base::Unauthenticated("jwt: not valid yet");
  }
  return base::Status::Ok();
}

base::Result<std::string> SignJwtHs256(std::string_view claims_json, std::string_view secret) {
  boost::system::error_code ec;
  boost::json::value claims = boost::json::parse(claims_json, ec);
  if (ec || !claims.is_object()) return base::InvalidArgument("jwt: claims must be a JSON object");
  if (secret.empty()) return base::InvalidArgument("jwt: bad secret");
  std::string signing_input = base::Base64UrlEncode(R"({"alg":"HS256","typ":"JWT"})") + "." +
                              base::Base64UrlEncode(boost::json::serialize(claims));
  std::string signature = Hs256(signing_input, secret);
  return signing_input + "." + signature;
}

}  // namespace api
