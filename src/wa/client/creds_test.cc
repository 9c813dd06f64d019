#include "wa/client/creds.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace wa::client {
namespace {

Creds Sample() {
  base::SeededRandom random(7);
  Creds creds = NewCreds(random).value();
  creds.next_prekey_id = 813;
  creds.first_unuploaded_prekey_id = 813;
  creds.me = Me{.jid = "15550100001:7@s.whatsapp.net", .lid = "100000000000001:7@lid", .name = "A"};
  creds.account = std::string("\x0a\x00\xff", 3);
  creds.key_index = 2;
  creds.platform = "android";
  creds.registered = true;
  creds.routing_info = std::string("\x08\x02", 2);
  return creds;
}

void ExpectSame(const Creds& a, const Creds& b) {
  EXPECT_TRUE(a == b);
  EXPECT_EQ(CredsToJson(a), CredsToJson(b));
  EXPECT_EQ(a.noise_key.private_key, b.noise_key.private_key);
  EXPECT_EQ(a.identity.public_key, b.identity.public_key);
  EXPECT_EQ(a.signed_prekey.signature, b.signed_prekey.signature);
  EXPECT_EQ(a.me, b.me);
  EXPECT_EQ(a.account, b.account);
  EXPECT_EQ(a.routing_info, b.routing_info);
}

TEST(Creds, NewCredsAreComplete) {
  base::SeededRandom random(1);
  Creds creds = NewCreds(random).value();
  EXPECT_EQ(creds.noise_key.public_key.size(), 32u);
  EXPECT_EQ(creds.pairing_ephemeral.private_key.size(), 32u);
  EXPECT_EQ(creds.signed_prekey.id, 1u);
  EXPECT_EQ(creds.signed_prekey.signature.size(), 64u);
  EXPECT_EQ(creds.adv_secret.size(), 32u);
  EXPECT_GT(creds.registration_id, 0u);
  EXPECT_FALSE(creds.registered);
  EXPECT_FALSE(creds.me);
}

TEST(Creds, JsonRoundTrip) {
  Creds creds = Sample();
  Creds back = CredsFromJson(CredsToJson(creds)).value();
  ExpectSame(creds, back);

  base::SeededRandom random(2);
  Creds fresh = NewCreds(random).value();
  Creds fresh_back = CredsFromJson(CredsToJson(fresh)).value();
  ExpectSame(fresh, fresh_back);
  EXPECT_FALSE(fresh_back.me);
}

TEST(Creds, MalformedJsonNamesTheField) {
  EXPECT_EQ(CredsFromJson("{").status().code(), base::Code::kInvalidArgument);
  EXPECT_EQ(CredsFromJson("[]").status().message(), "creds: not a JSON object");

  auto mutate = [](auto change) {
    boost::json::value v = boost::json::parse(CredsToJson(Sample()));
    change(v.as_object());
    return CredsFromJson(boost::json::serialize(v)).status();
  };
  base::Status missing = mutate([](auto& o) { o.erase("identity"); });
  EXPECT_EQ(missing.message(), "creds: identity: missing");
  base::Status short_key = mutate([](auto& o) { o["noise_key"].as_object()["private"] = "AAAA"; });
  EXPECT_EQ(short_key.message(), "creds: noise_key.private: not 32 bytes");
  base::Status not_b64 = mutate([](auto& o) { o["adv_secret"] = "!!"; });
  EXPECT_EQ(not_b64.message(), "creds: adv_secret: not base64");
  base::Status bad_int = mutate([](auto& o) { o["registration_id"] = -1; });
  EXPECT_EQ(bad_int.message(), "creds: registration_id: not an unsigned 32-bit integer");
  base::Status bad_me = mutate([](auto& o) { o["me"] = 5; });
  EXPECT_EQ(bad_me.message(), "creds: me: not an object or null");
  base::Status me_field = mutate([](auto& o) { o["me"].as_object().erase("jid"); });
  EXPECT_EQ(me_field.message(), "creds: me.jid: missing");
  base::Status bad_bool = mutate([](auto& o) { o["registered"] = "yes"; });
  EXPECT_EQ(bad_bool.message(), "creds: registered: not a boolean");
  base::Status counters = mutate([](auto& o) { o["first_unuploaded_prekey_id"] = 900; });
  EXPECT_EQ(counters.message(), "creds: pre-key counters out of order");
}

TEST(Creds, MeJson) {
  EXPECT_EQ(MeToJson({.jid = "15550100001:7@s.whatsapp.net", .lid = "", .name = "A"}),
            R"({"jid":"15550100001:7@s.whatsapp.net","lid":"","name":"A"})");
}

}  // namespace
}  // namespace wa::client
