// wa::binary::Bytes — raw byte content of a node (BINARY_8/20/32 on the wire):
// owned; or a slice of a shared buffer, which is how DecodeNodeShared /
// DecodeFrameShared avoid copying large payloads (Baileys likewise returns
// Buffer views into the frame); or, made only by the decoder, a view into the
// arena of the decoded tree (node.h). Any way it reads as one string_view.
// Copying or moving an arena view gives an owned copy (the copy may outlive
// the tree), except StealFrom, used by the node that owns the arena.
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
  Bytes(const Bytes& other) : owned_(other.owned_), owner_(other.owner_), view_(other.view_) {
    if (other.is_arena()) DetachArena();
  }
  Bytes(Bytes&& other) noexcept
      : owned_(std::move(other.owned_)), owner_(std::move(other.owner_)), view_(other.view_) {
    other.view_ = {};
    if (is_arena()) DetachArena();
  }
  Bytes& operator=(const Bytes& other) {
    if (this != &other) *this = Bytes(other);
    return *this;
  }
  Bytes& operator=(Bytes&& other) noexcept {
    if (this != &other) {
      owned_ = std::move(other.owned_);
      owner_ = std::move(other.owner_);
      view_ = other.view_;
      other.view_ = {};
      if (is_arena()) DetachArena();
    }
    return *this;
  }

  // Makes *this a view of `view`, which lies in the arena of the tree *this
  // is in. REQUIRES: only the decoder uses it, for content inside that tree;
  // view.data() != nullptr. (A mutator: an arena Bytes returned by value is copied.)
  void ViewArena(std::string_view view) noexcept {
    owned_.clear();
    owner_.reset();
    view_ = view;
  }
  // Takes other's content as is (an arena view stays one) and empties other.
  // REQUIRES: *this ends up in the same tree as the arena it may view.
  void StealFrom(Bytes& other) noexcept {
    owned_ = std::move(other.owned_);
    owner_ = std::move(other.owner_);
    view_ = other.view_;
    other.view_ = {};
  }

  std::string_view view() const {
    return owner_ || view_.data() != nullptr ? view_ : std::string_view(owned_);
  }
  const char* data() const { return view().data(); }
  size_t size() const { return view().size(); }
  bool empty() const { return view().empty(); }
  std::string str() const { return std::string(view()); }
  bool is_shared() const { return owner_ != nullptr; }
  bool is_arena() const { return owner_ == nullptr && view_.data() != nullptr; }

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
  void DetachArena() {
    owned_.assign(view_.data(), view_.size());
    view_ = {};
  }

  std::string owned_;
  std::shared_ptr<const std::string> owner_;
  std::string_view view_;  // with owner_: the slice; without: an arena view, if data() != null
};

}  // namespace wa::binary
