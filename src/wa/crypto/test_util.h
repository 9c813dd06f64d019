// Helpers for wa/crypto tests only.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "base/encoding.h"

namespace wa::crypto::testing {

// Hex literal → bytes; a malformed literal fails the test.
inline std::string Unhex(std::string_view hex) {
  auto bytes = base::HexDecode(hex);
  EXPECT_TRUE(bytes.ok()) << "bad hex literal: " << hex;
  return bytes.ok() ? *bytes : std::string();
}

inline std::string Hex(std::string_view bytes) { return base::HexEncode(bytes); }

}  // namespace wa::crypto::testing
