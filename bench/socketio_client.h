// The client side of socketio_load (see socketio_load.cc): one thread with
// one epoll drives many Socket.IO v5 / Engine.IO v4 websocket-only
// connections through the handshake, answers pings, and records the
// latency of every "new-message" event it receives.
//
// Thread safety: the public atomics and Do()/Want() may be used from any
// thread; snapshot vectors only after Do(kSnapshot) returned.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace socketio_load {

using Clock = std::chrono::steady_clock;

inline constexpr char kApiKey[] = "bench-key-0123456789abcdef";
inline constexpr double kBucketMs = 0.1;    // latency histogram resolution
inline constexpr size_t kBuckets = 200000;  // up to 20 s

// Wall-clock milliseconds since the epoch: what the server's sentAt uses.
double WallMs();

enum class State : uint8_t { kConnecting, kHttp, kOpen, kConnect, kReady, kClosed };

struct Conn {
  int fd = -1;
  State state = State::kClosed;
  bool want_out = false;  // EPOLLOUT registered
  std::string key;
  std::string in;   // bytes not parsed yet
  std::string out;  // bytes not sent yet
  std::string msg;  // a fragmented message being assembled
};

// One thread, one epoll, a share of the connections.
class Loop {
 public:
  enum class Command : int { kNone, kReset, kSnapshot, kCloseAll };

  Loop(int port, uint32_t seed);
  ~Loop();

  void Start() {
    thread_ = std::thread([this] { Run(); });
  }
  void Stop() {
    stop_ = true;
    thread_.join();
  }
  // Open connections until `n` are up (or failed).
  void Want(int n) { want_ = n; }
  // Runs a command on the loop thread and waits for it.
  void Do(Command c) {
    command_ = static_cast<int>(c);
    while (command_.load() != 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

  std::atomic<int> ready{0};
  std::atomic<int> failed{0};
  std::atomic<uint64_t> received{0};
  std::atomic<uint64_t> dropped{0};
  std::atomic<int64_t> last_delivery_ns{0};  // steady clock
  std::vector<uint32_t> snapshot;            // the histogram, after kSnapshot
  std::vector<float> first_snapshot;         // first_ms_, after kSnapshot

 private:
  void Run();
  void RunCommand();
  void Open();
  void OnEvent(size_t i, uint32_t events);
  void OnReadable(size_t i);
  // Parses frames from `data`; returns bytes consumed, or -1 when closed.
  ssize_t Parse(size_t i, std::string_view data);
  void OnText(size_t i, std::string_view text);
  void Send(size_t i, uint8_t opcode, std::string_view payload);
  void FlushOut(size_t i);
  void Close(size_t i, bool server_dropped);

  const int port_;
  int ep_;
  std::mt19937_64 rng_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> want_{0};
  std::atomic<int> command_{0};
  std::vector<Conn> conns_;
  std::vector<size_t> free_;
  int open_ = 0;     // connections not closed
  int pending_ = 0;  // handshakes in flight
  std::string buf_;
  bool measuring_ = false;
  std::vector<uint32_t> hist_;
  // Per event (its "bench-<n>" id), the lowest latency seen: the publish
  // path (stdin, store, broadcast) without the fan-out queueing after it.
  std::vector<float> first_ms_;
  uint64_t received_ = 0;
  uint64_t dropped_ = 0;
  double now_ms_ = 0;
};

}  // namespace socketio_load
