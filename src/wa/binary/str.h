// wa::binary::Str — the text of a node's tag, attribute keys and values and
// string content. It reads as a std::string_view and is one of:
//   * static: a view of storage that lives forever (the token dictionaries),
//     which is what most tags, keys and values of a decoded stanza are;
//   * arena: a view into the arena of the decoded tree the Str belongs to
//     (see node.h), made only by the decoder;
//   * owned: up to kInlineMax bytes kept inline, longer text on the heap.
// A static or arena Str costs no allocation and no copy; that, with the arena,
// is what makes decoding cheap (issue 4).
//
// Copying or moving yields a static or owned Str — never an arena view, since
// the copy may outlive the tree — except StealFrom, which only the node that
// owns the arena uses when it moves as a whole.
//
// Thread safety: a value type; const methods are safe to call concurrently.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <ostream>
#include <string>
#include <string_view>

namespace wa::binary {

class Str {
 public:
  static constexpr size_t kInlineMax = 24;

  Str() noexcept { SetView(std::string_view(), kStatic); }
  Str(const char* text) { Assign(std::string_view(text)); }  // NOLINT: implicit, like std::string
  Str(std::string_view text) { Assign(text); }               // NOLINT
  Str(const std::string& text) { Assign(text); }             // NOLINT
  Str(const Str& other) {
    if (other.kind_ == kStatic) {
      SetView(other.view(), kStatic);
    } else {
      Assign(other.view());
    }
  }
  Str(Str&& other) noexcept { MoveFrom(other); }
  Str& operator=(const Str& other) {
    if (this != &other) {
      Str copy(other);
      Release();
      MoveFrom(copy);
    }
    return *this;
  }
  Str& operator=(Str&& other) noexcept {
    if (this != &other) {
      Release();
      MoveFrom(other);
    }
    return *this;
  }
  ~Str() { Release(); }

  // A view of storage that outlives every node (e.g. the token table).
  static Str Static(std::string_view text) noexcept {
    Str s;
    s.SetView(text, kStatic);
    return s;
  }
  // Makes *this a view of `text`, which lies in the arena of the tree *this
  // is in. REQUIRES: only the decoder uses it, for Strs inside that tree.
  // (A mutator, not a factory: returning an arena Str by value would copy it.)
  void ViewArena(std::string_view text) noexcept {
    Release();
    SetView(text, kArena);
  }
  // Makes *this a view of `text` in storage that outlives every node.
  void ViewStatic(std::string_view text) noexcept {
    Release();
    SetView(text, kStatic);
  }
  // Takes other's text as is (an arena view stays one) and empties other.
  // REQUIRES: *this ends up in the same tree as the arena it may view.
  void StealFrom(Str& other) noexcept {
    Release();
    std::memcpy(static_cast<void*>(this), &other, sizeof(Str));
    other.SetView(std::string_view(), kStatic);
  }

  std::string_view view() const noexcept {
    return {kind_ == kInline ? inline_ : view_.data, size_};
  }
  operator std::string_view() const noexcept { return view(); }  // NOLINT: implicit
  operator std::string() const { return std::string(view()); }   // NOLINT: implicit
  std::string str() const { return std::string(view()); }
  const char* data() const noexcept { return view().data(); }
  size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  bool is_arena() const noexcept { return kind_ == kArena; }

  friend bool operator==(const Str& a, const Str& b) noexcept { return a.view() == b.view(); }
  friend bool operator==(const Str& a, std::string_view b) noexcept { return a.view() == b; }
  friend bool operator==(const Str& a, const char* b) noexcept { return a.view() == b; }
  friend bool operator==(const Str& a, const std::string& b) noexcept { return a.view() == b; }
  friend auto operator<=>(const Str& a, const Str& b) noexcept { return a.view() <=> b.view(); }
  friend auto operator<=>(const Str& a, std::string_view b) noexcept { return a.view() <=> b; }

  friend std::string operator+(const std::string& a, const Str& b) {
    return a + std::string(b.view());
  }
  friend std::string operator+(const char* a, const Str& b) { return a + std::string(b.view()); }
  friend std::string operator+(const Str& a, const std::string& b) {
    return std::string(a.view()) + b;
  }
  friend std::string operator+(const Str& a, const char* b) { return std::string(a.view()) + b; }
  friend std::ostream& operator<<(std::ostream& out, const Str& s) { return out << s.view(); }

 private:
  enum Kind : uint8_t { kStatic, kArena, kInline, kHeap };

  void SetView(std::string_view text, Kind kind) noexcept {
    view_.data = text.data();
    size_ = static_cast<uint32_t>(text.size());
    kind_ = kind;
  }

  // REQUIRES: nothing to release.
  void Assign(std::string_view text) {
    size_ = static_cast<uint32_t>(text.size());
    if (text.size() <= kInlineMax) {
      kind_ = kInline;
      if (!text.empty()) std::memcpy(inline_, text.data(), text.size());
    } else {
      kind_ = kHeap;
      char* heap = new char[text.size()];
      std::memcpy(heap, text.data(), text.size());
      view_.data = heap;
    }
  }

  // REQUIRES: nothing to release. An arena view is copied (see top).
  void MoveFrom(Str& other) noexcept {
    if (other.kind_ == kArena) {
      Assign(other.view());  // may throw bad_alloc: terminates, as any allocation in a move
      return;
    }
    std::memcpy(static_cast<void*>(this), &other, sizeof(Str));
    if (other.kind_ == kHeap) other.SetView(std::string_view(), kStatic);
  }

  void Release() noexcept {
    if (kind_ == kHeap) delete[] view_.data;
  }

  struct View {
    const char* data;
  };
  union {
    View view_;
    char inline_[kInlineMax];
  };
  uint32_t size_;
  Kind kind_;
};
static_assert(sizeof(Str) == 32);

}  // namespace wa::binary

template <>
struct std::hash<wa::binary::Str> {
  size_t operator()(const wa::binary::Str& s) const noexcept {
    return std::hash<std::string_view>()(s.view());
  }
};
