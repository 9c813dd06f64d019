// http_load: an open-loop, constant-rate HTTP/1.1 load generator (issue 6).
//
// wrk is closed loop: each of its connections sends the next request only
// when the previous answer is in, so it measures the maximum throughput,
// and its latency percentiles are set by its own concurrency (Little's law:
// 32 in flight at 2,000/s is 16 ms each on average, by construction). A
// target such as "2,000 requests/s with p99 < 20 ms" needs the other method
// (wrk2, vegeta): requests leave on a fixed schedule whatever the server
// does, request i at t0 + i / rate, and each latency runs from that
// *scheduled* time to the end of its response. When the server stalls, the
// requests that should have left meanwhile wait for a connection and carry
// that wait in their latency, instead of silently not being sent
// ("coordinated omission", which hides stalls from closed-loop tools).
//
// One thread, one epoll, a keep-alive pool opened up front, one request per
// connection at a time (no pipelining). A timerfd wakes the loop at each
// scheduled time (timer slack set to 1 µs), so the generator's own lateness
// stays in microseconds; send_delay_ms in the report shows it (it is the
// time from schedule to write, including any wait for a free connection).
// Requests that are due but find no free connection wait in a backlog; past
// --max-backlog the oldest are counted as dropped, and any request whose
// latency would pass --timeout-ms counts as a timeout (its connection is
// closed and reopened). The run ends by itself at warmup + duration +
// timeout + a short grace, even if the server hangs.
//
// Loopback only: this is a benchmark for this machine's servers.
//
// Usage: http_load --url http://127.0.0.1:PORT/path --rate N [--duration S]
//   [--warmup S] [--connections N] [--header "k: v"]... [--method POST]
//   [--body STR | --body-file F (one body per line, requests rotate)]
//   [--timeout-ms MS] [--max-backlog N] [--json]
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "http_response_parser.h"
#include "latency_histogram.h"

namespace {

using http_load::LatencyHistogram;
using http_load::ResponseParser;

constexpr int64_t kNsPerMs = 1'000'000;
constexpr int64_t kNsPerS = 1'000'000'000;
// After the last deadline: time for the final answers to be read.
constexpr int64_t kGraceNs = 500 * kNsPerMs;
// A refused or failed connection is retried this much later.
constexpr int64_t kRetryNs = 50 * kNsPerMs;
// The loop wakes at least this often (besides the schedule, the answers,
// the deadlines and the reconnects, each of which wakes it when due).
constexpr int kTickMs = 100;
constexpr uint64_t kTimerTag = ~uint64_t{0};

int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);  // the clock the timerfd runs on
  return ts.tv_sec * kNsPerS + ts.tv_nsec;
}

double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// ------------------------------------------------------------ options

struct Options {
  std::string url;
  double rate = 0;
  double duration_s = 10;
  double warmup_s = 0;
  int connections = 64;
  std::vector<std::string> headers;
  std::string method;  // GET, or POST when there is a body
  std::vector<std::string> bodies;
  int64_t timeout_ms = 5000;
  int64_t max_backlog = -1;  // default: one second of requests, at least 1,000
  bool json = false;
  // From the URL.
  std::string host;
  int port = 0;
  std::string path;
};

void Usage() {
  std::fprintf(stderr,
               "usage: http_load --url http://127.0.0.1:PORT/path --rate N [--duration S]\n"
               "  [--warmup S] [--connections N] [--header \"k: v\"]... [--method M]\n"
               "  [--body STR | --body-file F] [--timeout-ms MS] [--max-backlog N] [--json]\n");
}

bool ParseUrl(Options& o) {
  std::string_view u = o.url;
  if (!u.starts_with("http://")) return false;
  u.remove_prefix(7);
  const size_t slash = u.find('/');
  const std::string_view authority = u.substr(0, slash);
  o.path = slash == std::string_view::npos ? "/" : std::string(u.substr(slash));
  const size_t colon = authority.rfind(':');
  o.host = std::string(authority.substr(0, colon));
  o.port = colon == std::string_view::npos ? 80 : std::atoi(authority.data() + colon + 1);
  return !o.host.empty() && o.port > 0 && o.port < 65536;
}

