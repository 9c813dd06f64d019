#include "wa/binary/encoder.h"

#include <cstdint>

#include "wa/binary/tags.h"
#include "wa/binary/tokens.h"

namespace wa::binary {
namespace {

constexpr size_t kMaxListSize = 0xFFFF;             // LIST_16
constexpr uint64_t kMaxByteLength = 0xFFFFFFFFull;  // BINARY_32

class Encoder {
 public:
  explicit Encoder(std::string* out) : out_(out) {}

  bool WriteNode(const Node& node) {
    if (node.tag.empty()) return Fail("empty tag");
    size_t list_size = 2 * node.attrs.size() + 1 + (node.HasContent() ? 1 : 0);
    if (list_size > kMaxListSize) {
      return Fail("<" + node.tag + "> has " + std::to_string(node.attrs.size()) + " attributes");
    }
    WriteListStart(list_size);
    if (!WriteString(node.tag)) return false;
    for (const Attr& attr : node.attrs) {
      if (!WriteString(attr.key)) return false;
      if (const auto* text = std::get_if<Str>(&attr.value)) {
        if (!WriteString(*text)) return false;
      } else if (!WriteJid(std::get<Jid>(attr.value))) {
        return false;
      }
    }
    switch (node.content.index()) {
      case 0:  // none
        return true;
      case 1:
        return WriteString(std::get<Str>(node.content));
      case 2:
        return WriteBytes(std::get<Bytes>(node.content).view());
      case 3:
        return WriteJid(std::get<Jid>(node.content));
      default: {
        const auto& children = std::get<NodeList>(node.content);
        if (children.size() > kMaxListSize) {
          return Fail("<" + node.tag + "> has " + std::to_string(children.size()) + " children");
        }
        WriteListStart(children.size());
        for (const Node& child : children) {
          if (!WriteNode(child)) return false;
        }
        return true;
      }
    }
  }

  const std::string& error() const { return error_; }

 private:
  void Byte(uint8_t b) { out_->push_back(static_cast<char>(b)); }

  bool Fail(std::string what) {
    error_ = "encode node: " + std::move(what);
    return false;
  }

  void WriteListStart(size_t size) {
    if (size == 0) {
      Byte(kTagListEmpty);
    } else if (size < 256) {
      Byte(kTagList8);
      Byte(static_cast<uint8_t>(size));
    } else {
      Byte(kTagList16);
      Byte(static_cast<uint8_t>(size >> 8));
      Byte(static_cast<uint8_t>(size));
    }
  }

  // BINARY_8 / BINARY_20 / BINARY_32 by length, then the bytes [§4.2; Baileys writeByteLength].
  bool WriteBytes(std::string_view bytes) {
    uint64_t n = bytes.size();
    if (n > kMaxByteLength) return Fail(std::to_string(n) + " bytes do not fit BINARY_32");
    if (n >= (1u << 20)) {
      Byte(kTagBinary32);
      Byte(static_cast<uint8_t>(n >> 24));
      Byte(static_cast<uint8_t>(n >> 16));
      Byte(static_cast<uint8_t>(n >> 8));
      Byte(static_cast<uint8_t>(n));
    } else if (n >= 256) {
      Byte(kTagBinary20);
      Byte(static_cast<uint8_t>((n >> 16) & 0x0F));
      Byte(static_cast<uint8_t>(n >> 8));
      Byte(static_cast<uint8_t>(n));
    } else {
      Byte(kTagBinary8);
      Byte(static_cast<uint8_t>(n));
    }
    out_->append(bytes.data(), bytes.size());
    return true;
  }

  static uint8_t PackNibble(char c) {
    if (c == '-') return 10;
    if (c == '.') return 11;
    return static_cast<uint8_t>(c - '0');
  }

  static uint8_t PackHex(char c) {
    return c <= '9' ? static_cast<uint8_t>(c - '0') : static_cast<uint8_t>(c - 'A' + 10);
  }

  // NIBBLE_8 / HEX_8 [§4.3]: ceil(len/2) with 0x80 if len is odd, then pairs,
  // first character in the high nibble, odd length padded with 0xF.
  template <uint8_t (*Pack)(char)>
  void WritePacked(uint8_t tag, std::string_view text) {
    size_t n = text.size();
    Byte(tag);
    Byte(static_cast<uint8_t>(((n + 1) / 2) | ((n & 1) ? 0x80 : 0)));
    size_t i = 0;
    for (; i + 1 < n; i += 2) Byte(static_cast<uint8_t>((Pack(text[i]) << 4) | Pack(text[i + 1])));
    if (n & 1) Byte(static_cast<uint8_t>((Pack(text[i]) << 4) | 0x0F));
  }

  // Baileys writeString order, minus the '@' → JID guess [§4.3].
  bool WriteString(std::string_view text) {
    if (text.empty()) {
      Byte(kTagBinary8);
      Byte(0);
      return true;
    }
    if (auto token = FindToken(text)) {
      if (token->is_double) Byte(static_cast<uint8_t>(kTagDictionary0 + token->dictionary));
      Byte(token->index);
      return true;
    }
    if (text.size() <= kPackedMax) {
      bool nibble = true;
      bool hex = true;
      for (char c : text) {
        if (c >= '0' && c <= '9') continue;
        if (c != '-' && c != '.') nibble = false;
        if (c < 'A' || c > 'F') hex = false;
        if (!nibble && !hex) break;
      }
      if (nibble) {
        WritePacked<PackNibble>(kTagNibble8, text);
        return true;
      }
      if (hex) {
        WritePacked<PackHex>(kTagHex8, text);
        return true;
      }
    }
    return WriteBytes(text);
  }

  void WriteU16(uint16_t v) {
    Byte(static_cast<uint8_t>(v >> 8));
    Byte(static_cast<uint8_t>(v));
  }

  // [§4.5] Device-addressed JIDs: msgr → FB_JID, interop → INTEROP_JID, else
  // AD_JID (agent byte, u8 device, user). Others: JID_PAIR, 00 for an empty user.
  bool WriteJid(const Jid& jid) {
    if (!jid.IsValid()) return Fail("invalid jid \"" + jid.ToString() + "\"");
    if (jid.has_device()) {
      if (jid.server() == kMessengerServer) {
        Byte(kTagFbJid);
        if (!WriteString(jid.user())) return false;
        WriteU16(jid.device());
        return WriteString(jid.server());
      }
      if (jid.server() == kInteropServer) {
        Byte(kTagInteropJid);
        if (!WriteString(jid.user())) return false;
        WriteU16(jid.device());
        WriteU16(jid.integrator());
        return WriteString(jid.server());
      }
      Byte(kTagAdJid);
      Byte(jid.agent());
      Byte(static_cast<uint8_t>(jid.device()));
      return WriteString(jid.user());
    }
    Byte(kTagJidPair);
    if (jid.user().empty()) {
      Byte(kTagListEmpty);
    } else if (!WriteString(jid.user())) {
      return false;
    }
    return WriteString(jid.server());
  }

  std::string* out_;
  std::string error_;
};

}  // namespace

base::Status EncodeNodeTo(const Node& node, std::string* out) {
  size_t original_size = out->size();
  Encoder encoder(out);
  if (!encoder.WriteNode(node)) {
    out->resize(original_size);
    return base::InvalidArgument(encoder.error());
  }
  return base::Status::Ok();
}

base::Result<std::string> EncodeNode(const Node& node) {
  std::string out;
  out.reserve(256);
  WAGATE_RETURN_IF_ERROR(EncodeNodeTo(node, &out));
  return out;
}

}  // namespace wa::binary
