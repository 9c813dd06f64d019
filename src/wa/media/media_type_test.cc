#include "wa/media/media_type.h"

#include <gtest/gtest.h>

namespace wa::media {
namespace {

TEST(MediaType, NamesRoundTrip) {
  for (const char* name : {"image", "video", "audio", "document", "sticker", "gif", "ptt", "ptv",
                           "md-msg-hist", "md-app-state", "thumbnail-image", "thumbnail-video",
                           "thumbnail-document", "thumbnail-link", "ppic", "product",
                           "product-catalog-image", "payment-bg-image", "biz-cover-photo"}) {
    auto type = ParseMediaType(name);
    ASSERT_TRUE(type.ok()) << name;
    EXPECT_EQ(MediaTypeName(*type), name);
  }
  EXPECT_EQ(ParseMediaType("Image").status().code(), base::Code::kInvalidArgument);
  EXPECT_EQ(ParseMediaType("").status().code(), base::Code::kInvalidArgument);
}

// [whatsapp-protocol.md §10.1] (Baileys MEDIA_HKDF_KEY_MAPPING).
TEST(MediaType, HkdfInfoStrings) {
  EXPECT_EQ(HkdfInfo(MediaType::kImage), "WhatsApp Image Keys");
  EXPECT_EQ(HkdfInfo(MediaType::kVideo), "WhatsApp Video Keys");
  EXPECT_EQ(HkdfInfo(MediaType::kAudio), "WhatsApp Audio Keys");
  EXPECT_EQ(HkdfInfo(MediaType::kDocument), "WhatsApp Document Keys");
  EXPECT_EQ(HkdfInfo(MediaType::kSticker), "WhatsApp Image Keys");
  EXPECT_EQ(HkdfInfo(MediaType::kGif), "WhatsApp Video Keys");
  EXPECT_EQ(HkdfInfo(MediaType::kPtv), "WhatsApp Video Keys");
  EXPECT_EQ(HkdfInfo(MediaType::kPtt), "WhatsApp Audio Keys");
  EXPECT_EQ(HkdfInfo(MediaType::kHistory), "WhatsApp History Keys");
  EXPECT_EQ(HkdfInfo(MediaType::kAppState), "WhatsApp App State Keys");
  EXPECT_EQ(HkdfInfo(MediaType::kThumbnailLink), "WhatsApp Link Thumbnail Keys");
  EXPECT_EQ(HkdfInfo(MediaType::kProfilePicture), "WhatsApp  Keys");
}

// [§10.3] (Baileys MEDIA_PATH_MAP).
TEST(MediaType, UploadPaths) {
  EXPECT_EQ(UploadPath(MediaType::kImage), "/mms/image");
  EXPECT_EQ(UploadPath(MediaType::kSticker), "/mms/image");
  EXPECT_EQ(UploadPath(MediaType::kDocument), "/mms/document");
  EXPECT_EQ(UploadPath(MediaType::kHistory), "/mms/md-app-state");
  EXPECT_EQ(UploadPath(MediaType::kPtt), "");
}

}  // namespace
}  // namespace wa::media