bool ReadBodies(const std::string& file, std::vector<std::string>& out) {
  std::ifstream f(file);
  if (!f) return false;
  std::string line;
  while (std::getline(f, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) out.push_back(line);
  }
  return !out.empty();
}

bool ParseArgs(int argc, char** argv, Options& o) {
  for (int k = 1; k < argc; ++k) {
    std::string name = argv[k];
    std::string value;
    const size_t eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    auto next = [&]() -> const std::string& {
      if (eq == std::string::npos && k + 1 < argc) value = argv[++k];
      return value;
    };
    if (name == "--json") {
      o.json = true;
    } else if (name == "--url") {
      o.url = next();
    } else if (name == "--rate") {
      o.rate = std::atof(next().c_str());
    } else if (name == "--duration") {
      o.duration_s = std::atof(next().c_str());
    } else if (name == "--warmup") {
      o.warmup_s = std::atof(next().c_str());
    } else if (name == "--connections") {
      o.connections = std::atoi(next().c_str());
    } else if (name == "--header") {
      o.headers.push_back(next());
    } else if (name == "--method") {
      o.method = next();
    } else if (name == "--body") {
      o.bodies.push_back(next());
    } else if (name == "--body-file") {
      if (!ReadBodies(next(), o.bodies)) {
        std::fprintf(stderr, "http_load: no bodies in %s\n", value.c_str());
        return false;
      }
    } else if (name == "--timeout-ms") {
      o.timeout_ms = std::atoll(next().c_str());
    } else if (name == "--max-backlog") {
      o.max_backlog = std::atoll(next().c_str());
    } else {
      std::fprintf(stderr, "http_load: unknown argument %s\n", argv[k]);
      return false;
    }
  }
  if (o.url.empty() || !ParseUrl(o)) {
    std::fprintf(stderr, "http_load: --url http://127.0.0.1:PORT/path is required\n");
    return false;
  }
  if (!(o.rate > 0) || !(o.duration_s > 0) || o.warmup_s < 0 || o.connections < 1 ||
      o.timeout_ms < 1) {
    std::fprintf(stderr, "http_load: --rate, --duration, --connections, --timeout-ms > 0\n");
    return false;
  }
  if (o.method.empty()) o.method = o.bodies.empty() ? "GET" : "POST";
  if (o.max_backlog < 0) o.max_backlog = std::max<int64_t>(1000, std::llround(o.rate));
  return true;
}

bool HasHeader(const std::vector<std::string>& headers, std::string_view name) {
  for (const auto& h : headers) {
    if (h.size() > name.size() && h[name.size()] == ':' &&
        strncasecmp(h.data(), name.data(), name.size()) == 0) {
      return true;
    }
  }
  return false;
}

// The bytes of every distinct request, built once; request i sends
// requests[i % size].
std::vector<std::string> BuildRequests(const Options& o) {
  std::string head = o.method + " " + o.path + " HTTP/1.1\r\nHost: " + o.host + ":" +
                     std::to_string(o.port) + "\r\n";
  for (const auto& h : o.headers) head += h + "\r\n";
  const bool body_method = o.method == "POST" || o.method == "PUT" || o.method == "PATCH";
  if (!o.bodies.empty() && !HasHeader(o.headers, "content-type")) {
    head += "Content-Type: application/json\r\n";
  }
  std::vector<std::string> out;
  const std::vector<std::string> none{""};
  for (const auto& body : o.bodies.empty() ? none : o.bodies) {
    std::string r = head;
    if (!body.empty() || body_method)
      r += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    r += "\r\n";
    r += body;
    out.push_back(std::move(r));
  }
  return out;
}

unsigned long long U(uint64_t v) { return static_cast<unsigned long long>(v); }

