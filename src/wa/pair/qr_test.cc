#include "wa/pair/qr.h"

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "base/random.h"

namespace wa::pair {
namespace {

// The rc14 example QR of whatsapp-protocol.md §5.2 [RUN].
constexpr std::string_view kDocQr =
    "https://wa.me/settings/linked_devices#2@REF0LJpy5SEuNQ4=,"
    "ryzo9fXr+Uu1rBC0F+qB0Xs2rvfCZ+PYY65KiF73zxc=,0dda7v1HFiU96N2EIxoRIKiWDLRpimoaSVmcGxQZeyw=,"
    "KPB+lJS7vL0gDNwcBNGs/KEw1AmhxMIobcQ7WVGw+VE=,1";

TEST(Qr, ParsesDocExampleAndRebuildsIt) {
  auto parsed = ParseQr(kDocQr);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->ref, "2@REF0LJpy5SEuNQ4=");
  EXPECT_EQ(base::Base64Encode(parsed->noise_key.raw()),
            "ryzo9fXr+Uu1rBC0F+qB0Xs2rvfCZ+PYY65KiF73zxc=");
  EXPECT_EQ(parsed->adv_secret.size(), 32u);
  EXPECT_EQ(parsed->platform_id, "1");
  auto rebuilt = BuildQr(*parsed);
  ASSERT_TRUE(rebuilt.ok());
  EXPECT_EQ(*rebuilt, kDocQr);
}

TEST(Qr, RoundTripsRandomKeys) {
  base::SeededRandom random(7);
  auto noise = crypto::KeyPair::Generate(random);
  auto identity = crypto::KeyPair::Generate(random);
  ASSERT_TRUE(noise.ok() && identity.ok());
  QrData data{.ref = "2@abc/DEF+ghi==",
              .noise_key = noise->public_key,
              .identity_key = identity->public_key,
              .adv_secret = random.Bytes(32),
              .platform_id = "9"};
  auto qr = BuildQr(data);
  ASSERT_TRUE(qr.ok());
  auto parsed = ParseQr(*qr);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->ref, data.ref);
  EXPECT_EQ(parsed->noise_key, data.noise_key);
  EXPECT_EQ(parsed->identity_key, data.identity_key);
  EXPECT_EQ(parsed->adv_secret, data.adv_secret);
  EXPECT_EQ(parsed->platform_id, "9");
}

TEST(Qr, BuildRefusesFieldsThatWouldNotParse) {
  auto parsed = ParseQr(kDocQr);
  ASSERT_TRUE(parsed.ok());
  QrData bad = *parsed;
  bad.ref = "a,b";
  EXPECT_EQ(BuildQr(bad).status().code(), base::Code::kInvalidArgument);
  bad = *parsed;
  bad.ref = "";
  EXPECT_FALSE(BuildQr(bad).ok());
  bad = *parsed;
  bad.platform_id = "";
  EXPECT_FALSE(BuildQr(bad).ok());
  bad = *parsed;
  bad.adv_secret = "short";
  EXPECT_FALSE(BuildQr(bad).ok());
}

TEST(Qr, ParseRefusesMalformedStrings) {
  std::string doc(kDocQr);
  std::string body = doc.substr(kQrPrefix.size());
  auto expect_error = [](std::string_view qr, std::string_view words) {
    auto r = ParseQr(qr);
    ASSERT_FALSE(r.ok()) << qr;
    EXPECT_EQ(r.status().code(), base::Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find(words), std::string::npos) << r.status().message();
  };
  expect_error(body, "prefix");                              // Baileys v6 form
  expect_error(doc + ",extra", "5 comma-separated fields");  // too many
  expect_error(doc.substr(0, doc.rfind(',')), "5 comma");    // too few
  expect_error(std::string(kQrPrefix) + "," + body.substr(body.find(',') + 1), "empty ref");
  std::string unpadded = doc;
  unpadded.erase(unpadded.find("zxc=") + 3, 1);
  expect_error(unpadded, "noise key is not canonical");
  std::string short_key = doc;
  short_key.replace(short_key.find("ryzo9fXr"), 4, "");  // 28 chars of base64 → 21 bytes
  expect_error(short_key, "noise key");
  std::string bad_char = doc;
  bad_char[bad_char.find("0dda7v1H")] = '*';
  expect_error(bad_char, "identity key");
  expect_error(doc.substr(0, doc.size() - 1), "platform id");
  expect_error(doc.substr(0, doc.size() - 1) + "1 ", "platform id");
}

}  // namespace
}  // namespace wa::pair
