#include "wa/binary/decoder.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "wa/binary/tags.h"
#include "wa/binary/tokens.h"
#include "wa/binary/utf8.h"

namespace wa::binary {
namespace {

// The smallest encodings of the repeated items, used to cap reserve() so a
// forged count cannot allocate more than the input could fill.
constexpr size_t kMinNodeBytes = 3;  // f8 01 <token>
constexpr size_t kMinAttrBytes = 2;  // <token> <token>

bool IsJidTag(uint8_t t) {
  // One test for the four tags, all within 0xF5..0xFA.
  constexpr uint32_t kJidTagBits =
      (1u << (kTagInteropJid - kTagInteropJid)) | (1u << (kTagFbJid - kTagInteropJid)) |
      (1u << (kTagAdJid - kTagInteropJid)) | (1u << (kTagJidPair - kTagInteropJid));
  return t >= kTagInteropJid && ((kJidTagBits >> (t - kTagInteropJid)) & 1u) != 0;
}

bool IsListTag(uint8_t t) { return t == kTagListEmpty || t == kTagList8 || t == kTagList16; }

std::string TagName(uint8_t t) {
  char buffer[8];
  std::snprintf(buffer, sizeof(buffer), "0x%02x", t);
  return buffer;
}

// Both characters of every packed byte, so that unpacking is a table load
// and a two-byte store per byte.
struct PackedTable {
  char chars[256][2];
  bool invalid[256];
};

constexpr PackedTable MakePackedTable(const char (&digits)[16], bool nibble) {
  PackedTable table{};
  for (int b = 0; b < 256; ++b) {
    const int hi = b >> 4, lo = b & 0x0F;
    table.chars[b][0] = digits[hi];
    table.chars[b][1] = digits[lo];
    // NIBBLE_8 has no digits 12..14.
    table.invalid[b] = nibble && ((hi >= 12 && hi <= 14) || (lo >= 12 && lo <= 14));
  }
  return table;
}

constexpr char kNibbleDigits[16] = {'0', '1', '2', '3', '4', '5', '6', '7',
                                    '8', '9', '-', '.', 0,   0,   0,   '\0'};
constexpr char kHexDigits[16] = {'0', '1', '2', '3', '4', '5', '6', '7',
                                 '8', '9', 'A', 'B', 'C', 'D', 'E', 'F'};
constexpr PackedTable kNibbleTable = MakePackedTable(kNibbleDigits, true);
constexpr PackedTable kHexTable = MakePackedTable(kHexDigits, false);

class Decoder {
 public:
  Decoder(std::string_view body, const std::shared_ptr<const std::string>* owner,
          const DecodeLimits& limits, Arena* arena)
      : p_(reinterpret_cast<const uint8_t*>(body.data())),
        size_(body.size()),
        owner_(owner),
        limits_(limits),
        arena_(arena) {}

  // REQUIRES: node owns the arena given to the constructor.
  bool DecodeRoot(Node* node) {
    if (!ReadNode(node, 1)) return false;
    if (pos_ != size_) return Fail(std::to_string(size_ - pos_) + " trailing bytes", pos_);
    return true;
  }

  const std::string& error() const { return error_; }

 private:
  size_t Remaining() const { return size_ - pos_; }

  [[gnu::noinline, gnu::cold]] bool Fail(const std::string& what, size_t at) {
    error_ = "decode node: " + what + " at byte " + std::to_string(at);
    return false;
  }

  bool Need(size_t n) {
    if (n <= Remaining()) [[likely]] {
      return true;
    }
    return FailEnd(n);
  }

  [[gnu::noinline, gnu::cold]] bool FailEnd(size_t n) {
    return Fail("unexpected end of data (need " + std::to_string(n) + " bytes, " +
                    std::to_string(Remaining()) + " left)",
                pos_);
  }

  bool ReadByte(uint8_t* b) {
    if (!Need(1)) return false;
    *b = p_[pos_++];
    return true;
  }

