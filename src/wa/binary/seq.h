// wa::binary::Seq<T> — the attribute list and the child list of a node: a
// std::vector<T>, or a run of T the decoder placed in the arena of the tree
// (arena.h, node.h). It reads like a vector in both cases; any change to an
// arena run first moves it into a vector of its own.
//
// Copying gives a vector of copies; moving an arena run moves its elements
// into a vector (T's move leaves no arena views, see str.h) — except
// StealFrom, which only the node that owns the arena uses when it moves.
//
// Thread safety: a value type; const methods are safe to call concurrently.
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <new>
#include <span>
#include <utility>
#include <vector>

namespace wa::binary {

template <typename T>
class Seq {
 public:
  using value_type = T;
  using iterator = T*;
  using const_iterator = const T*;

  Seq() noexcept = default;
  Seq(std::vector<T> items) noexcept : vector_(std::move(items)) {}  // NOLINT: implicit
  Seq(std::initializer_list<T> items) : vector_(items) {}
  Seq(const Seq& other) : vector_(other.begin(), other.end()) {}
  Seq(Seq&& other) noexcept { MoveFrom(other); }
  Seq& operator=(const Seq& other) {
    if (this != &other) *this = Seq(other);
    return *this;
  }
  Seq& operator=(Seq&& other) noexcept {
    if (this != &other) {
      Seq moved(std::move(other));  // `other` may live inside *this
      DestroyArenaRun();
      vector_ = std::move(moved.vector_);
    }
    return *this;
  }
  ~Seq() { DestroyArenaRun(); }

  // --- reading ---
  T* begin() noexcept { return arena_ ? arena_ : vector_.data(); }
  T* end() noexcept { return begin() + size(); }
  const T* begin() const noexcept { return arena_ ? arena_ : vector_.data(); }
  const T* end() const noexcept { return begin() + size(); }
  T* data() noexcept { return begin(); }
  const T* data() const noexcept { return begin(); }
  size_t size() const noexcept { return arena_ ? arena_size_ : vector_.size(); }
  bool empty() const noexcept { return size() == 0; }
  T& operator[](size_t i) noexcept { return begin()[i]; }
  const T& operator[](size_t i) const noexcept { return begin()[i]; }
  T& front() noexcept { return *begin(); }
  const T& front() const noexcept { return *begin(); }
  T& back() noexcept { return end()[-1]; }
  const T& back() const noexcept { return end()[-1]; }
  operator std::span<T>() noexcept { return {begin(), size()}; }              // NOLINT
  operator std::span<const T>() const noexcept { return {begin(), size()}; }  // NOLINT
  bool in_arena() const noexcept { return arena_ != nullptr; }

  // --- changing (an arena run becomes a vector first) ---
  std::vector<T>& vector() {
    if (arena_) ToVector();
    return vector_;
  }
  void push_back(T item) { vector().push_back(std::move(item)); }
  template <typename... Args>
  T& emplace_back(Args&&... args) {
    return vector().emplace_back(std::forward<Args>(args)...);
  }
  void pop_back() { vector().pop_back(); }
  void reserve(size_t n) { vector().reserve(n); }
  void clear() {
    DestroyArenaRun();
    vector_.clear();
  }
  T* erase(const T* at) {
    const size_t i = static_cast<size_t>(at - begin());
    auto& v = vector();
    return v.data() + (v.erase(v.begin() + static_cast<ptrdiff_t>(i)) - v.begin());
  }

  friend bool operator==(const Seq& a, const Seq& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

  // --- for the decoder and the arena owner ---
  // Starts an arena run at `storage` (room for the elements to come).
  // REQUIRES: empty; storage lies in the arena of the tree *this is in.
  void StartArenaRun(T* storage) noexcept {
    arena_ = storage;
    arena_size_ = 0;
  }
  // Constructs the next element of the run. REQUIRES: in_arena(), room left.
  T& ArenaAppend() {
    T* item = new (arena_ + arena_size_) T();
    ++arena_size_;
    return *item;
  }
  // Destroys the last element of the run. REQUIRES: in_arena(), !empty().
  void ArenaPopBack() noexcept {
    --arena_size_;
    arena_[arena_size_].~T();
  }
  // Takes other's elements as they are (an arena run stays one); empties
  // other. REQUIRES: *this ends up in the same tree as the arena it may view.
  void StealFrom(Seq& other) noexcept {
    clear();
    vector_ = std::move(other.vector_);
    arena_ = other.arena_;
    arena_size_ = other.arena_size_;
    other.arena_ = nullptr;
    other.arena_size_ = 0;
  }

 private:
  void MoveFrom(Seq& other) noexcept {
    if (!other.arena_) {
      vector_ = std::move(other.vector_);
      return;
    }
    vector_.reserve(other.arena_size_);
    for (T& item : std::span<T>(other.arena_, other.arena_size_)) {
      vector_.push_back(std::move(item));
    }
    other.DestroyArenaRun();
  }

  void ToVector() {
    std::vector<T> items;
    items.reserve(arena_size_ + 1);
    for (T& item : std::span<T>(arena_, arena_size_)) items.push_back(std::move(item));
    DestroyArenaRun();
    vector_ = std::move(items);
  }

  // Runs the destructors of an arena run (its memory belongs to the arena).
  void DestroyArenaRun() noexcept {
    if (!arena_) return;
    for (uint32_t i = 0; i < arena_size_; ++i) arena_[i].~T();
    arena_ = nullptr;
    arena_size_ = 0;
  }

  std::vector<T> vector_;
  T* arena_ = nullptr;  // non-null: the elements are an arena run
  uint32_t arena_size_ = 0;
};

}  // namespace wa::binary
