// QR code images for the session endpoints (api.md "Session"): the QR text
// encoded with libqrencode and drawn as a black-on-white PNG with libpng, so a
// front-end can show it as is. Pure functions; no I/O.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace service {

// Largest text encoded; WhatsApp's QR strings are ~190 bytes.
inline constexpr size_t kMaxQrText = 1024;

// The PNG bytes: `scale` pixels per module and a 4-module quiet zone, the
// margin scanners need. Errors: kInvalidArgument for empty or oversized
// text or scale outside 1..32; kInternal when an encoder fails.
base::Result<std::string> QrPng(std::string_view text, int scale = 6);

// "data:image/png;base64,…" of QrPng(text).
base::Result<std::string> QrPngDataUrl(std::string_view text);

}  // namespace service