  bool ReadU16(uint32_t* v) {
    if (!Need(2)) return false;
    *v = (uint32_t{p_[pos_]} << 8) | p_[pos_ + 1];
    pos_ += 2;
    return true;
  }

  // BINARY_20 length: the top nibble of the first byte is ignored, as Baileys does.
  bool ReadU20(uint32_t* v) {
    if (!Need(3)) return false;
    *v = (uint32_t{p_[pos_] & 0x0Fu} << 16) | (uint32_t{p_[pos_ + 1]} << 8) | p_[pos_ + 2];
    pos_ += 3;
    return true;
  }

  bool ReadU32(uint32_t* v) {
    if (!Need(4)) return false;
    *v = (uint32_t{p_[pos_]} << 24) | (uint32_t{p_[pos_ + 1]} << 16) |
         (uint32_t{p_[pos_ + 2]} << 8) | p_[pos_ + 3];
    pos_ += 4;
    return true;
  }

  // The length that follows a BINARY_8/20/32 tag.
  bool ReadByteLength(uint8_t t, uint32_t* n) {
    if (t == kTagBinary8) {
      uint8_t b;
      if (!ReadByte(&b)) return false;
      *n = b;
      return true;
    }
    return t == kTagBinary20 ? ReadU20(n) : ReadU32(n);
  }

  [[gnu::always_inline]] bool ReadListSize(uint8_t t, size_t at, uint32_t* size) {
    switch (t) {
      case kTagListEmpty:
        *size = 0;
        return true;
      case kTagList8: {
        uint8_t b;
        if (!ReadByte(&b)) return false;
        *size = b;
        return true;
      }
      case kTagList16:
        return ReadU16(size);
      default:
        return Fail("expected a list, got tag " + TagName(t), at);
    }
  }

  bool CountElements(size_t n, size_t at) {
    elements_ += n;
    if (elements_ <= limits_.max_elements) return true;
    return Fail("more than " + std::to_string(limits_.max_elements) + " nodes and attributes", at);
  }

  // [§4.1] list header, tag, attribute pairs, content if the list size is even.
  bool ReadNode(Node* node, uint32_t depth) {
    size_t start = pos_;
    uint8_t t;
    if (!ReadByte(&t)) return false;
    uint32_t size = 0;
    if (!ReadListSize(t, start, &size)) return false;
    if (size == 0) return Fail("empty node", start);
    if (!CountElements(1, start)) return false;
    size_t tag_at = pos_;
    if (!ReadText(&node->tag)) return false;
    if (node->tag.empty()) return Fail("empty tag", tag_at);

    uint32_t attr_count = (size - 1) / 2;
    if (attr_count > 0) {
      if (attr_count > limits_.max_attrs) {
        return Fail(std::to_string(attr_count) + " attributes exceed the limit of " +
                        std::to_string(limits_.max_attrs),
                    start);
      }
      if (!CountElements(attr_count, start)) return false;
      // Attribute i starts after >= i * kMinAttrBytes bytes, so a forged
      // count runs out of input before it runs out of this room.
      const size_t room = std::min<size_t>(attr_count, Remaining() / kMinAttrBytes + 1);
      AttrList& attrs = node->attrs;
      attrs.StartArenaRun(arena_->AllocateArray<Attr>(room));
      for (uint32_t i = 0; i < attr_count; ++i) {
        if (attrs.size() == room) [[unlikely]] {
          return FailEnd(kMinAttrBytes);
        }
        Attr& attr = attrs.ArenaAppend();
        if (!ReadText(&attr.key) || !ReadValue(&attr.value)) return false;
        if (i > 0) DropRepeatedKey(&attrs);
      }
    }
    if (size % 2 == 0) return ReadContent(node, depth);
    return true;
  }

