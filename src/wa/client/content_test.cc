#include "wa/client/content.h"

#include <gtest/gtest.h>

#include "wa/proto/wa_message.pb.h"

namespace wa::client {
namespace {

using wa::proto::Message;

Content ParseOk(const Message& m) {
  auto c = ParseContent(m.SerializeAsString());
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : Content{};
}

TEST(ContentTest, TextAndReplies) {
  Message m;
  m.set_conversation("hello");
  Content c = ParseOk(m);
  EXPECT_EQ(c.type, "text");
  EXPECT_EQ(c.text, "hello");
  EXPECT_FALSE(c.quoted_id);

  auto reply = ParseContent(BuildTextMessage("yes", Quote{"3EB0AA", "15550100002@s.whatsapp.net"}));
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->type, "text");
  EXPECT_EQ(reply->text, "yes");
  EXPECT_EQ(reply->quoted_id, "3EB0AA");
  EXPECT_EQ(ParseContent(BuildTextMessage("plain", std::nullopt))->text, "plain");
}

TEST(ContentTest, MediaCarriesItsBlobReference) {
  MediaMessageInput in;
  in.media_type = "document";
  in.uploaded = {"https://127.0.0.1:1/m/x", "/m/x", std::string(32, 'k'), std::string(32, 'p'),
                 std::string(32, 'e'),      1234};
  in.mime_type = "application/pdf";
  in.caption = "the report";
  in.file_name = "report.pdf";
  auto bytes = BuildMediaMessage(in);
  ASSERT_TRUE(bytes.ok());
  auto c = ParseContent(*bytes);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->type, "document");
  EXPECT_EQ(c->caption, "the report");
  EXPECT_EQ(c->file_name, "report.pdf");
  EXPECT_EQ(c->mime_type, "application/pdf");
  EXPECT_EQ(c->size, 1234);
  ASSERT_TRUE(c->media);
  EXPECT_EQ(c->media->media_type, "document");
  EXPECT_EQ(c->media->url, "https://127.0.0.1:1/m/x");
  EXPECT_EQ(c->media->direct_path, "/m/x");
  EXPECT_EQ(c->media->media_key, std::string(32, 'k'));
  EXPECT_EQ(c->media->file_sha256, std::string(32, 'p'));
  EXPECT_EQ(c->media->file_enc_sha256, std::string(32, 'e'));
  EXPECT_EQ(c->media->file_length, 1234u);

  for (std::string type : {"image", "video", "audio"}) {
    in.media_type = type;
    auto c2 = ParseContent(*BuildMediaMessage(in));
    ASSERT_TRUE(c2.ok());
    EXPECT_EQ(c2->type, type);
    EXPECT_EQ(c2->media->media_type, type);
  }
  in.media_type = "gif";
  EXPECT_EQ(BuildMediaMessage(in).status().code(), base::Code::kInvalidArgument);
}

TEST(ContentTest, WrappersAreUnwrapped) {
  Message m;
  m.mutable_ephemeral_message()
      ->mutable_message()
      ->mutable_view_once_message()
      ->mutable_message()
      ->mutable_image_message()
      ->set_caption("secret");
  Content c = ParseOk(m);
  EXPECT_EQ(c.type, "image");
  EXPECT_EQ(c.caption, "secret");
}

TEST(ContentTest, ReactionLocationContact) {
  Message r;
  r.mutable_reaction_message()->set_text("👍");
  r.mutable_reaction_message()->mutable_key()->set_id("3EB0BB");
  Content c = ParseOk(r);
  EXPECT_EQ(c.type, "reaction");
  EXPECT_EQ(c.text, "👍");
  EXPECT_EQ(c.quoted_id, "3EB0BB");

  Message l;
  l.mutable_location_message()->set_degrees_latitude(52.52);
  l.mutable_location_message()->set_degrees_longitude(13.405);
  l.mutable_location_message()->set_name("Berlin");
  c = ParseOk(l);
  EXPECT_EQ(c.type, "location");
  EXPECT_EQ(c.text, "geo:52.520000,13.405000");
  EXPECT_EQ(c.caption, "Berlin");

  Message k;
  k.mutable_contact_message()->set_display_name("Bob");
  k.mutable_contact_message()->set_vcard("BEGIN:VCARD\nFN:Bob\nEND:VCARD");
  c = ParseOk(k);
  EXPECT_EQ(c.type, "contact");
  EXPECT_EQ(c.caption, "Bob");
}

TEST(ContentTest, ProtocolPayloadsAreSkippedAndUnknownKeepsItsRawType) {
  Message skdm;
  skdm.mutable_sender_key_distribution_message()->set_group_id("1203630@g.us");
  EXPECT_TRUE(ParseOk(skdm).skip);

  // Field 49 (a poll in WhatsApp's schema) is not in our subset.
  std::string bytes = std::string("\x8a\x03\x02\x0a\x00", 5);  // field 49, length 2, {field 1: ""}
  auto c = ParseContent(bytes);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->type, "unknown");
  EXPECT_EQ(c->text, "raw:49");

  EXPECT_FALSE(ParseContent("\xff\xff\xff").ok());
}

}  // namespace
}  // namespace wa::client
