#include "wa/binary/decoder.h"

#include <algorithm>
#include <cstdio>

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
  return t == kTagJidPair || t == kTagAdJid || t == kTagFbJid || t == kTagInteropJid;
}

bool IsListTag(uint8_t t) { return t == kTagListEmpty || t == kTagList8 || t == kTagList16; }

std::string TagName(uint8_t t) {
  char buffer[8];
  std::snprintf(buffer, sizeof(buffer), "0x%02x", t);
  return buffer;
}

class Decoder {
 public:
  Decoder(std::string_view body, const std::shared_ptr<const std::string>* owner,
          const DecodeLimits& limits)
      : p_(reinterpret_cast<const uint8_t*>(body.data())),
        size_(body.size()),
        owner_(owner),
        limits_(limits) {}

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

  bool ReadListSize(uint8_t t, size_t at, uint32_t* size) {
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
    uint32_t size;
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
      auto& attrs = node->attrs;
      attrs.reserve(std::min<size_t>(attr_count, Remaining() / kMinAttrBytes));
      for (uint32_t i = 0; i < attr_count; ++i) {
        Attr& attr = attrs.emplace_back();
        if (!ReadText(&attr.key) || !ReadValue(&attr.value)) return false;
        DropRepeatedKey(&attrs);
      }
    }
    if (size % 2 == 0) return ReadContent(node, depth);
    return true;
  }

  // When the attribute just added repeats a key, it keeps the first position
  // and takes the last value, as the JS object Baileys fills does.
  static void DropRepeatedKey(std::vector<Attr>* attrs) {
    Attr& last = attrs->back();
    for (size_t i = 0; i + 1 < attrs->size(); ++i) {
      Attr& attr = (*attrs)[i];
      if (attr.key == last.key) {
        attr.value = std::move(last.value);
        attrs->pop_back();
        return;
      }
    }
  }

  bool ReadContent(Node* node, uint32_t depth) {
    size_t at = pos_;
    uint8_t t;
    if (!ReadByte(&t)) return false;
    if (IsListTag(t)) {
      uint32_t count;
      if (!ReadListSize(t, at, &count)) return false;
      if (count > limits_.max_children) {
        return Fail(std::to_string(count) + " children exceed the limit of " +
                        std::to_string(limits_.max_children),
                    at);
      }
      if (count > 0 && depth >= limits_.max_depth) {
        return Fail("nodes nested deeper than " + std::to_string(limits_.max_depth), at);
      }
      auto& children = node->content.emplace<std::vector<Node>>();
      children.reserve(std::min<size_t>(count, Remaining() / kMinNodeBytes));
      for (uint32_t i = 0; i < count; ++i) {
        if (!ReadNode(&children.emplace_back(), depth + 1)) return false;
      }
      return true;
    }
    if (t == kTagBinary8 || t == kTagBinary20 || t == kTagBinary32) {
      uint32_t n;
      if (!ReadByteLength(t, &n) || !Need(n)) return false;
      std::string_view bytes(reinterpret_cast<const char*>(p_ + pos_), n);
      if (owner_ && n >= kMinSharedBytes) {
        node->content.emplace<Bytes>(*owner_, bytes);
      } else {
        node->content.emplace<Bytes>(std::string(bytes));
      }
      pos_ += n;
      return true;
    }
    if (IsJidTag(t)) {
      std::string text;
      Jid& jid = node->content.emplace<Jid>();
      bool is_jid = false;
      if (!ReadJid(t, &text, &jid, &is_jid)) return false;
      if (!is_jid) node->content = std::move(text);
      return true;
    }
    return ReadStringBody(t, at, &node->content.emplace<std::string>());
  }

  // A string in tag or key position: JIDs as the text Baileys shows.
  bool ReadText(std::string* out) {
    size_t at = pos_;
    uint8_t t;
    if (!ReadByte(&t)) return false;
    if (IsJidTag(t)) return ReadJid(t, out, nullptr, nullptr);
    return ReadStringBody(t, at, out);
  }

  // An attribute value: a typed Jid when the wire has a JID that fits the grammar.
  bool ReadValue(AttrValue* value) {
    size_t at = pos_;
    uint8_t t;
    if (!ReadByte(&t)) return false;
    if (!IsJidTag(t)) {
      // A fresh AttrValue already holds an empty std::string.
      auto* text = std::get_if<std::string>(value);
      return ReadStringBody(t, at, text ? text : &value->emplace<std::string>());
    }
    std::string text;
    Jid& jid = value->emplace<Jid>();
    bool is_jid = false;
    if (!ReadJid(t, &text, &jid, &is_jid)) return false;
    if (!is_jid) *value = std::move(text);
    return true;
  }

  // Every string form but the JIDs; `t` was read at `at`.
  bool ReadStringBody(uint8_t t, size_t at, std::string* out) {
    if (t >= 1 && t < kSingleByteTokenCount) {
      out->assign(SingleByteToken(t));
      return true;
    }
    switch (t) {
      case kTagListEmpty:
        out->clear();
        return true;
      case kTagDictionary0:
      case kTagDictionary0 + 1:
      case kTagDictionary0 + 2:
      case kTagDictionary3: {
        uint8_t index;
        if (!ReadByte(&index)) return false;
        out->assign(DoubleByteToken(static_cast<uint8_t>(t - kTagDictionary0), index));
        return true;
      }
      case kTagBinary8:
      case kTagBinary20:
      case kTagBinary32: {
        uint32_t n;
        if (!ReadByteLength(t, &n) || !Need(n)) return false;
        AssignUtf8Lossy(std::string_view(reinterpret_cast<const char*>(p_ + pos_), n), out);
        pos_ += n;
        return true;
      }
      case kTagNibble8:
      case kTagHex8:
        return ReadPacked(t, out);
      default:
        if (IsJidTag(t)) return Fail("jid inside a jid", at);
        return Fail("invalid string tag " + TagName(t), at);
    }
  }

  // [§4.3] NIBBLE_8 / HEX_8. Like Baileys: nibble 15 is a NUL character
  // wherever it appears, and an odd length drops the last character unchecked.
  bool ReadPacked(uint8_t t, std::string* out) {
    static constexpr char kNibble[16] = {'0', '1', '2', '3', '4', '5', '6', '7',
                                         '8', '9', '-', '.', 0,   0,   0,   '\0'};
    static constexpr char kHex[] = "0123456789ABCDEF";
    uint8_t start;
    if (!ReadByte(&start)) return false;
    size_t pairs = start & 0x7F;
    if (!Need(pairs)) return false;
    out->resize(pairs * 2);
    char* d = out->data();
    for (size_t i = 0; i < pairs; ++i) {
      uint8_t b = p_[pos_ + i];
      uint8_t hi = b >> 4;
      uint8_t lo = b & 0x0F;
      if (t == kTagNibble8) {
        if ((hi >= 12 && hi <= 14) || (lo >= 12 && lo <= 14)) {
          return Fail("invalid nibble in " + TagName(b), pos_ + i);
        }
        d[2 * i] = kNibble[hi];
        d[2 * i + 1] = kNibble[lo];
      } else {
        d[2 * i] = kHex[hi];
        d[2 * i + 1] = kHex[lo];
      }
    }
    pos_ += pairs;
    if ((start & 0x80) && pairs > 0) out->pop_back();
    return true;
  }

  // A user or server inside a JID: any string form except another JID.
  bool ReadJidPart(std::string* out) {
    size_t at = pos_;
    uint8_t t;
    if (!ReadByte(&t)) return false;
    return ReadStringBody(t, at, out);
  }

  // [§4.5] JID_PAIR, AD_JID, FB_JID, INTEROP_JID. With `jid` set, a JID whose
  // parts fit the grammar goes there (*is_jid = true); otherwise *text gets the
  // string Baileys would show.
  bool ReadJid(uint8_t t, std::string* text, Jid* jid, bool* is_jid) {
    std::string user;
    switch (t) {
      case kTagJidPair: {
        if (!ReadJidPart(&user)) return false;
        std::string server;
        size_t server_at = pos_;
        if (!ReadJidPart(&server)) return false;
        if (server.empty()) return Fail("jid with empty server", server_at);
        if (jid && Jid::IsValidUser(user) && Jid::IsValidServer(server)) {
          *jid = Jid(std::move(user), std::move(server));
          *is_jid = true;
          return true;
        }
        *text = std::move(user);
        *text += '@';
        *text += server;
        return true;
      }
      case kTagAdJid: {
        uint8_t agent, device;
        if (!ReadByte(&agent) || !ReadByte(&device) || !ReadJidPart(&user)) return false;
        if (jid && Jid::IsValidUser(user)) {
          *jid = Jid::FromAd(agent, device, std::move(user));
          *is_jid = true;
          return true;
        }
        // Baileys readAdJid → jidEncode(user, server, device): no ":0", no agent.
        std::string server = Jid::FromAd(agent, device, "").server();
        *text = std::move(user);
        if (device != 0) *text += ":" + std::to_string(device);
        *text += '@';
        *text += server;
        return true;
      }
      case kTagFbJid: {
        uint32_t device;
        std::string server;
        if (!ReadJidPart(&user) || !ReadU16(&device) || !ReadJidPart(&server)) return false;
        if (jid && Jid::IsValidUser(user) && server == kMessengerServer) {
          *jid = Jid::WithDevice(std::move(user), std::move(server), static_cast<uint16_t>(device));
          *is_jid = true;
          return true;
        }
        *text = user + ":" + std::to_string(device) + "@" + server;
        return true;
      }
      default: {  // kTagInteropJid
        uint32_t device, integrator;
        std::string server;
        if (!ReadJidPart(&user) || !ReadU16(&device) || !ReadU16(&integrator) ||
            !ReadJidPart(&server)) {
          return false;
        }
        if (jid && Jid::IsValidUser(user) && server == kInteropServer) {
          *jid = Jid::Interop(std::move(user), static_cast<uint16_t>(device),
                              static_cast<uint16_t>(integrator));
          *is_jid = true;
          return true;
        }
        *text =
            std::to_string(integrator) + "-" + user + ":" + std::to_string(device) + "@" + server;
        return true;
      }
    }
  }

  const uint8_t* p_;
  size_t size_;
  const std::shared_ptr<const std::string>* owner_;  // null: copy all bytes
  size_t pos_ = 0;
  size_t elements_ = 0;
  const DecodeLimits& limits_;
  std::string error_;
};

base::Result<Node> Decode(std::string_view body, const std::shared_ptr<const std::string>* owner,
                          const DecodeLimits& limits) {
  if (body.size() > limits.max_body_size) {
    return base::InvalidArgument("decode node: body of " + std::to_string(body.size()) +
                                 " bytes exceeds the limit of " +
                                 std::to_string(limits.max_body_size) + " at byte 0");
  }
  Decoder decoder(body, owner, limits);
  Node node;
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