  // When the attribute just added repeats a key, it keeps the first position
  // and takes the last value, as the JS object Baileys fills does.
  static void DropRepeatedKey(AttrList* attrs) {
    Attr& last = attrs->back();
    for (size_t i = 0; i + 1 < attrs->size(); ++i) {
      Attr& attr = (*attrs)[i];
      if (attr.key == last.key) {
        // StealFrom, not a move: a move would copy an arena view.
        if (auto* text = std::get_if<Str>(&last.value)) {
          attr.value.emplace<Str>().StealFrom(*text);
        } else {
          attr.value = std::move(last.value);
        }
        attrs->ArenaPopBack();
        return;
      }
    }
  }

  bool ReadContent(Node* node, uint32_t depth) {
    size_t at = pos_;
    uint8_t t;
    if (!ReadByte(&t)) return false;
    if (IsListTag(t)) {
      uint32_t count = 0;
      if (!ReadListSize(t, at, &count)) return false;
      if (count > limits_.max_children) {
        return Fail(std::to_string(count) + " children exceed the limit of " +
                        std::to_string(limits_.max_children),
                    at);
      }
      if (count > 0 && depth >= limits_.max_depth) {
        return Fail("nodes nested deeper than " + std::to_string(limits_.max_depth), at);
      }
      auto& children = node->content.emplace<NodeList>();
      if (count == 0) return true;
      // As for attributes: child i starts after >= i * kMinNodeBytes bytes.
      const size_t room = std::min<size_t>(count, Remaining() / kMinNodeBytes + 1);
      children.StartArenaRun(arena_->AllocateArray<Node>(room));
      for (uint32_t i = 0; i < count; ++i) {
        if (children.size() == room) [[unlikely]] {
          return FailEnd(kMinNodeBytes);
        }
        if (!ReadNode(&children.ArenaAppend(), depth + 1)) return false;
      }
      return true;
    }
    if (t == kTagBinary8 || t == kTagBinary20 || t == kTagBinary32) {
      uint32_t n;
      if (!ReadByteLength(t, &n) || !Need(n)) return false;
      std::string_view bytes(reinterpret_cast<const char*>(p_ + pos_), n);
      if (owner_ && n >= kMinSharedBytes) {
        node->content.emplace<Bytes>(*owner_, bytes);
      } else if (n > 0) {
        node->content.emplace<Bytes>().ViewArena(CopyToArena(bytes));
      } else {
        node->content.emplace<Bytes>();
      }
      pos_ += n;
      return true;
    }
    if (IsJidTag(t)) {
      JidParts parts;
      if (!ReadJidParts(t, &parts)) return false;
      if (FitsJid(parts)) {
        EmplaceJid(parts, &node->content);
      } else {
        JidText(parts, &node->content.emplace<Str>());
      }
      return true;
    }
    return ReadStringBody(t, at, &node->content.emplace<Str>());
  }

  // A string in tag or key position: JIDs as the text Baileys shows.
  bool ReadText(Str* out) {
    size_t at = pos_;
    uint8_t t;
    if (!ReadByte(&t)) return false;
    if (IsJidTag(t)) {
      JidParts parts;
      if (!ReadJidParts(t, &parts)) return false;
      JidText(parts, out);
      return true;
    }
    return ReadStringBody(t, at, out);
  }

  // An attribute value: a typed Jid when the wire has a JID that fits the grammar.
  bool ReadValue(AttrValue* value) {
    size_t at = pos_;
    uint8_t t;
    if (!ReadByte(&t)) return false;
    // A fresh AttrValue already holds an empty Str.
    auto* text = std::get_if<Str>(value);
    if (!IsJidTag(t)) return ReadStringBody(t, at, text ? text : &value->emplace<Str>());
    JidParts parts;
    if (!ReadJidParts(t, &parts)) return false;
    if (FitsJid(parts)) {
      EmplaceJid(parts, value);
    } else {
      JidText(parts, text ? text : &value->emplace<Str>());
    }
    return true;
  }

