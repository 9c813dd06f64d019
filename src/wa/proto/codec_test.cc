#include "wa/proto/codec.h"

#include <gtest/gtest.h>

#include <random>

#include "base/encoding.h"
#include "wa/proto/wa_adv.pb.h"
#include "wa/proto/wa_client_payload.pb.h"
#include "wa/proto/wa_handshake.pb.h"
#include "wa/proto/wa_history_sync.pb.h"
#include "wa/proto/wa_message.pb.h"

namespace wa::proto {
namespace {

std::string Hex(const google::protobuf::Message& m) { return base::HexEncode(*Serialize(m)); }

// [whatsapp-protocol.md §3.3]: Baileys rc14's login payload for PN
// 15550001111, device 7, byte for byte.
TEST(ClientPayload, MatchesBaileysLoginBytes) {
  ClientPayload p;
  p.set_username(15550001111ull);
  p.set_passive(true);
  auto* ua = p.mutable_user_agent();
  ua->set_platform(ClientPayload::UserAgent::WEB);
  ua->mutable_app_version()->set_primary(2);
  ua->mutable_app_version()->set_secondary(3000);
  ua->mutable_app_version()->set_tertiary(1043857760);
  ua->set_mcc("000");
  ua->set_mnc("000");
  ua->set_os_version("0.1");
  ua->set_device("Desktop");
  ua->set_os_build_number("0.1");
  ua->set_release_channel(ClientPayload::UserAgent::RELEASE);
  ua->set_locale_language_iso6391("en");
  ua->set_locale_country_iso31661_alpha2("US");
  p.mutable_web_info()->set_web_sub_platform(ClientPayload::WebInfo::WEB_BROWSER);
  p.set_connect_type(ClientPayload::WIFI_UNKNOWN);
  p.set_connect_reason(ClientPayload::USER_ACTIVATED);
  p.set_device(7);
  p.set_pull(true);
  p.set_lid_db_migrated(false);
  EXPECT_EQ(Hex(p),
            "08d7dfe8f639"
            "1801"
            "2a36080e120b080210b81718e082e0f1031a033030302203303030"
            "2a03302e313a074465736b746f704203302e3150005a02656e62025553"
            "32022000"
            "60016801"
            "900107"
            "880201"
            "c80200");
}

// [§9]: text "hi" from Baileys = extendedTextMessage + messageContextInfo.
TEST(Message, MatchesBaileysTextBytes) {
  Message m;
  m.mutable_extended_text_message()->set_text("hi");
  const std::string secret(32, '\x5a');
  m.mutable_message_context_info()->set_message_secret(secret);
  EXPECT_EQ(Hex(m), "32040a026869" + std::string("9a02221a20") + base::HexEncode(secret));
}

// [§9]: a revoke writes type = REVOKE (0) explicitly: `10 00`.
TEST(Message, RevokeKeepsExplicitZeroType) {
  Message m;
  auto* pm = m.mutable_protocol_message();
  pm->mutable_key()->set_id("ABC");
  pm->set_type(Message::ProtocolMessage::REVOKE);
  EXPECT_EQ(Hex(m),
            "6209"
            "0a05"
            "1a03414243"
            "1000");
  auto back = Parse<Message>(*Serialize(m));
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->protocol_message().has_type());
}

// [§2.3, §5.3]: fields Baileys requires to be present even when zero.
TEST(Presence, IssuerSerialAndKeyIndexSurviveAsZero) {
  CertChain::NoiseCertificate::Details details;
  details.set_serial(1);
  details.set_issuer_serial(0);
  EXPECT_EQ(Hex(details), "08011000");
  ADVDeviceIdentity identity;
  identity.set_key_index(0);
  EXPECT_EQ(Hex(identity), "1800");
}

TEST(Parse, MalformedInputIsAnErrorNotACrash) {
  Message m;
  EXPECT_EQ(Parse(std::string("\x0a\x05hi", 3), &m).code(), base::Code::kInvalidArgument);
  EXPECT_EQ(Parse(std::string("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 11), &m).code(),
            base::Code::kInvalidArgument);
  std::mt19937 gen(99);
  for (int i = 0; i < 2000; ++i) {  // random bytes: any outcome but a crash
    std::string junk(gen() % 64, '\0');
    for (char& c : junk) c = static_cast<char>(gen());
    (void)Parse(junk, &m);
    (void)Parse<HistorySync>(junk);
    (void)Parse<ClientPayload>(junk);
  }
}

TEST(Parse, Proto3StringsMustBeUtf8) {
  // conversation = "\xff" (not UTF-8).
  EXPECT_EQ(Parse<Message>(std::string("\x0a\x01\xff", 3)).status().code(),
            base::Code::kInvalidArgument);
}

TEST(Parse, UnknownFieldsSurviveARoundTrip) {
  Message m;
  m.set_conversation("hello");
  // Field 49 (pollCreationMessage), not in our subset: {name(2) = "q"}.
  const std::string bytes = *Serialize(m) + std::string("\x8a\x03\x03\x12\x01q", 6);
  auto parsed = Parse<Message>(bytes);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->conversation(), "hello");
  EXPECT_EQ(*Serialize(*parsed), bytes);
}

TEST(Json, UsesWaprotoNamesAndTypes) {
  Message m;
  auto* image = m.mutable_image_message();
  image->set_file_length(12345678901ull);
  image->set_media_key(std::string("\x00\x01\x02", 3));
  image->set_media_key_domain(Message::E2EE_CHAT);
  m.mutable_view_once_message_v2()->mutable_message()->set_conversation("x");
  auto json = ToJson(m);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(
      *json,
      R"({"imageMessage":{"fileLength":"12345678901","mediaKey":"AAEC",)"
      R"("mediaKeyDomain":"E2EE_CHAT"},"viewOnceMessageV2":{"message":{"conversation":"x"}}})");
  Message back;
  ASSERT_TRUE(FromJson(*json, &back).ok());
  EXPECT_EQ(*Serialize(back), *Serialize(m));

  ClientPayload::WebInfo::WebdPayload webd;
  webd.set_supports_e2e_image(true);
  DeviceProps::HistorySyncConfig config;
  config.set_inline_initial_payload_in_e2ee_msg(true);
  WebMessageInfo info;
  info.set_message_c2s_timestamp(1);
  EXPECT_EQ(*ToJson(webd), R"({"supportsE2EImage":true})");
  EXPECT_EQ(*ToJson(config), R"({"inlineInitialPayloadInE2EeMsg":true})");
  EXPECT_EQ(*ToJson(info), R"({"messageC2STimestamp":"1"})");
}

TEST(Json, RejectsUnknownFields) {
  Message m;
  EXPECT_EQ(FromJson(R"({"noSuchField":1})", &m).code(), base::Code::kInvalidArgument);
  EXPECT_EQ(FromJson("not json", &m).code(), base::Code::kInvalidArgument);
}

TEST(NewMessage, FindsOurTypesOnly) {
  auto m = NewMessage("wa.proto.Message.ImageMessage");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ((*m)->GetDescriptor()->full_name(), "wa.proto.Message.ImageMessage");
  EXPECT_EQ(NewMessage("wa.proto.Nope").status().code(), base::Code::kNotFound);
  EXPECT_EQ(NewMessage("google.protobuf.FileDescriptorProto").status().code(),
            base::Code::kNotFound);
}

}  // namespace
}  // namespace wa::proto
