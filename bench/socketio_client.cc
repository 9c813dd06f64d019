#include "socketio_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/sha.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace socketio_load {
namespace {

constexpr int kHandshakesInFlight = 64;  // per thread

std::string Base64(const uint8_t* data, size_t n) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = uint32_t{data[i]} << 16;
    if (i + 1 < n) v |= uint32_t{data[i + 1]} << 8;
    if (i + 2 < n) v |= data[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < n ? kAlphabet[(v >> 6) & 63] : '=';
    out += i + 2 < n ? kAlphabet[v & 63] : '=';
  }
  return out;
}

// RFC 6455 section 4.2.2: base64(SHA-1(key + GUID)).
std::string AcceptFor(const std::string& key) {
  const std::string s = key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  uint8_t digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const uint8_t*>(s.data()), s.size(), digest);
  return Base64(digest, sizeof digest);
}

}  // namespace

double WallMs() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

Loop::Loop(int port, uint32_t seed) : port_(port), rng_(seed), hist_(kBuckets) {
  ep_ = epoll_create1(0);
  buf_.resize(256 * 1024);
}

Loop::~Loop() { ::close(ep_); }

void Loop::Run() {
  std::vector<epoll_event> events(1024);
  while (!stop_) {
    if (command_.load() != 0) RunCommand();
    while (open_ < want_.load() && pending_ < kHandshakesInFlight) Open();
    const int n = epoll_wait(ep_, events.data(), static_cast<int>(events.size()), 5);
    for (int k = 0; k < n; ++k) OnEvent(events[k].data.u64, events[k].events);
    received.store(received_, std::memory_order_relaxed);
    dropped.store(dropped_, std::memory_order_relaxed);
  }
  for (size_t i = 0; i < conns_.size(); ++i) Close(i, false);
}

void Loop::RunCommand() {
  switch (static_cast<Command>(command_.load())) {
    case Command::kReset:
      std::fill(hist_.begin(), hist_.end(), 0);
      first_ms_.clear();
      received_ = dropped_ = 0;
      received = 0;
      dropped = 0;
      measuring_ = true;
      break;
    case Command::kSnapshot:
      measuring_ = false;
      snapshot = hist_;
      first_snapshot = first_ms_;
      break;
    case Command::kCloseAll:
      want_ = 0;
      for (size_t i = 0; i < conns_.size(); ++i) Close(i, false);
      ready = 0;
      failed = 0;
      break;
    case Command::kNone:
      break;
  }
  command_ = 0;
}

void Loop::Open() {
  size_t i;
  if (!free_.empty()) {
    i = free_.back();
    free_.pop_back();
  } else {
    i = conns_.size();
    conns_.emplace_back();
  }
  Conn& c = conns_[i];
  c = Conn{};
  c.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  c.state = State::kConnecting;
  ++open_;
  ++pending_;
  if (c.fd < 0) {
    Close(i, false);  // counted as failed
    return;
  }
  const int one = 1;
  setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port_));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(c.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS) {
    Close(i, false);
    return;
  }
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT;
  ev.data.u64 = i;
  c.want_out = true;
  epoll_ctl(ep_, EPOLL_CTL_ADD, c.fd, &ev);
}