  // Every string form but the JIDs; `t` was read at `at`. Tokens become
  // static views, anything else a copy in the arena. Single-byte tokens, most
  // strings of a stanza, take the inlined branch.
  [[gnu::always_inline]] bool ReadStringBody(uint8_t t, size_t at, Str* out) {
    if (t >= 1 && t < kSingleByteTokenCount) [[likely]] {
      out->ViewStatic(internal::kSingleByteTable[t]);
      return true;
    }
    return ReadOtherString(t, at, out);
  }

  [[gnu::noinline]] bool ReadOtherString(uint8_t t, size_t at, Str* out) {
    if (t >= kTagDictionary0 && t <= kTagDictionary3) {
      uint8_t index;
      if (!ReadByte(&index)) return false;
      out->ViewStatic(DoubleByteToken(static_cast<uint8_t>(t - kTagDictionary0), index));
      return true;
    }
    std::string_view view;
    if (!ReadOtherStringView(t, at, 0, &view)) return false;
    out->ViewArena(CopyToArena(view));
    return true;
  }

  std::string_view CopyToArena(std::string_view text) {
    if (text.empty()) return {};
    char* copy = arena_->AllocateArray<char>(text.size());
    std::memcpy(copy, text.data(), text.size());
    return {copy, text.size()};
  }

  // Every string form but the JIDs, as a view into the token table, the
  // input or scratch_[slot] (valid until the next read into that slot), so a
  // string is copied once, into the node that keeps it. Single-byte tokens,
  // most strings of a stanza, take the inlined branch.
  bool ReadStringView(uint8_t t, size_t at, int slot, std::string_view* out) {
    if (t >= 1 && t < kSingleByteTokenCount) [[likely]] {
      *out = SingleByteToken(t);
      return true;
    }
    return ReadOtherStringView(t, at, slot, out);
  }

  [[gnu::noinline]] bool ReadOtherStringView(uint8_t t, size_t at, int slot,
                                             std::string_view* out) {
    switch (t) {
      case kTagListEmpty:
        *out = {};
        return true;
      case kTagDictionary0:
      case kTagDictionary0 + 1:
      case kTagDictionary0 + 2:
      case kTagDictionary3: {
        uint8_t index;
        if (!ReadByte(&index)) return false;
        *out = DoubleByteToken(static_cast<uint8_t>(t - kTagDictionary0), index);
        return true;
      }
      case kTagBinary8:
      case kTagBinary20:
      case kTagBinary32: {
        uint32_t n;
        if (!ReadByteLength(t, &n) || !Need(n)) return false;
        *out = std::string_view(reinterpret_cast<const char*>(p_ + pos_), n);
        pos_ += n;
        if (!IsValidUtf8(*out)) [[unlikely]] {
          std::string& lossy = scratch_[slot].lossy;
          lossy.clear();
          AppendUtf8Lossy(*out, &lossy);
          *out = lossy;
        }
        return true;
      }
      case kTagNibble8:
      case kTagHex8:
        return ReadPacked(t, scratch_[slot].packed, out);
      default:
        if (IsJidTag(t)) return Fail("jid inside a jid", at);
        return Fail("invalid string tag " + TagName(t), at);
    }
  }

  // [§4.3] NIBBLE_8 / HEX_8 into `buffer` (2 * kPackedMax bytes). Like
  // Baileys: nibble 15 is a NUL character wherever it appears, and an odd
  // length drops the last character unchecked.
  bool ReadPacked(uint8_t t, char* buffer, std::string_view* out) {
    uint8_t start;
    if (!ReadByte(&start)) return false;
    size_t pairs = start & 0x7F;
    if (!Need(pairs)) return false;
    const PackedTable& table = t == kTagNibble8 ? kNibbleTable : kHexTable;
    for (size_t i = 0; i < pairs; ++i) {
      const uint8_t b = p_[pos_ + i];
      if (table.invalid[b]) [[unlikely]] {
        return Fail("invalid nibble in " + TagName(b), pos_ + i);
      }
      std::memcpy(buffer + 2 * i, table.chars[b], 2);
    }
    pos_ += pairs;
    size_t length = pairs * 2;
    if ((start & 0x80) && pairs > 0) --length;
    *out = std::string_view(buffer, length);
    return true;
  }

