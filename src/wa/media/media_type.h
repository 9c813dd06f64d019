// The kinds of WhatsApp media and the protocol constants tied to each.
//
// The media type decides the HKDF info string of the media key expansion
// ("WhatsApp <X> Keys") and the upload path [whatsapp-protocol.md §10.1,
// §10.3; Baileys src/Defaults MEDIA_HKDF_KEY_MAPPING, MEDIA_PATH_MAP].
// Names are Baileys' MediaType strings ("image", "ptt", "md-msg-hist", ...).
// Thread safety: pure functions over constant tables.
#pragma once

#include <string_view>

#include "base/status.h"

namespace wa::media {

enum class MediaType {
  kImage,
  kVideo,
  kAudio,
  kDocument,
  kSticker,
  kGif,                  // a video played as GIF
  kPtt,                  // push-to-talk voice note
  kPtv,                  // round video note
  kHistory,              // "md-msg-hist": history-sync blobs
  kAppState,             // "md-app-state": app-state snapshots and patches
  kThumbnailImage,       // "thumbnail-image"
  kThumbnailVideo,       // "thumbnail-video"
  kThumbnailDocument,    // "thumbnail-document"
  kThumbnailLink,        // "thumbnail-link": HQ link-preview thumbnails
  kProfilePicture,       // "ppic"
  kProduct,              // "product"
  kProductCatalogImage,  // "product-catalog-image"
  kPaymentBackground,    // "payment-bg-image"
  kBizCoverPhoto,        // "biz-cover-photo"
};

// Baileys' name of the type ("image", "md-msg-hist", ...).
std::string_view MediaTypeName(MediaType type);
// The inverse; kInvalidArgument for an unknown name.
base::Result<MediaType> ParseMediaType(std::string_view name);

// The HKDF info: "WhatsApp Image Keys", "WhatsApp Video Keys", ... Sticker,
// product and biz cover photos use Image; gif and ptv use Video; ptt uses
// Audio; ppic and product-catalog-image use the empty name, giving
// "WhatsApp  Keys" with two spaces [§10.1].
std::string_view HkdfInfo(MediaType type);

// The upload path on the media host ("/mms/image"), or "" when WhatsApp Web
// defines none for the type [§10.3].
std::string_view UploadPath(MediaType type);

}  // namespace wa::media