// One flat JSON object, built in order (keys and strings here need no
// escapes beyond quotes and backslashes).
class Json {
 public:
  Json& Str(const std::string& key, const std::string& v) {
    std::string quoted;
    for (char ch : v) {
      if (ch == '"' || ch == '\\') quoted += '\\';
      quoted += ch;
    }
    return Raw(key, "\"" + quoted + "\"");
  }
  Json& Num(const std::string& key, double v) {
    char b[64];
    std::snprintf(b, sizeof b, "%.3f", v);
    return Raw(key, b);
  }
  Json& Int(const std::string& key, uint64_t v) { return Raw(key, std::to_string(v)); }
  Json& Raw(const std::string& key, const std::string& v) {
    s_ += (s_.size() > 1 ? ",\"" : "\"") + key + "\":" + v;
    return *this;
  }
  std::string Done() const { return s_ + "}"; }

 private:
  std::string s_ = "{";
};

// ------------------------------------------------------------ the generator

struct Conn {
  enum class State { kClosed, kConnecting, kIdle, kBusy };
  int fd = -1;
  State state = State::kClosed;
  int64_t retry_at = 0;  // when kClosed: reconnect from then on
  // The request in flight (kBusy).
  int64_t index = -1;
  int64_t sent_ns = 0;
  const std::string* out = nullptr;
  size_t out_off = 0;
  bool want_out = false;  // EPOLLOUT registered
  std::string in;
  ResponseParser parser;
};

struct Counters {
  uint64_t sent = 0;
  uint64_t completed = 0;  // a whole response, any status
  uint64_t ok = 0;         // 2xx
  uint64_t errors_status = 0;
  uint64_t errors_io = 0;  // connection reset or closed mid-request, bad response
  uint64_t timeouts = 0;
  uint64_t dropped = 0;
  uint64_t queued = 0;  // found no free connection when due, and waited
  std::map<int, uint64_t> statuses;
};

class Generator {
 public:
  Generator(const Options& o, std::vector<std::string> requests)
      : o_(o),
        requests_(std::move(requests)),
        conns_(static_cast<size_t>(o.connections)),
        period_ns_(1e9 / o.rate),
        warm_n_(std::llround(o.warmup_s * o.rate)),
        total_(warm_n_ + std::llround(o.duration_s * o.rate)),
        timeout_ns_(o.timeout_ms * kNsPerMs),
        head_(o.method == "HEAD") {
    addr_.sin_family = AF_INET;
    addr_.sin_port = htons(static_cast<uint16_t>(o.port));
    inet_pton(AF_INET, o.host == "localhost" ? "127.0.0.1" : o.host.c_str(), &addr_.sin_addr);
    ep_ = epoll_create1(EPOLL_CLOEXEC);
    timer_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    epoll_event ev{};
    // Edge-triggered: every expiry wakes the loop once, and re-arming resets
    // the expiry count, so the timerfd never needs a read.
    ev.events = EPOLLIN | EPOLLET;
    ev.data.u64 = kTimerTag;
    epoll_ctl(ep_, EPOLL_CTL_ADD, timer_, &ev);
  }
  ~Generator() {
    for (auto& c : conns_) {
      if (c.fd >= 0) ::close(c.fd);
    }
    ::close(timer_);
    ::close(ep_);
  }

  // Opens the whole pool before the clock starts; the number that connected.
  int OpenPool(int64_t deadline_ns) {
    for (size_t i = 0; i < conns_.size(); ++i) StartConnect(i);
    while (NowNs() < deadline_ns && Idle() < conns_.size()) {
      if (std::all_of(conns_.begin(), conns_.end(),
                      [](const Conn& c) { return c.state != Conn::State::kConnecting; })) {
        break;
      }
      Poll(kTickMs);
    }
    return static_cast<int>(Idle());
  }

