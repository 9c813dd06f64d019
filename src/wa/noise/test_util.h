// Helpers for wa/noise unit tests: hex literals, plus the PKI of test_pki.h.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "base/encoding.h"
#include "wa/noise/test_pki.h"

namespace wa::noise::testing {

inline std::string Unhex(std::string_view hex) {
  auto bytes = base::HexDecode(hex);
  EXPECT_TRUE(bytes.ok()) << "bad hex literal: " << hex;
  return bytes.ok() ? *bytes : std::string();
}

}  // namespace wa::noise::testing
