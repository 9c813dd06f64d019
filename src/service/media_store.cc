#include "service/media_store.h"

#include <filesystem>
#include <system_error>

#include "base/encoding.h"

namespace service {
namespace fs = std::filesystem;

namespace {

struct TypeExt {
  std::string_view mime;
  std::string_view ext;
};
// The types WhatsApp media commonly has; the first entry of a type wins
// when naming, any entry when serving.
constexpr TypeExt kTypes[] = {
    {"image/jpeg", "jpg"},
    {"image/png", "png"},
    {"image/gif", "gif"},
    {"image/webp", "webp"},
    {"video/mp4", "mp4"},
    {"video/quicktime", "mov"},
    {"video/webm", "webm"},
    {"video/3gpp", "3gp"},
    {"audio/ogg", "ogg"},
    {"audio/mpeg", "mp3"},
    {"audio/mp4", "m4a"},
    {"audio/aac", "aac"},
    {"audio/wav", "wav"},
    {"audio/amr", "amr"},
    {"application/pdf", "pdf"},
    {"application/zip", "zip"},
    {"text/plain", "txt"},
    {"text/csv", "csv"},
    {"application/msword", "doc"},
    {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"},
    {"application/vnd.ms-excel", "xls"},
    {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"},
    {"application/octet-stream", "bin"},
};

}  // namespace

MediaStore::MediaStore(std::string dir, std::string public_url)
    : dir_(std::move(dir)), public_url_(std::move(public_url)) {
  while (!public_url_.empty() && public_url_.back() == '/') public_url_.pop_back();
}

base::Status MediaStore::Init() {
  std::error_code ec;
  fs::create_directories(fs::path(dir_) / "tmp", ec);
  if (ec) return base::Unavailable("media dir " + dir_ + ": " + ec.message());
  return base::Status::Ok();
}

std::string MediaStore::ExtensionFor(std::string_view mime) {
  // "audio/ogg; codecs=opus" names like "audio/ogg".
  mime = mime.substr(0, mime.find(';'));
  while (!mime.empty() && mime.back() == ' ') mime.remove_suffix(1);
  for (const TypeExt& t : kTypes) {
    if (t.mime == mime) return std::string(t.ext);
  }
  return "bin";
}

std::string MediaStore::MimeFor(std::string_view name) {
  const size_t dot = name.rfind('.');
  if (dot == std::string_view::npos) return "application/octet-stream";
  const std::string_view ext = name.substr(dot + 1);
  for (const TypeExt& t : kTypes) {
    if (t.ext == ext) return std::string(t.mime);
  }
  return "application/octet-stream";
}

std::string MediaStore::NameFor(std::string_view sha256, std::string_view mime_type) {
  return base::HexEncode(sha256) + "." + ExtensionFor(mime_type);
}

bool MediaStore::IsName(std::string_view name) {
  if (name.size() < 66 || name.size() > 70 || name[64] != '.') return false;
  for (size_t i = 0; i < 64; ++i) {
    const char c = name[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  for (size_t i = 65; i < name.size(); ++i) {
    const char c = name[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))) return false;
  }
  return true;
}

std::string MediaStore::UrlFor(std::string_view name) const {
  return public_url_ + "/whatsapp/media/" + std::string(name);
}

std::string MediaStore::TempPath(base::Random& random) const {
  return (fs::path(dir_) / "tmp" / base::HexEncode(random.Bytes(12))).string();
}

base::Status MediaStore::Adopt(const std::string& temp_path, std::string_view name) {
  if (!IsName(name)) return base::InvalidArgument("media: bad file name");
  std::error_code ec;
  fs::rename(temp_path, fs::path(dir_) / std::string(name), ec);
  if (ec) {
    fs::remove(temp_path, ec);
    return base::Internal("media: cannot store " + std::string(name) + ": " + ec.message());
  }
  return base::Status::Ok();
}

bool MediaStore::Has(std::string_view name) const {
  std::error_code ec;
  return IsName(name) && fs::is_regular_file(fs::path(dir_) / std::string(name), ec);
}

base::Result<MediaFile> MediaStore::Find(std::string_view name) const {
  if (!IsName(name)) return base::InvalidArgument("id must be a media id as found in a message");
  const fs::path path = fs::path(dir_) / std::string(name);
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) return base::NotFound("media " + std::string(name) + " not found");
  return MediaFile{MimeFor(name), path.string(), static_cast<int64_t>(size)};
}

}  // namespace service
