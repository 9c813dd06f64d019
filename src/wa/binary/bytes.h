// wa::binary::Bytes — raw byte content of a node (BINARY_8/20/32 on the wire):
// either owned, or a slice of a shared buffer, which is how DecodeNodeShared /
// DecodeFrameShared avoid copying large payloads (Baileys likewise returns
// Buffer views into the frame). Either way it reads as one string_view.
//
// A shared slice keeps its whole buffer (e.g. a 16 MiB frame) alive; call
// Detach() before keeping a small slice for long.
//
// Thread safety: a value type; copies of a shared slice may be used from
// different threads (the buffer is immutable, its owner is a shared_ptr).
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace wa::binary {

class Bytes {
 public:
  Bytes() = default;
  explicit Bytes(std::string data) : owned_(std::move(data)) {}
  // A slice of *owner. REQUIRES: owner != nullptr and `view` lies inside *owner.
  Bytes(std::shared_ptr<const std::string> owner, std::string_view view)
      : owner_(std::move(owner)), view_(view) {}

  std::string_view view() const { return owner_ ? view_ : std::string_view(owned_); }
  const char* data() const { return view().data(); }
  size_t size() const { return view().size(); }
  bool empty() const { return view().empty(); }
  std::string str() const { return std::string(view()); }
  bool is_shared() const { return owner_ != nullptr; }

  // Turns a shared slice into an owned copy, releasing the shared buffer.
  void Detach() {
    if (!owner_) return;
    owned_.assign(view_.data(), view_.size());
    owner_.reset();
    view_ = {};
  }

  friend bool operator==(const Bytes& a, const Bytes& b) { return a.view() == b.view(); }
  friend bool operator==(const Bytes& a, std::string_view b) { return a.view() == b; }

 private:
  std::string owned_;
  std::shared_ptr<const std::string> owner_;
  std::string_view view_;
};

}  // namespace wa::binary
