// wa::binary::Arena — the bump allocator one decoded tree lives in (node.h).
// The decoder puts the tree's nodes, attributes, strings and bytes here, so a
// typical stanza costs one heap allocation to decode and one to free, instead
// of one per string, list and byte string (issue 4).
//
// Memory is only given back when the arena is destroyed; objects placed in it
// are destroyed by their owners (Seq) but their memory is not reused.
//
// Thread safety: none; an arena belongs to one tree, which is built by one
// thread and then only read or moved as a whole.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>

namespace wa::binary {

class Arena {
 public:
  // The first block holds `first_block` bytes; it comes with the arena itself.
  static std::unique_ptr<Arena> Create(size_t first_block) {
    first_block = std::max(first_block, kMinBlock);
    void* memory = ::operator new(sizeof(Arena) + first_block);
    auto* arena = new (memory) Arena(reinterpret_cast<char*>(memory) + sizeof(Arena), first_block);
    return std::unique_ptr<Arena>(arena);
  }

  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  ~Arena() {
    for (Block* block = blocks_; block != nullptr;) {
      Block* next = block->next;
      ::operator delete(block);
      block = next;
    }
  }

  // Placement delete to go with Create.
  void operator delete(void* memory) { ::operator delete(memory); }

  // `n` bytes aligned to `align` (a power of two <= alignof(max_align_t)).
  void* Allocate(size_t n, size_t align = alignof(std::max_align_t)) {
    uintptr_t at = (reinterpret_cast<uintptr_t>(next_) + align - 1) & ~uintptr_t{align - 1};
    if (at + n <= reinterpret_cast<uintptr_t>(end_)) [[likely]] {
      next_ = reinterpret_cast<char*>(at + n);
      return reinterpret_cast<void*>(at);
    }
    return AllocateSlow(n, align);
  }

  template <typename T>
  T* AllocateArray(size_t count) {
    return static_cast<T*>(Allocate(count * sizeof(T), alignof(T)));
  }

 private:
  static constexpr size_t kMinBlock = 512;
  static constexpr size_t kMaxGrowBlock = size_t{64} << 10;

  struct Block {
    Block* next;
  };

  Arena(char* first, size_t size) : next_(first), end_(first + size), block_size_(size) {}

  [[gnu::noinline]] void* AllocateSlow(size_t n, size_t align) {
    // Doubling blocks up to 64 KiB; anything larger than a quarter block gets
    // a block of its own, so a big byte string wastes nothing.
    block_size_ = std::min(block_size_ * 2, std::max(kMaxGrowBlock, block_size_));
    const bool own = n + align > block_size_ / 4;
    const size_t size = own ? n + align : block_size_;
    auto* block = static_cast<Block*>(::operator new(sizeof(Block) + size));
    block->next = blocks_;
    blocks_ = block;
    char* start = reinterpret_cast<char*>(block + 1);
    uintptr_t at = (reinterpret_cast<uintptr_t>(start) + align - 1) & ~uintptr_t{align - 1};
    if (!own) {
      next_ = reinterpret_cast<char*>(at + n);
      end_ = start + size;
    }
    return reinterpret_cast<void*>(at);
  }

  char* next_;
  char* end_;
  size_t block_size_;
  Block* blocks_ = nullptr;  // blocks after the first, newest first
};

}  // namespace wa::binary
