// Helpers shared by the wa/binary unit tests.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "base/encoding.h"
#include "wa/binary/node.h"

namespace wa::binary::testing {

// Hex with spaces and newlines ignored, so vectors can be written as in the docs.
inline std::string Unhex(std::string_view spaced) {
  std::string hex;
  for (char c : spaced) {
    if (c != ' ' && c != '\n') hex += c;
  }
  auto bytes = base::HexDecode(hex);
  EXPECT_TRUE(bytes.ok()) << spaced;
  return bytes.ok() ? *bytes : std::string();
}

inline Jid J(std::string_view text) {
  auto jid = Jid::Parse(text);
  EXPECT_TRUE(jid.ok()) << text;
  return jid.ok() ? *jid : Jid();
}

}  // namespace wa::binary::testing
