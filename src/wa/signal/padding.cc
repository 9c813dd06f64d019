#include "wa/signal/padding.h"

namespace wa::signal {

std::string Pad(std::string_view message, base::Random& random) {
  unsigned char byte = 0;
  random.Fill(&byte, 1);
  size_t pad = (byte & 0x0F) + 1;
  std::string out;
  out.reserve(message.size() + pad);
  out.append(message);
  out.append(pad, static_cast<char>(pad));
  return out;
}

base::Result<std::string> Unpad(std::string_view padded) {
  if (padded.empty()) return base::DataLoss("unpad: empty plaintext");
  size_t pad = static_cast<unsigned char>(padded.back());
  if (pad == 0) return base::DataLoss("unpad: pad length 0");
  if (pad > padded.size()) {
    return base::DataLoss("unpad: pad length " + std::to_string(pad) + " exceeds " +
                          std::to_string(padded.size()) + " bytes");
  }
  for (size_t i = padded.size() - pad; i < padded.size(); ++i) {
    if (static_cast<unsigned char>(padded[i]) != pad) {
      return base::DataLoss("unpad: pad byte at " + std::to_string(i) + " is not " +
                            std::to_string(pad));
    }
  }
  return std::string(padded.substr(0, padded.size() - pad));
}

}  // namespace wa::signal