  // A user or server inside a JID: any string form except another JID.
  bool ReadJidPart(int slot, std::string_view* out) {
    size_t at = pos_;
    uint8_t t;
    if (!ReadByte(&t)) return false;
    return ReadStringView(t, at, slot, out);
  }

  // [§4.5] What JID_PAIR, AD_JID, FB_JID and INTEROP_JID carry. The views are
  // valid until the next JID is read.
  struct JidParts {
    uint8_t tag = 0;
    bool packed_user = false;  // NIBBLE_8 / HEX_8 hold no '@', ':' or '_'
    uint8_t agent = 0;
    uint16_t device = 0;
    uint16_t integrator = 0;
    std::string_view user;
    std::string_view server;
  };

  bool ReadJidParts(uint8_t t, JidParts* parts) {
    parts->tag = t;
    // The user comes first except in AD_JID, where it follows two bytes.
    const size_t user_at = pos_ + (t == kTagAdJid ? 2 : 0);
    parts->packed_user = user_at < size_ && (p_[user_at] == kTagNibble8 || p_[user_at] == kTagHex8);
    uint32_t device = 0;
    switch (t) {
      case kTagJidPair: {
        if (!ReadJidPart(0, &parts->user)) return false;
        size_t server_at = pos_;
        if (!ReadJidPart(1, &parts->server)) return false;
        if (parts->server.empty()) return Fail("jid with empty server", server_at);
        return true;
      }
      case kTagAdJid: {
        uint8_t device8;
        if (!ReadByte(&parts->agent) || !ReadByte(&device8) || !ReadJidPart(0, &parts->user)) {
          return false;
        }
        parts->device = device8;
        // The server the agent names (unknown agents: s.whatsapp.net, as Baileys).
        switch (parts->agent) {
          case kLidAgent:
            parts->server = kLidServer;
            break;
          case kHostedAgent:
            parts->server = kHostedServer;
            break;
          case kHostedLidAgent:
            parts->server = kHostedLidServer;
            break;
          default:
            parts->server = kUserServer;
        }
        return true;
      }
      case kTagFbJid:
        if (!ReadJidPart(0, &parts->user) || !ReadU16(&device) || !ReadJidPart(1, &parts->server)) {
          return false;
        }
        parts->device = static_cast<uint16_t>(device);
        return true;
      default: {  // kTagInteropJid
        uint32_t integrator;
        if (!ReadJidPart(0, &parts->user) || !ReadU16(&device) || !ReadU16(&integrator) ||
            !ReadJidPart(1, &parts->server)) {
          return false;
        }
        parts->device = static_cast<uint16_t>(device);
        parts->integrator = static_cast<uint16_t>(integrator);
        return true;
      }
    }
  }

  // Whether the parts make a typed Jid (see decoder.h).
  static bool FitsJid(const JidParts& parts) {
    if (!parts.packed_user && !Jid::IsValidUser(parts.user)) return false;
    switch (parts.tag) {
      case kTagJidPair:
        return Jid::IsValidServer(parts.server);
      case kTagAdJid:
        return true;
      case kTagFbJid:
        return parts.server == kMessengerServer;
      default:
        return parts.server == kInteropServer;
    }
  }

