// MediaStore: the media files of an instance in WAGATE_MEDIA_DIR, named by
// content — "<sha256 of the plaintext, hex>.<ext>" — so a file sent or
// received twice is stored once, names are not guessable from message ids,
// and a name says what its bytes must hash to. The URL saved as a media
// message's `content` is <public url>/whatsapp/media/<name>.
//
// Files appear atomically: written under <dir>/tmp, then renamed into place.
// Thread safety: all methods; the file calls are BLOCKING.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/random.h"
#include "base/status.h"

namespace service {

struct MediaFile {
  std::string mime_type;
  std::string path;
  int64_t size = 0;
};

class MediaStore {
 public:
  MediaStore(std::string dir, std::string public_url);

  // Creates the directory (and its tmp/) when missing.
  base::Status Init();

  // "<hex sha256>.<ext>"; `sha256` is the 32-byte digest.
  static std::string NameFor(std::string_view sha256, std::string_view mime_type);
  // Whether `name` has that shape (the only names Find accepts).
  static bool IsName(std::string_view name);
  static std::string ExtensionFor(std::string_view mime_type);
  static std::string MimeFor(std::string_view name);

  std::string UrlFor(std::string_view name) const;
  // A fresh path under <dir>/tmp for a download or an upload in progress.
  std::string TempPath(base::Random& random) const;
  // Moves a finished temp file into place as `name` (replacing nothing: an
  // existing file with that name has the same content).
  base::Status Adopt(const std::string& temp_path, std::string_view name);
  bool Has(std::string_view name) const;
  // kNotFound when no such file (yet); kInvalidArgument for a bad name.
  base::Result<MediaFile> Find(std::string_view name) const;

  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  std::string public_url_;
};

}  // namespace service