void Loop::OnEvent(size_t i, uint32_t events) {
  Conn& c = conns_[i];
  if (c.state == State::kClosed) return;
  if (c.state == State::kConnecting) {
    if ((events & (EPOLLERR | EPOLLHUP)) != 0) {
      Close(i, false);
      return;
    }
    if ((events & EPOLLOUT) == 0) return;
    uint8_t raw[16];
    for (auto& b : raw) b = static_cast<uint8_t>(rng_());
    c.key = Base64(raw, sizeof raw);
    c.out = "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:" +
            std::to_string(port_) +
            "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + c.key +
            "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    c.state = State::kHttp;
    FlushOut(i);
    return;
  }
  if ((events & EPOLLOUT) != 0) FlushOut(i);
  if (c.state != State::kClosed && (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0) OnReadable(i);
}

void Loop::OnReadable(size_t i) {
  for (;;) {
    Conn& c = conns_[i];
    const ssize_t n = recv(c.fd, buf_.data(), buf_.size(), 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
      Close(i, true);
      return;
    }
    if (n < 0) return;
    // The arrival time of these bytes (at the latest): taken per read, as
    // a batch of ready connections can take a while to go through.
    now_ms_ = WallMs();
    std::string_view data(buf_.data(), static_cast<size_t>(n));
    if (!c.in.empty()) {
      c.in.append(data);
      const ssize_t used = Parse(i, conns_[i].in);
      if (used < 0) return;
      conns_[i].in.erase(0, static_cast<size_t>(used));
    } else {
      const ssize_t used = Parse(i, data);
      if (used < 0) return;
      conns_[i].in.assign(data.substr(static_cast<size_t>(used)));
    }
    if (static_cast<size_t>(n) < buf_.size()) return;
  }
}

ssize_t Loop::Parse(size_t i, std::string_view data) {
  size_t pos = 0;
  Conn* c = &conns_[i];
  if (c->state == State::kHttp) {
    const size_t end = data.find("\r\n\r\n");
    if (end == std::string_view::npos) return 0;
    const std::string_view head = data.substr(0, end);
    if (!head.starts_with("HTTP/1.1 101") ||
        head.find("Sec-WebSocket-Accept: " + AcceptFor(c->key)) == std::string_view::npos) {
      std::fprintf(stderr, "socketio_load: bad upgrade answer: %.*s\n",
                   static_cast<int>(std::min<size_t>(head.size(), 200)), head.data());
      Close(i, false);
      return -1;
    }
    c->state = State::kOpen;
    pos = end + 4;
  }
  while (pos + 2 <= data.size()) {
    const auto b0 = static_cast<uint8_t>(data[pos]);
    const auto b1 = static_cast<uint8_t>(data[pos + 1]);
    if ((b1 & 0x80) != 0) {
      std::fprintf(stderr, "socketio_load: masked frame from the server\n");
      Close(i, false);
      return -1;
    }
    size_t header = 2;
    uint64_t len = b1 & 0x7F;
    if (len == 126) {
      if (pos + 4 > data.size()) break;
      len = (uint64_t{static_cast<uint8_t>(data[pos + 2])} << 8) |
            static_cast<uint8_t>(data[pos + 3]);
      header = 4;
    } else if (len == 127) {
      if (pos + 10 > data.size()) break;
      len = 0;
      for (int k = 0; k < 8; ++k) len = (len << 8) | static_cast<uint8_t>(data[pos + 2 + k]);
      header = 10;
    }
    if (pos + header + len > data.size()) break;
    const std::string_view payload = data.substr(pos + header, len);
    pos += header + len;
    const uint8_t opcode = b0 & 0x0F;
    const bool fin = (b0 & 0x80) != 0;
    switch (opcode) {
      case 0x0:  // continuation
      case 0x1:  // text
        if (!fin || !c->msg.empty()) {
          c->msg.append(payload);
          if (!fin) break;
          const std::string whole = std::move(c->msg);
          c->msg.clear();
          OnText(i, whole);
        } else {
          OnText(i, payload);
        }
        break;
      case 0x2:  // binary: the gateway sends none to plain events
        break;
      case 0x8:
        Close(i, true);
        return -1;
      case 0x9:
        Send(i, 0xA, payload);
        break;
      default:
        break;
    }
    c = &conns_[i];
    if (c->state == State::kClosed) return -1;
  }
  return static_cast<ssize_t>(pos);
}

void Loop::OnText(size_t i, std::string_view text) {
  Conn& c = conns_[i];
  if (text.empty()) return;
  switch (text[0]) {
    case '0':  // Engine.IO open: connect to namespace "/" with auth
      if (c.state == State::kOpen) {
        c.state = State::kConnect;
        Send(i, 0x1, std::string("40{\"token\":\"") + kApiKey + "\"}");
      }
      return;
    case '2':  // Engine.IO ping
      Send(i, 0x1, "3");
      return;
    case '1':  // Engine.IO close
      Close(i, true);
      return;
    case '4':
      break;
    default:
      return;
  }
  if (text.size() < 2) return;
  if (text[1] == '0' && c.state == State::kConnect) {
    if (text.starts_with("40{\"sid\":")) {
      c.state = State::kReady;
      --pending_;
      ++ready;
    }
    return;
  }
  if (text[1] == '4' && c.state == State::kConnect) {  // CONNECT_ERROR
    std::fprintf(stderr, "socketio_load: connect refused: %.*s\n", static_cast<int>(text.size()),
                 text.data());
    Close(i, false);
    return;
  }
  if (text[1] != '2' || !measuring_) return;
  if (!text.starts_with("42[\"new-message\",")) return;
  const size_t at = text.find("\"sentAt\":");
  if (at == std::string_view::npos) return;
  const double sent = std::strtod(text.data() + at + 9, nullptr);
  const double latency = now_ms_ - sent;
  const auto bucket =
      static_cast<size_t>(std::clamp(latency / kBucketMs, 0.0, static_cast<double>(kBuckets - 1)));
  ++hist_[bucket];
  const size_t id_at = text.find("\"id\":\"bench-");
  if (id_at != std::string_view::npos) {
    const auto n = static_cast<size_t>(std::strtoull(text.data() + id_at + 12, nullptr, 10));
    if (n < 10000000) {
      if (n >= first_ms_.size()) first_ms_.resize(n + 1, 1e9f);
      first_ms_[n] = std::min(first_ms_[n], static_cast<float>(latency));
    }
  }
  ++received_;
  last_delivery_ns = Clock::now().time_since_epoch().count();
}

// A masked client frame with a fresh key.
void Loop::Send(size_t i, uint8_t opcode, std::string_view payload) {
  Conn& c = conns_[i];
  const uint64_t r = rng_();
  uint8_t mask[4];
  std::memcpy(mask, &r, 4);
  std::string frame;
  frame += static_cast<char>(0x80 | opcode);
  if (payload.size() < 126) {
    frame += static_cast<char>(0x80 | payload.size());
  } else {
    frame += static_cast<char>(0x80 | 126);
    frame += static_cast<char>(payload.size() >> 8);
    frame += static_cast<char>(payload.size() & 0xFF);
  }
  frame.append(reinterpret_cast<const char*>(mask), 4);
  for (size_t k = 0; k < payload.size(); ++k) frame += static_cast<char>(payload[k] ^ mask[k % 4]);
  c.out += frame;
  FlushOut(i);
}

void Loop::FlushOut(size_t i) {
  Conn& c = conns_[i];
  while (!c.out.empty()) {
    const ssize_t n = send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
    if (n > 0) {
      c.out.erase(0, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    Close(i, true);
    return;
  }
  const bool want = !c.out.empty();
  if (want == c.want_out) return;
  c.want_out = want;
  epoll_event ev{};
  ev.events = EPOLLIN | (want ? uint32_t{EPOLLOUT} : 0u);
  ev.data.u64 = i;
  epoll_ctl(ep_, EPOLL_CTL_MOD, c.fd, &ev);
}

void Loop::Close(size_t i, bool server_dropped) {
  Conn& c = conns_[i];
  if (c.state == State::kClosed) return;
  if (c.state == State::kReady) {
    if (server_dropped && measuring_) ++dropped_;
    --ready;
  } else {
    --pending_;
    ++failed;
  }
  if (c.fd >= 0) {
    // An abortive close: 10,000 connections a round must not leave as many
    // ports in TIME_WAIT behind.
    linger l{1, 0};
    setsockopt(c.fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    ::close(c.fd);
  }
  c = Conn{};
  --open_;
  free_.push_back(i);
}

}  // namespace socketio_load
