#include "wa/pair/qr.h"

#include <vector>

#include "base/encoding.h"

namespace wa::pair {
namespace {

// The platform id is short and alphanumeric: decimal digits in Baileys, a
// letter for some whatsmeow platforms [whatsapp-protocol.md §5.2].
base::Status CheckPlatformId(std::string_view id) {
  if (id.empty() || id.size() > 3) {
    return base::InvalidArgument("qr: platform id must be 1..3 characters, got " +
                                 std::to_string(id.size()));
  }
  for (char c : id) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!ok) return base::InvalidArgument("qr: platform id must be alphanumeric");
  }
  return base::Status::Ok();
}

base::Status CheckRef(std::string_view ref) {
  if (ref.empty()) return base::InvalidArgument("qr: empty ref");
  for (unsigned char c : ref) {
    // Refs are printable ASCII [§5.1]; a comma would shift every later field.
    if (c < 0x21 || c > 0x7e || c == ',') {
      return base::InvalidArgument("qr: ref must be printable ASCII without ',' or spaces");
    }
  }
  return base::Status::Ok();
}

// Canonical standard base64 with padding of exactly `size` bytes.
base::Result<std::string> DecodeField(std::string_view text, size_t size, const char* field) {
  auto decoded = base::Base64Decode(text);
  if (!decoded.ok() || base::Base64Encode(*decoded) != text) {
    return base::InvalidArgument(std::string("qr: ") + field + " is not canonical padded base64");
  }
  if (decoded->size() != size) {
    return base::InvalidArgument(std::string("qr: ") + field + " must be " + std::to_string(size) +
                                 " bytes, got " + std::to_string(decoded->size()));
  }
  return std::move(decoded).value();
}

}  // namespace

base::Result<std::string> BuildQr(const QrData& data) {
  WAGATE_RETURN_IF_ERROR(CheckRef(data.ref));
  WAGATE_RETURN_IF_ERROR(CheckPlatformId(data.platform_id));
  if (data.adv_secret.size() != kAdvSecretSize) {
    return base::InvalidArgument("qr: adv secret must be 32 bytes, got " +
                                 std::to_string(data.adv_secret.size()));
  }
  // Field order of Baileys' buildPairingQRData [§5.2].
  std::string qr(kQrPrefix);
  qr += data.ref;
  qr += ',';
  qr += base::Base64Encode(data.noise_key.raw());
  qr += ',';
  qr += base::Base64Encode(data.identity_key.raw());
  qr += ',';
  qr += base::Base64Encode(data.adv_secret);
  qr += ',';
  qr += data.platform_id;
  return qr;
}

base::Result<QrData> ParseQr(std::string_view qr) {
  if (!qr.starts_with(kQrPrefix)) {
    return base::InvalidArgument("qr: missing prefix " + std::string(kQrPrefix));
  }
  qr.remove_prefix(kQrPrefix.size());
  std::vector<std::string_view> fields;
  for (size_t start = 0;;) {
    size_t comma = qr.find(',', start);
    fields.push_back(qr.substr(start, comma == std::string_view::npos ? comma : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (fields.size() != 5) {
    return base::InvalidArgument("qr: expected 5 comma-separated fields, got " +
                                 std::to_string(fields.size()));
  }
  WAGATE_RETURN_IF_ERROR(CheckRef(fields[0]));
  WAGATE_ASSIGN_OR_RETURN(std::string noise, DecodeField(fields[1], 32, "noise key"));
  WAGATE_ASSIGN_OR_RETURN(std::string identity, DecodeField(fields[2], 32, "identity key"));
  WAGATE_ASSIGN_OR_RETURN(std::string adv, DecodeField(fields[3], kAdvSecretSize, "adv secret"));
  WAGATE_RETURN_IF_ERROR(CheckPlatformId(fields[4]));
  WAGATE_ASSIGN_OR_RETURN(crypto::PublicKey noise_key, crypto::PublicKey::FromRaw(noise));
  WAGATE_ASSIGN_OR_RETURN(crypto::PublicKey identity_key, crypto::PublicKey::FromRaw(identity));
  return QrData{.ref = std::string(fields[0]),
                .noise_key = noise_key,
                .identity_key = identity_key,
                .adv_secret = std::move(adv),
                .platform_id = std::string(fields[4])};
}

}  // namespace wa::pair
