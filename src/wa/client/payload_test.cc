#include "wa/client/payload.h"

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "wa/iq/iq.h"
#include "wa/proto/codec.h"
#include "wa/proto/wa_client_payload.pb.h"

namespace wa::client {
namespace {

TEST(Payload, Registration) {
  base::SeededRandom random(10);
  Creds creds = NewCreds(random).value();
  auto payload =
      proto::Parse<proto::ClientPayload>(BuildRegistrationPayload(creds, "").value()).value();
  EXPECT_FALSE(payload.has_username());
  EXPECT_FALSE(payload.passive());
  EXPECT_FALSE(payload.pull());
  EXPECT_FALSE(payload.has_push_name());
  const auto& reg = payload.device_pairing_data();
  EXPECT_EQ(reg.e_regid(), iq::EncodeBigEndian(creds.registration_id, 4));
  EXPECT_EQ(reg.e_keytype(), "\x05");
  EXPECT_EQ(reg.e_ident(), creds.identity.public_key);
  EXPECT_EQ(reg.e_skey_id(), std::string("\0\0\x01", 3));
  EXPECT_EQ(reg.e_skey_val(), creds.signed_prekey.key_pair.public_key);
  EXPECT_EQ(reg.e_skey_sig(), creds.signed_prekey.signature);
  EXPECT_EQ(base::HexEncode(reg.build_hash()), "f6f65c0607a1cdffd8752b051fc95edf");
  auto props = proto::Parse<proto::DeviceProps>(reg.device_props()).value();
  EXPECT_EQ(props.os(), "Mac OS");
  EXPECT_EQ(props.platform_type(), proto::DeviceProps::CHROME);
  EXPECT_EQ(payload.user_agent().platform(), proto::ClientPayload::UserAgent::WEB);
  EXPECT_EQ(payload.user_agent().app_version().tertiary(), 1043857760u);
}

// The login bytes of whatsapp-protocol.md §3.3 (PN 15550001111, device 7).
TEST(Payload, LoginMatchesTheDocumentedBytes) {
  base::SeededRandom random(11);
  Creds creds = NewCreds(random).value();
  creds.registered = true;
  creds.me = Me{.jid = "15550001111:7@s.whatsapp.net", .lid = "", .name = ""};
  std::string bytes = BuildLoginPayload(creds, "").value();
  EXPECT_EQ(base::HexEncode(bytes),
            "08d7dfe8f639"
            "1801"
            "2a36080e120b080210b81718e082e0f1031a033030302203303030"
            "2a03302e313a074465736b746f704203302e3150005a02656e62025553"
            "32022000"
            "60016801"
            "900107"
            "880201"
            "c80200");
  creds.me.reset();
  EXPECT_EQ(BuildLoginPayload(creds, "").status().code(), base::Code::kFailedPrecondition);
  creds.me = Me{.jid = "abc@lid", .lid = "", .name = ""};
  EXPECT_FALSE(BuildLoginPayload(creds, "").ok());
}

}  // namespace
}  // namespace wa::client