  // Constructs the Jid inside *holder (an AttrValue or Content), in place.
  // REQUIRES: FitsJid(parts).
  template <typename Variant>
  static void EmplaceJid(const JidParts& parts, Variant* holder) {
    Jid::Parts jid{.user = parts.user, .server = parts.server};
    switch (parts.tag) {
      case kTagJidPair:
        jid.agent = ImpliedAgent(parts.server);
        break;
      case kTagAdJid:
        // ReadJidParts named the server after the agent; an unknown agent
        // stays as the raw agent of an s.whatsapp.net JID (jid.h).
        jid.agent = parts.agent;
        jid.device = parts.device;
        jid.has_device = true;
        break;
      case kTagFbJid:
        jid.agent = ImpliedAgent(parts.server);
        jid.device = parts.device;
        jid.has_device = true;
        break;
      default:  // kTagInteropJid
        jid.agent = ImpliedAgent(parts.server);
        jid.device = parts.device;
        jid.integrator = parts.integrator;
        jid.has_device = true;
    }
    holder->template emplace<Jid>(jid);
  }

  // The string Baileys shows for the parts (its jidEncode forms), in the arena.
  void JidText(const JidParts& parts, Str* out) {
    JidText(parts, &jid_text_);
    out->ViewArena(CopyToArena(jid_text_));
  }

  static void JidText(const JidParts& parts, std::string* out) {
    out->clear();
    if (parts.tag == kTagInteropJid) {
      *out += std::to_string(parts.integrator);
      *out += '-';
    }
    *out += parts.user;
    // Baileys readAdJid → jidEncode(user, server, device): no ":0", no agent.
    if (parts.tag != kTagJidPair && (parts.tag != kTagAdJid || parts.device != 0)) {
      *out += ':';
      *out += std::to_string(parts.device);
    }
    *out += '@';
    *out += parts.server;
  }

  // Backing store of string views that are neither tokens nor input slices;
  // one slot per part of a JID. kPackedMax pairs give at most 2 * kPackedMax chars.
  struct Scratch {
    char packed[2 * kPackedMax];
    std::string lossy;
  };

  const uint8_t* p_;
  size_t size_;
  const std::shared_ptr<const std::string>* owner_;  // null: copy all bytes
  size_t pos_ = 0;
  size_t elements_ = 0;
  const DecodeLimits& limits_;
  Arena* arena_;
  std::string error_;
  Scratch scratch_[2];
  std::string jid_text_;  // scratch for JidText
};

// A decoded stanza takes about 5 times its encoded size (nodes and attributes
// are much larger than their 2-3 wire bytes); a first block that fits it
// makes decoding one allocation. Large trees grow the arena in more blocks.
size_t FirstBlockSize(size_t body_size) {
  constexpr size_t kMax = size_t{64} << 10;  // below malloc's mmap threshold
  return std::min(body_size * 6 + 512, kMax);
}

base::Result<Node> Decode(std::string_view body, const std::shared_ptr<const std::string>* owner,
                          const DecodeLimits& limits) {
  if (body.size() > limits.max_body_size) {
    return base::InvalidArgument("decode node: body of " + std::to_string(body.size()) +
                                 " bytes exceeds the limit of " +
                                 std::to_string(limits.max_body_size) + " at byte 0");
  }
  Node node;
  node.AdoptArena(Arena::Create(FirstBlockSize(body.size())));
  Decoder decoder(body, owner, limits, node.arena());
  if (!decoder.DecodeRoot(&node)) return base::InvalidArgument(decoder.error());
  return node;
}

}  // namespace

base::Result<Node> DecodeNode(std::string_view body, const DecodeLimits& limits) {
  return Decode(body, nullptr, limits);
}

base::Result<Node> DecodeNodeShared(std::shared_ptr<const std::string> owner,
                                    const DecodeLimits& limits) {
  std::string_view body(*owner);
  return Decode(body, &owner, limits);
}

base::Result<Node> DecodeNodeShared(const std::shared_ptr<const std::string>& owner,
                                    std::string_view body, const DecodeLimits& limits) {
  return Decode(body, &owner, limits);
}

}  // namespace wa::binary
