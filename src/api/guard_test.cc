#include "api/guard.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "api/jwt.h"
#include "base/encoding.h"

namespace api {
namespace {

constexpr char kKey[] = "k3y-for-tests-0123456789abcdef";
constexpr char kSecret[] = "jwt-secret-for-tests-0123456789abcdef";
constexpr int64_t kNowMs = 1'700'000'000'000;
constexpr int64_t kNowS = kNowMs / 1000;

std::string Token(const std::string& claims, const std::string& secret = kSecret) {
  auto t = SignJwtHs256(claims, secret);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? *t : "";
}

std::string Exp(int64_t exp_s) { return R"({"sub":"tests","exp":)" + std::to_string(exp_s) + "}"; }

// A token with a header we choose and a signature we choose; for forgeries.
std::string Forge(std::string_view header, std::string_view claims, std::string_view sig) {
  return base::Base64UrlEncode(header) + "." + base::Base64UrlEncode(claims) + "." +
         std::string(sig);
}

// A token over exactly these header and claims bytes, signed with HMAC-`md`
// (SignJwtHs256 re-serializes the claims and only does HS256).
std::string SignWith(const EVP_MD* md, std::string_view header, std::string_view claims) {
  std::string signing_input = base::Base64UrlEncode(header) + "." + base::Base64UrlEncode(claims);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(md, kSecret, sizeof kSecret - 1,
       reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac,
       &len);
  return signing_input + "." +
         base::Base64UrlEncode(std::string_view(reinterpret_cast<char*>(mac), len));
}

std::string SignRaw(std::string_view claims) {
  return SignWith(EVP_sha256(), R"({"alg":"HS256","typ":"JWT"})", claims);
}

class GuardTest : public ::testing::Test {
 protected:
  base::FakeClock clock_{kNowMs};
  Guard guard_{kKey, kSecret, clock_};
  Guard no_jwt_{kKey, "", clock_};
};

TEST_F(GuardTest, NoCredentialIsRefused) {
  auto s = guard_.Check(std::nullopt, std::nullopt);
  EXPECT_EQ(s.code(), base::Code::kUnauthenticated);
}

TEST_F(GuardTest, ApiKeyHeader) {
  EXPECT_TRUE(guard_.Check(kKey, std::nullopt).ok());
  EXPECT_FALSE(guard_.Check("wrong", std::nullopt).ok());
  EXPECT_FALSE(guard_.Check("", std::nullopt).ok());
  EXPECT_FALSE(guard_.Check(std::string(kKey) + "x", std::nullopt).ok());
  EXPECT_FALSE(guard_.Check(std::string(kKey).substr(1), std::nullopt).ok());
}

TEST_F(GuardTest, BearerApiKey) {
  EXPECT_TRUE(guard_.Check(std::nullopt, std::string("Bearer ") + kKey).ok());
  EXPECT_TRUE(guard_.Check(std::nullopt, std::string("bearer  ") + kKey).ok());
  EXPECT_TRUE(no_jwt_.Check(std::nullopt, std::string("Bearer ") + kKey).ok());
  EXPECT_FALSE(guard_.Check(std::nullopt, std::string("Basic ") + kKey).ok());
  EXPECT_FALSE(guard_.Check(std::nullopt, kKey).ok());
  EXPECT_FALSE(guard_.Check(std::nullopt, "Bearer ").ok());
  EXPECT_FALSE(guard_.Check(std::nullopt, "Bearer wrong").ok());
}

TEST_F(GuardTest, WrongApiKeyHeaderWithValidBearerPasses) {
  EXPECT_TRUE(guard_.Check("wrong", std::string("Bearer ") + kKey).ok());
}

TEST_F(GuardTest, GoodJwt) {
  EXPECT_TRUE(guard_.Check(std::nullopt, "Bearer " + Token(Exp(kNowS + 60))).ok());
}

TEST_F(GuardTest, JwtRefusedWhenNoSecretConfigured) {
  EXPECT_FALSE(no_jwt_.Check(std::nullopt, "Bearer " + Token(Exp(kNowS + 60))).ok());
}

TEST_F(GuardTest, ExpiredJwtWithinAndBeyondSkew) {
  // Expired 10 s ago: inside the 30 s skew.
  EXPECT_TRUE(guard_.Check(std::nullopt, "Bearer " + Token(Exp(kNowS - 10))).ok());
  auto s = guard_.Check(std::nullopt, "Bearer " + Token(Exp(kNowS - 31)));
  EXPECT_EQ(s.code(), base::Code::kUnauthenticated);
  EXPECT_EQ(s.message(), "jwt: expired");
}

TEST_F(GuardTest, JwtWithoutExpIsRefused) {
  auto s = guard_.Check(std::nullopt, "Bearer " + Token(R"({"sub":"tests"})"));
  EXPECT_EQ(s.message(), "jwt: exp (a NumericDate) is required");
  s = guard_.Check(std::nullopt, "Bearer " + Token(R"({"exp":"tomorrow"})"));
  EXPECT_FALSE(s.ok());
}

TEST_F(GuardTest, JwtExpEdgeValues) {
  // Fractional NumericDates are legal (RFC 7519 §2).
  std::string fractional = R"({"exp":)" + std::to_string(kNowS + 60) + ".5}";
  EXPECT_TRUE(guard_.Check(std::nullopt, "Bearer " + SignRaw(fractional)).ok());
  EXPECT_TRUE(guard_.Check(std::nullopt, "Bearer " + SignRaw(Exp(kNowS + 60))).ok());
  for (std::string exp :
       {"-9223372036854775808", "18446744073709551615", "1e300", "null", "\"1\""}) {
    EXPECT_FALSE(guard_.Check(std::nullopt, "Bearer " + SignRaw(R"({"exp":)" + exp + "}")).ok())
        << exp;
  }
}

TEST_F(GuardTest, JwtNotBeforeIsHonoured) {
  std::string early =
      R"({"exp":)" + std::to_string(kNowS + 600) + R"(,"nbf":)" + std::to_string(kNowS + 120) + "}";
  EXPECT_FALSE(guard_.Check(std::nullopt, "Bearer " + Token(early)).ok());
  clock_.AdvanceMs(100'000);  // nbf is now 20 s away: inside the skew
  EXPECT_TRUE(guard_.Check(std::nullopt, "Bearer " + Token(early)).ok());
}

TEST_F(GuardTest, JwtWithWrongSecretIsRefused) {
  std::string t = Token(Exp(kNowS + 60), "another-secret-of-some-length-000");
  EXPECT_FALSE(guard_.Check(std::nullopt, "Bearer " + t).ok());
}

TEST_F(GuardTest, AlgNoneIsRefused) {
  std::string claims = Exp(kNowS + 60);
  for (std::string_view header : {R"({"alg":"none","typ":"JWT"})", R"({"alg":"none"})"}) {
    EXPECT_FALSE(guard_.Check(std::nullopt, "Bearer " + Forge(header, claims, "")).ok());
    EXPECT_FALSE(guard_.Check(std::nullopt, "Bearer " + Forge(header, claims, "AAAA")).ok());
  }
}

TEST_F(GuardTest, OtherHmacSizesAreRefused) {
  // A valid HS512 signature with the right secret is still not HS256.
  std::string claims = Exp(kNowS + 60);
  for (auto [md, header] : {std::pair{EVP_sha384(), R"({"alg":"HS384","typ":"JWT"})"},
                            std::pair{EVP_sha512(), R"({"alg":"HS512","typ":"JWT"})"}}) {
    auto s = guard_.Check(std::nullopt, "Bearer " + SignWith(md, header, claims));
    EXPECT_EQ(s.message(), "jwt: algorithm must be HS256") << header;
  }
  std::string rs = Forge(R"({"alg":"RS256","typ":"JWT"})", claims, "c2ln");
  EXPECT_FALSE(guard_.Check(std::nullopt, "Bearer " + rs).ok());
}

// The signature is over the exact header and claims text; the same claims
// with the padding or the standard alphabet spelled differently are not it.
TEST_F(GuardTest, NonCanonicalSegmentsAreRefused) {
  std::string t = SignRaw(Exp(kNowS + 60));
  ASSERT_TRUE(guard_.Check(std::nullopt, "Bearer " + t).ok());
  EXPECT_FALSE(guard_.Check(std::nullopt, "Bearer " + t + "=").ok());
  EXPECT_FALSE(guard_.Check(std::nullopt, "Bearer " + t + ".x").ok());
  std::string crit =
      SignWith(EVP_sha256(), R"({"alg":"HS256","crit":["b64"],"b64":false})", Exp(kNowS + 60));
  EXPECT_EQ(guard_.Check(std::nullopt, "Bearer " + crit).message(), "jwt: unsupported crit header");
}

TEST_F(GuardTest, TamperedClaimsAreRefused) {
  std::string t = Token(Exp(kNowS + 60));
  size_t dot1 = t.find('.');
  size_t dot2 = t.find('.', dot1 + 1);
  std::string forged =
      t.substr(0, dot1 + 1) + base::Base64UrlEncode(Exp(kNowS + 999999)) + t.substr(dot2);
  EXPECT_FALSE(guard_.Check(std::nullopt, "Bearer " + forged).ok());
}

TEST_F(GuardTest, GarbageTokensAreRefused) {
  for (std::string_view t : {"a.b.c", "...", "x", "eyJ.eyJ.", kSecret}) {
    EXPECT_FALSE(guard_.Check(std::nullopt, "Bearer " + std::string(t)).ok()) << t;
  }
  EXPECT_FALSE(guard_.Check(std::nullopt, "Bearer " + std::string(10000, 'a')).ok());
}

}  // namespace
}  // namespace api