  void Run() {
    cpu0_ = CpuSeconds();
    t0_ = NowNs();
    measure_start_ns_ = Sched(warm_n_);
    hard_end_ns_ = Sched(total_) + timeout_ns_ + kGraceNs;
    for (;;) {
      const int64_t now = NowNs();
      if (now >= hard_end_ns_) break;
      const int64_t next_check = ExpireAndReconnect(now);
      Dispatch(now);
      if (assigned_ == total_ && busy_ == 0) break;
      ArmTimer();
      // Deadlines and retries need millisecond precision only; the
      // schedule's precision comes from the timerfd.
      const int64_t wait_ns = std::min(next_check, hard_end_ns_) - now;
      Poll(static_cast<int>(std::clamp<int64_t>((wait_ns + kNsPerMs - 1) / kNsPerMs, 0, kTickMs)));
    }
    end_ns_ = NowNs();
    // What is still out after the hard end has passed its deadline.
    for (; assigned_ < total_; ++assigned_) CountTimeout(assigned_);
    for (auto& c : conns_) {
      if (c.state == Conn::State::kBusy) CountTimeout(c.index);
    }
    cpu_ = CpuSeconds() - cpu0_;
  }

  void Report(int pool) const {
    // Over the measured schedule, or longer when the last answers came late.
    const double span =
        std::max(o_.duration_s, static_cast<double>(last_done_ns_ - measure_start_ns_) / 1e9);
    const double cpu_per_request = sent_all_ ? cpu_ * 1e6 / static_cast<double>(sent_all_) : 0;
    auto ms = [](double us) { return us / 1000.0; };
    auto pct = [&](const LatencyHistogram& h, double q) { return ms(h.PercentileUs(q)); };
    auto max_ms = [&](const LatencyHistogram& h) { return ms(static_cast<double>(h.MaxUs())); };
    if (!o_.json) {
      std::printf(
          "%s %s at %.0f/s for %.1f s (warm-up %.1f s), %d/%d connections\n"
          "  achieved %.1f/s; scheduled %llu, sent %llu, completed %llu, ok %llu\n"
          "  errors %llu (status %llu, i/o %llu), timeouts %llu, dropped %llu\n"
          "  queued for a connection %llu, reconnects %llu\n"
          "  latency ms: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  mean %.3f\n"
          "  send delay ms (schedule to write): p50 %.3f  p99 %.3f  max %.3f\n"
          "  generator CPU %.3f s, %.2f us per request\n",
          o_.method.c_str(), o_.url.c_str(), o_.rate, o_.duration_s, o_.warmup_s, pool,
          o_.connections, static_cast<double>(c_.completed) / span, U(Scheduled()), U(c_.sent),
          U(c_.completed), U(c_.ok), U(c_.errors_status + c_.errors_io), U(c_.errors_status),
          U(c_.errors_io), U(c_.timeouts), U(c_.dropped), U(c_.queued), U(reconnects_),
          pct(latency_, 0.5), pct(latency_, 0.9), pct(latency_, 0.99), pct(latency_, 0.999),
          max_ms(latency_), ms(latency_.MeanUs()), pct(send_delay_, 0.5), pct(send_delay_, 0.99),
          max_ms(send_delay_), cpu_, cpu_per_request);
      return;
    }
    Json j;
    j.Str("url", o_.url).Str("method", o_.method);
    j.Num("rate_asked", o_.rate).Num("rate_achieved", static_cast<double>(c_.completed) / span);
    j.Num("duration_s", o_.duration_s).Num("warmup_s", o_.warmup_s);
    j.Int("connections", static_cast<uint64_t>(o_.connections));
    j.Int("connections_open", static_cast<uint64_t>(pool));
    j.Int("scheduled", Scheduled()).Int("sent", c_.sent).Int("completed", c_.completed);
    j.Int("sent_with_warmup", sent_all_);
    j.Int("ok", c_.ok).Int("errors", c_.errors_status + c_.errors_io);
    j.Int("errors_status", c_.errors_status).Int("errors_io", c_.errors_io);
    j.Int("timeouts", c_.timeouts).Int("dropped", c_.dropped);
    j.Int("queued_for_connection", c_.queued).Int("reconnects", reconnects_);
    Json statuses;
    for (const auto& [code, n] : c_.statuses) statuses.Int(std::to_string(code), n);
    j.Raw("statuses", statuses.Done());
    Json lat;
    lat.Num("p50", pct(latency_, 0.5)).Num("p90", pct(latency_, 0.9));
    lat.Num("p99", pct(latency_, 0.99)).Num("p999", pct(latency_, 0.999));
    lat.Num("max", max_ms(latency_)).Num("mean", ms(latency_.MeanUs()));
    j.Raw("latency_ms", lat.Done());
    Json delay;
    delay.Num("p50", pct(send_delay_, 0.5)).Num("p99", pct(send_delay_, 0.99));
    delay.Num("max", max_ms(send_delay_));
    j.Raw("send_delay_ms", delay.Done());
    j.Num("cpu_s", cpu_).Num("cpu_us_per_request", cpu_per_request);
    j.Num("wall_s", static_cast<double>(end_ns_ - t0_) / 1e9);
    std::printf("%s\n", j.Done().c_str());
  }

