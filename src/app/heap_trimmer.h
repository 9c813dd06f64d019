// HeapTrimmer: gives memory that the program freed back to the kernel.
//
// glibc's malloc returns freed memory to the kernel only from the top of an
// arena; free pages in the middle stay resident until malloc_trim. On an
// idle linked server that was ~1 MiB of 2.2 MiB of heap (malloc_stats: 1.0
// MiB in use), a third of its anonymous memory. Every `interval` the trimmer
// looks at the free bytes of the arenas and, above `min_free`, trims them on
// the blocking pool (malloc_trim locks each arena while it walks it; the
// event loop should not wait for that) — only when the heap was quiet over
// the last interval: under load a trim stalls every allocating thread and
// gives back pages that are taken again at once. Without glibc it does
// nothing.
//
// Thread safety: Start and Stop on the io_context's thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstddef>

namespace app {

class HeapTrimmer {
 public:
  HeapTrimmer(boost::asio::io_context& io, boost::asio::thread_pool& blocking,
              std::chrono::milliseconds interval, size_t min_free);

  void Start();
  // Cancels the timer, so that io_context::run can return. REQUIRES: before
  // the blocking pool is joined.
  void Stop();

 private:
  void Arm();

  boost::asio::steady_timer timer_;
  boost::asio::thread_pool& blocking_;
  const std::chrono::milliseconds interval_;
  const size_t min_free_;
  bool stopped_ = false;
  // Bytes in use at the last look; touched by one pool task at a time (the
  // next is posted an interval later).
  size_t last_in_use_ = 0;
};

}  // namespace app
