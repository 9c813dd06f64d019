// Tag bytes of the WABinary node format [whatsapp-protocol.md §4.2; Baileys
// lib/WABinary/constants.js TAGS]. Constants only.
#pragma once

#include <cstdint>

namespace wa::binary {

inline constexpr uint8_t kTagListEmpty = 0x00;    // empty list; as a string ""
inline constexpr uint8_t kTagDictionary0 = 0xEC;  // 236..239: double-byte token, next byte = index
inline constexpr uint8_t kTagDictionary3 = 0xEF;
inline constexpr uint8_t kTagInteropJid = 0xF5;  // user, u16be device, u16be integrator, server
inline constexpr uint8_t kTagFbJid = 0xF6;       // user, u16be device, server
inline constexpr uint8_t kTagAdJid = 0xF7;       // u8 agent, u8 device, user
inline constexpr uint8_t kTagList8 = 0xF8;       // u8 size
inline constexpr uint8_t kTagList16 = 0xF9;      // u16be size
inline constexpr uint8_t kTagJidPair = 0xFA;     // user (or 00), server
inline constexpr uint8_t kTagHex8 = 0xFB;        // packed 0-9A-F
inline constexpr uint8_t kTagBinary8 = 0xFC;     // u8 length
inline constexpr uint8_t kTagBinary20 = 0xFD;    // 20-bit length in 3 bytes (top nibble ignored)
inline constexpr uint8_t kTagBinary32 = 0xFE;    // u32be length
inline constexpr uint8_t kTagNibble8 = 0xFF;     // packed 0-9 - .

// Longest string the packed forms (NIBBLE_8, HEX_8) carry: the length byte has
// 7 bits of pairs, Baileys caps the string at 127 characters (TAGS.PACKED_MAX).
inline constexpr uint32_t kPackedMax = 127;

}  // namespace wa::binary