 private:
  // Scheduled time of request i.
  int64_t Sched(int64_t i) const {
    return t0_ + static_cast<int64_t>(static_cast<double>(i) * period_ns_);
  }
  // How many requests are due at `now` (scheduled at or before it).
  int64_t Due(int64_t now) const {
    if (now < t0_) return 0;
    const auto n = static_cast<int64_t>(static_cast<double>(now - t0_) / period_ns_) + 1;
    return std::min(n, total_);
  }
  bool Measured(int64_t i) const { return i >= warm_n_; }
  uint64_t Scheduled() const { return static_cast<uint64_t>(total_ - warm_n_); }
  size_t Idle() const { return free_.size(); }

  void CountTimeout(int64_t i) {
    if (Measured(i)) ++c_.timeouts;
  }

  // Hands the due requests to free connections, oldest first.
  void Dispatch(int64_t now) {
    const int64_t due = Due(now);
    // Waited in the backlog past the timeout: it could only end as one.
    while (assigned_ < due && Sched(assigned_) + timeout_ns_ <= now) CountTimeout(assigned_++);
    // A bounded backlog: the oldest go first, as they are the nearest to
    // timing out; any drop means the server did not keep up with the rate.
    while (due - assigned_ > o_.max_backlog) {
      if (Measured(assigned_)) ++c_.dropped;
      ++assigned_;
    }
    while (assigned_ < due && !free_.empty()) {
      const size_t i = free_.front();
      free_.pop_front();
      if (conns_[i].state != Conn::State::kIdle) continue;  // closed meanwhile
      Send(i, assigned_++, now);
    }
    queued_until_ = std::max(queued_until_, due);
  }

  // The next wake-up for the schedule: only when a request can leave then.
  void ArmTimer() {
    int64_t at = 0;
    if (assigned_ < total_ && !free_.empty()) at = Sched(assigned_);
    if (at == armed_at_) return;
    armed_at_ = at;
    itimerspec spec{};
    spec.it_value.tv_sec = at / kNsPerS;
    spec.it_value.tv_nsec = at % kNsPerS;
    timerfd_settime(timer_, TFD_TIMER_ABSTIME, &spec, nullptr);  // 0 disarms
  }

  void Poll(int timeout_ms) {
    epoll_event events[256];
    const int n = epoll_wait(ep_, events, 256, timeout_ms);
    for (int k = 0; k < n; ++k) {
      if (events[k].data.u64 == kTimerTag) {
        armed_at_ = 0;  // expired: the next ArmTimer sets it again
        continue;
      }
      OnEvent(static_cast<size_t>(events[k].data.u64), events[k].events);
    }
  }

