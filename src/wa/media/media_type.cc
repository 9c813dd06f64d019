#include "wa/media/media_type.h"

#include <array>
#include <string>

namespace wa::media {

namespace {

struct Entry {
  MediaType type;
  std::string_view name;
  std::string_view hkdf_info;
  std::string_view upload_path;
};

// [whatsapp-protocol.md §10.1, §10.3].
constexpr std::array kTable = {
    Entry{MediaType::kImage, "image", "WhatsApp Image Keys", "/mms/image"},
    Entry{MediaType::kVideo, "video", "WhatsApp Video Keys", "/mms/video"},
    Entry{MediaType::kAudio, "audio", "WhatsApp Audio Keys", "/mms/audio"},
    Entry{MediaType::kDocument, "document", "WhatsApp Document Keys", "/mms/document"},
    Entry{MediaType::kSticker, "sticker", "WhatsApp Image Keys", "/mms/image"},
    Entry{MediaType::kGif, "gif", "WhatsApp Video Keys", ""},
    Entry{MediaType::kPtt, "ptt", "WhatsApp Audio Keys", ""},
    Entry{MediaType::kPtv, "ptv", "WhatsApp Video Keys", ""},
    Entry{MediaType::kHistory, "md-msg-hist", "WhatsApp History Keys", "/mms/md-app-state"},
    Entry{MediaType::kAppState, "md-app-state", "WhatsApp App State Keys", ""},
    Entry{MediaType::kThumbnailImage, "thumbnail-image", "WhatsApp Image Thumbnail Keys", ""},
    Entry{MediaType::kThumbnailVideo, "thumbnail-video", "WhatsApp Video Thumbnail Keys", ""},
    Entry{MediaType::kThumbnailDocument, "thumbnail-document", "WhatsApp Document Thumbnail Keys",
          ""},
    Entry{MediaType::kThumbnailLink, "thumbnail-link", "WhatsApp Link Thumbnail Keys",
          "/mms/image"},
    Entry{MediaType::kProfilePicture, "ppic", "WhatsApp  Keys", ""},
    Entry{MediaType::kProduct, "product", "WhatsApp Image Keys", ""},
    Entry{MediaType::kProductCatalogImage, "product-catalog-image", "WhatsApp  Keys",
          "/product/image"},
    Entry{MediaType::kPaymentBackground, "payment-bg-image", "WhatsApp Payment Background Keys",
          ""},
    Entry{MediaType::kBizCoverPhoto, "biz-cover-photo", "WhatsApp Image Keys",
          "/pps/biz-cover-photo"},
};

const Entry& Find(MediaType type) {
  for (const Entry& e : kTable) {
    if (e.type == type) return e;
  }
  return kTable[0];  // unreachable for a valid enumerator
}

}  // namespace

std::string_view MediaTypeName(MediaType type) { return Find(type).name; }

base::Result<MediaType> ParseMediaType(std::string_view name) {
  for (const Entry& e : kTable) {
    if (e.name == name) return e.type;
  }
  return base::InvalidArgument("unknown media type '" + std::string(name) + "'");
}

std::string_view HkdfInfo(MediaType type) { return Find(type).hkdf_info; }

std::string_view UploadPath(MediaType type) { return Find(type).upload_path; }

}  // namespace wa::media