  void Watch(size_t i, uint32_t events, int op) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = i;
    epoll_ctl(ep_, op, conns_[i].fd, &ev);
  }

  void StartConnect(size_t i) {
    Conn& c = conns_[i];
    c.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    const int rc = connect(c.fd, reinterpret_cast<const sockaddr*>(&addr_), sizeof addr_);
    if (rc != 0 && errno != EINPROGRESS) {
      ::close(c.fd);
      c.fd = -1;
      c.state = Conn::State::kClosed;
      c.retry_at = NowNs() + kRetryNs;
      return;
    }
    c.state = Conn::State::kConnecting;
    Watch(i, EPOLLOUT, EPOLL_CTL_ADD);
  }

  // Closes connection i for good (until a reconnect).
  void Drop(size_t i) {
    Conn& c = conns_[i];
    if (c.fd >= 0) ::close(c.fd);  // also leaves the epoll set
    if (c.state == Conn::State::kBusy) --busy_;
    c.fd = -1;
    c.state = Conn::State::kClosed;
    c.in.clear();
    c.want_out = false;
  }

  // Closes connection i and opens a new one at once, so the pool stays full
  // for the requests to come.
  void Reopen(size_t i) {
    Drop(i);
    ++reconnects_;
    StartConnect(i);
  }

  // Times out the requests past their deadline, reopens the connections
  // due for a retry; returns when the next of either falls due. A scan of
  // the pool costs less than the system call that would index it.
  int64_t ExpireAndReconnect(int64_t now) {
    int64_t next = INT64_MAX;
    for (size_t i = 0; i < conns_.size(); ++i) {
      Conn& c = conns_[i];
      if (c.state == Conn::State::kBusy) {
        const int64_t deadline = Sched(c.index) + timeout_ns_;
        if (deadline > now) {
          next = std::min(next, deadline);
          continue;
        }
        CountTimeout(c.index);
        Reopen(i);
      }
      if (c.state == Conn::State::kClosed) {
        if (c.retry_at > now) {
          next = std::min(next, c.retry_at);
          continue;
        }
        ++reconnects_;
        StartConnect(i);
        if (c.state == Conn::State::kClosed) next = std::min(next, c.retry_at);
      }
    }
    return next;
  }

  void Send(size_t i, int64_t index, int64_t now) {
    Conn& c = conns_[i];
    c.state = Conn::State::kBusy;
    ++busy_;
    c.index = index;
    c.sent_ns = now;
    c.out = &requests_[static_cast<size_t>(index % static_cast<int64_t>(requests_.size()))];
    c.out_off = 0;
    c.in.clear();
    c.parser.Reset(head_);
    ++sent_all_;
    if (Measured(index)) {
      ++c_.sent;
      if (index < queued_until_) ++c_.queued;
      send_delay_.Record((now - Sched(index)) / 1000);
    }
    Flush(i);
  }

  void Flush(size_t i) {
    Conn& c = conns_[i];
    while (c.out_off < c.out->size()) {
      const ssize_t n =
          ::send(c.fd, c.out->data() + c.out_off, c.out->size() - c.out_off, MSG_NOSIGNAL);
      if (n > 0) {
        c.out_off += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EAGAIN) {
        if (!c.want_out) Watch(i, EPOLLIN | EPOLLOUT | EPOLLRDHUP, EPOLL_CTL_MOD);
        c.want_out = true;
        return;
      }
      Fail(i);
      return;
    }
    if (c.want_out) Watch(i, EPOLLIN | EPOLLRDHUP, EPOLL_CTL_MOD);
    c.want_out = false;
  }

  // The request in flight on connection i is lost (reset, bad response).
  void Fail(size_t i) {
    if (Measured(conns_[i].index)) ++c_.errors_io;
    Reopen(i);
  }

  void Done(size_t i, int64_t now) {
    Conn& c = conns_[i];
    if (Measured(c.index)) {
      ++c_.completed;
      const int status = c.parser.Status();
      ++c_.statuses[status];
      if (status >= 200 && status < 300) {
        ++c_.ok;
      } else {
        ++c_.errors_status;
      }
      // Every answer's latency, whatever its status (as wrk2 and vegeta do);
      // the errors are counted apart.
      latency_.Record((now - Sched(c.index)) / 1000);
      last_done_ns_ = std::max(last_done_ns_, now);
    }
    // Bytes after the response would be an answer to nothing: start afresh.
    if (c.parser.WillClose() || !c.in.empty()) {
      Reopen(i);
      return;
    }
    c.state = Conn::State::kIdle;
    --busy_;
    free_.push_back(i);  // FIFO: every connection stays in use, none idles out
  }

  void OnEvent(size_t i, uint32_t events) {
    Conn& c = conns_[i];
    const int64_t now = NowNs();
    if (c.state == Conn::State::kConnecting) {
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0 || (events & (EPOLLERR | EPOLLHUP))) {
        Drop(i);
        c.retry_at = now + kRetryNs;  // refused: the tick retries it
        return;
      }
      c.state = Conn::State::kIdle;
      Watch(i, EPOLLIN | EPOLLRDHUP, EPOLL_CTL_MOD);
      free_.push_back(i);
      return;
    }
    if (c.state == Conn::State::kBusy && (events & EPOLLOUT) && c.want_out) Flush(i);
    if (c.state == Conn::State::kClosed) return;
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) OnReadable(i, now);
    // The server closed after its answer without saying so: reopen now,
    // before the next request is sent into the closed connection.
    if ((events & EPOLLRDHUP) && c.state == Conn::State::kIdle) Reopen(i);
  }

  void OnReadable(size_t i, int64_t now) {
    Conn& c = conns_[i];
    const ssize_t n = ::read(c.fd, buf_, sizeof buf_);
    if (n < 0 && errno == EAGAIN) return;
    if (c.state != Conn::State::kBusy) {
      Reopen(i);  // the server closed an idle connection (or sent junk)
      return;
    }
    if (n > 0) {
      c.in.append(buf_, static_cast<size_t>(n));
      switch (c.parser.Feed(c.in)) {
        case ResponseParser::Result::kComplete:
          Done(i, now);
          break;
        case ResponseParser::Result::kError:
          Fail(i);
          break;
        case ResponseParser::Result::kNeedMore:
          break;
      }
      return;
    }
    // Closed (n == 0) or reset: complete only for a body read until close.
    if (n == 0 && c.parser.OnEof() == ResponseParser::Result::kComplete) {
      Done(i, now);  // WillClose(): reopens
      return;
    }
    Fail(i);
  }

  const Options& o_;
  const std::vector<std::string> requests_;
  std::vector<Conn> conns_;
  const double period_ns_;
  const int64_t warm_n_;
  const int64_t total_;
  const int64_t timeout_ns_;
  const bool head_;
  sockaddr_in addr_{};
  int ep_ = -1;
  int timer_ = -1;
  int64_t armed_at_ = 0;
  std::deque<size_t> free_;
  int busy_ = 0;
  int64_t assigned_ = 0;  // requests handed out, dropped or expired before sending
  // Requests below this were due at a dispatch that had no free connection.
  int64_t queued_until_ = 0;
  int64_t t0_ = 0;
  int64_t measure_start_ns_ = 0;
  int64_t hard_end_ns_ = 0;
  int64_t end_ns_ = 0;
  int64_t last_done_ns_ = 0;
  uint64_t sent_all_ = 0;  // warm-up included: the CPU cost covers it
  uint64_t reconnects_ = 0;
  double cpu0_ = 0;
  double cpu_ = 0;
  Counters c_;
  LatencyHistogram latency_;
  LatencyHistogram send_delay_;
  char buf_[64 * 1024];
};

bool IsLoopback(const std::string& host) {
  if (host == "localhost") return true;
  in_addr a{};
  return inet_pton(AF_INET, host.c_str(), &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!ParseArgs(argc, argv, o)) {
    Usage();
    return 2;
  }
  if (!IsLoopback(o.host)) {
    std::fprintf(stderr, "http_load: loopback only (127.0.0.0/8 or localhost), not %s\n",
                 o.host.c_str());
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  // Wake-ups at the scheduled times, not up to 50 µs later (the default slack).
  prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  rlimit nofile{};
  getrlimit(RLIMIT_NOFILE, &nofile);
  nofile.rlim_cur = nofile.rlim_max;
  setrlimit(RLIMIT_NOFILE, &nofile);

  Generator g(o, BuildRequests(o));
  const int pool = g.OpenPool(NowNs() + 5 * kNsPerS);
  if (pool == 0) {
    std::fprintf(stderr, "http_load: could not connect to %s:%d\n", o.host.c_str(), o.port);
    return 1;
  }
  g.Run();
  g.Report(pool);
  return 0;
}
