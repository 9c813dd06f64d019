// wasim: the WhatsApp server simulator. See docs/wasim.md.
//   wasim --host 127.0.0.1 --ws-port N --admin-port N --media-port N --data DIR
//         [--log-level debug]
// Prints one JSON line with the bound ports, URLs and the root public key on
// stdout, then logs to stderr. Everything runs on one io_context thread.
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "base/encoding.h"
#include "base/log.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"
#include "sim/admin_api.h"
#include "sim/media.h"
#include "sim/simulator.h"
#include "sim/ws_endpoint.h"
#include "wa/noise/cert_chain.h"

namespace {

namespace asio = boost::asio;

constexpr std::string_view kUsage =
    "usage: wasim [--host 127.0.0.1] [--ws-port N] [--admin-port N] [--media-port N]\n"
    "             [--data DIR] [--memory-messages] [--log-level trace|debug|info|warn|error]\n"
    "WhatsApp server simulator for tests. Port 0 (the default) picks a free port.\n"
    "Prints one JSON line {wsPort, adminPort, mediaPort, wsUrl, adminUrl, mediaUrl,\n"
    "rootPublicKey} on stdout when ready; logs go to stderr. With --data, the root key,\n"
    "the media certificate, the accounts and (unless --memory-messages) the messaging\n"
    "state persist in DIR across restarts. SIGINT/SIGTERM stop it.\n";

struct Options {
  std::string host = "127.0.0.1";
  uint16_t ws_port = 0;
  uint16_t admin_port = 0;
  uint16_t media_port = 0;
  std::string data_dir;
  std::string log_level = "info";
  bool memory_messages = false;  // --memory-messages: no DIR/messaging.json
};

base::Result<uint16_t> ParsePort(std::string_view text) {
  unsigned v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v > 65535) {
    return base::InvalidArgument("bad port: " + std::string(text));
  }
  return static_cast<uint16_t>(v);
}

// nullopt: --help was printed.
base::Result<std::optional<Options>> ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return std::optional<Options>();
    }
    if (arg == "--memory-messages") {
      o.memory_messages = true;
      continue;
    }
    if (i + 1 >= argc) return base::InvalidArgument("missing value for " + std::string(arg));
    std::string_view value = argv[++i];
    if (arg == "--host") {
      o.host = value;
    } else if (arg == "--ws-port") {
      WAGATE_ASSIGN_OR_RETURN(o.ws_port, ParsePort(value));
    } else if (arg == "--admin-port") {
      WAGATE_ASSIGN_OR_RETURN(o.admin_port, ParsePort(value));
    } else if (arg == "--media-port") {
      WAGATE_ASSIGN_OR_RETURN(o.media_port, ParsePort(value));
    } else if (arg == "--data") {
      o.data_dir = value;
    } else if (arg == "--log-level") {
      if (!base::IsValidLogLevel(value)) {
        return base::InvalidArgument("bad log level: " + std::string(value));
      }
      o.log_level = value;
    } else {
      return base::InvalidArgument("unknown option " + std::string(arg));
    }
  }
  return std::optional<Options>(o);
}

// The root key pair: from DIR/root_key.hex when present (so the public key a
// client trusts survives restarts), else new (and saved when DIR is given).
base::Result<wa::crypto::KeyPair> LoadOrCreateRoot(const std::string& dir, base::Random& random) {
  if (dir.empty()) return wa::crypto::KeyPair::Generate(random);
  const std::string path = dir + "/root_key.hex";
  if (std::ifstream in(path); in) {
    std::string hex;
    in >> hex;
    WAGATE_ASSIGN_OR_RETURN(std::string raw, base::HexDecode(hex));
    return wa::crypto::KeyPair::FromPrivate(raw);
  }
  WAGATE_ASSIGN_OR_RETURN(auto pair, wa::crypto::KeyPair::Generate(random));
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << base::HexEncode(pair.private_key.bytes()) << "\n";
    if (!out) return base::Unavailable("write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return base::Unavailable("rename " + tmp);
  return pair;
}

int Run(const Options& o) {
  base::Random& random = base::SecureRandom::Instance();
  const base::Clock& clock = base::SystemClock::Instance();
  if (!o.data_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(o.data_dir, ec);
    if (ec) {
      spdlog::critical("wasim: data dir {}: {}", o.data_dir, ec.message());
      return 1;
    }
  }
  auto root = LoadOrCreateRoot(o.data_dir, random);
  auto intermediate = wa::crypto::KeyPair::Generate(random);
  auto static_key = wa::crypto::KeyPair::Generate(random);
  if (!root.ok() || !intermediate.ok() || !static_key.ok()) {
    spdlog::critical("wasim: keys: {}", root.status().ToString());
    return 1;
  }
  const uint64_t now_s = static_cast<uint64_t>(clock.NowMs() / 1000);
  auto chain = wa::noise::BuildCertChain({.root = &*root,
                                          .intermediate = &*intermediate,
                                          .leaf_key = static_key->public_key,
                                          .not_before = now_s - 86400,
                                          .not_after = now_s + 10 * 365 * 86400ULL},
                                         random);
  if (!chain.ok()) {
    spdlog::critical("wasim: cert chain: {}", chain.status().message());
    return 1;
  }
  sim::AccountStore accounts(o.data_dir.empty() ? "" : o.data_dir + "/accounts.json", random);
  if (auto s = accounts.Load(); !s.ok()) {
    spdlog::critical("wasim: {}", s.message());
    return 1;
  }
  sim::Simulator simulator(accounts, {*root, *static_key, *chain}, random, clock);

  asio::io_context io(1);

  // Messaging state (pending queues, groups, phone sessions) in DIR, saved
  // at most every 200 ms and at exit.
  const std::string messaging_path =
      o.data_dir.empty() || o.memory_messages ? "" : o.data_dir + "/messaging.json";
  asio::steady_timer save_timer(io);
  bool save_scheduled = false;
  // At most ~10% of the time goes to saving: the next save waits 10× the
  // last one's duration (at least 1 s), e.g. with tens of thousands pending.
  auto save_delay = std::chrono::milliseconds(1000);
  if (!messaging_path.empty()) {
    if (auto s = simulator.router().Load(messaging_path); !s.ok()) {
      spdlog::critical("wasim: {}", s.message());
      return 1;
    }
    simulator.router().SetOnChange([&] {
      if (save_scheduled) return;
      save_scheduled = true;
      save_timer.expires_after(save_delay);
      save_timer.async_wait([&](const boost::system::error_code& ec) {
        save_scheduled = false;
        if (ec) return;
        const auto started = std::chrono::steady_clock::now();
        if (auto s = simulator.router().Save(messaging_path); !s.ok()) {
          spdlog::error("wasim: {}", s.message());
        }
        const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - started);
        save_delay = std::max(std::chrono::milliseconds(1000), 10 * took);
      });
    });
  }
  http::Metrics metrics;
  sim::AdminInfo info;

  // The WebSocket listener can be restarted (fault "restart"); retired
  // servers are kept until exit because their Stop callback runs inside them.
  http::Router ws_router;
  sim::AddChatEndpoint(ws_router, simulator);
  http::ServerOptions ws_options{.host = o.host, .port = o.ws_port};
  ws_options.shutdown_grace = std::chrono::seconds(1);
  auto ws_server = std::make_unique<http::Server>(io, ws_options, ws_router, metrics);
  std::vector<std::unique_ptr<http::Server>> retired;
  auto ws_port = ws_server->Listen();
  if (!ws_port.ok()) {
    spdlog::critical("wasim: websocket: {}", ws_port.status().message());
    return 1;
  }
  ws_options.port = *ws_port;

  auto media_cert = sim::LoadOrCreateMediaCert(o.data_dir, o.host);
  if (!media_cert.ok()) {
    spdlog::critical("wasim: media certificate: {}", media_cert.status().message());
    return 1;
  }
  info.media_ca_pem = media_cert->cert_pem;
  sim::MediaHost media_host(io, simulator.blobs(), *media_cert);
  auto media_port = media_host.Listen(o.host, o.media_port);
  if (!media_port.ok()) {
    spdlog::critical("wasim: media: {}", media_port.status().message());
    return 1;
  }

  http::Router admin_router;
  sim::AdminHooks hooks;
  hooks.restart_ws = [&] {
    simulator.DropAll();
    http::Server* old = ws_server.get();
    retired.push_back(std::move(ws_server));
    ws_server = std::make_unique<http::Server>(io, ws_options, ws_router, metrics);
    old->Stop([&] {
      auto port = ws_server->Listen();
      if (!port.ok()) {
        spdlog::error("wasim: restart: {}", port.status().message());
        return;
      }
      ws_server->Start();
      spdlog::info("wasim: websocket listener restarted on port {}", *port);
    });
  };
  sim::AddAdminRoutes(admin_router, simulator, info, hooks);
  http::ServerOptions admin_options{.host = o.host, .port = o.admin_port};
  admin_options.body_limit = 24 << 20;  // base64 media in /send
  http::Server admin_server(io, admin_options, admin_router, metrics);
  auto admin_port = admin_server.Listen();
  if (!admin_port.ok()) {
    spdlog::critical("wasim: admin: {}", admin_port.status().message());
    return 1;
  }

  info.ws_url = fmt::format("ws://{}:{}{}", o.host, *ws_port, sim::kChatPath);
  info.admin_url = fmt::format("http://{}:{}", o.host, *admin_port);
  info.media_url = fmt::format("https://{}:{}", o.host, *media_port);
  simulator.blobs().set_base_url(info.media_url);

  ws_server->Start();
  admin_server.Start();

  const std::string root_hex = base::HexEncode(root->public_key.raw());
  std::cout << boost::json::serialize(boost::json::object{{"wsPort", *ws_port},
                                                          {"adminPort", *admin_port},
                                                          {"mediaPort", *media_port},
                                                          {"wsUrl", info.ws_url},
                                                          {"adminUrl", info.admin_url},
                                                          {"mediaUrl", info.media_url},
                                                          {"rootPublicKey", root_hex}})
            << std::endl;
  spdlog::info("wasim: ready ws={} admin={} media={} accounts={}", info.ws_url, info.admin_url,
               info.media_url, accounts.List().size());

  asio::signal_set signals(io, SIGINT, SIGTERM);
  asio::steady_timer deadline(io);
  int pending = 2;
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("wasim: signal {}, stopping", signal);
    simulator.DropAll();
    auto one_done = [&] {
      if (--pending == 0) io.stop();
    };
    ws_server->Stop(one_done);
    media_host.Stop();
    admin_server.Stop(one_done);
    deadline.expires_after(std::chrono::seconds(3));
    deadline.async_wait([&](const boost::system::error_code& e) {
      if (!e) io.stop();
    });
  });
  io.run();
  simulator.SaveAccounts();
  if (!messaging_path.empty()) {
    simulator.router().SetOnChange(nullptr);
    if (auto s = simulator.router().Save(messaging_path); !s.ok()) {
      spdlog::error("wasim: {}", s.message());
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto options = ParseArgs(argc, argv);
  if (!options.ok()) {
    std::cerr << "wasim: " << options.status().message() << "\n" << kUsage;
    return 2;
  }
  if (!options->has_value()) return 0;
  if (auto s = base::SetupLogging((*options)->log_level, base::LogFormat::kText); !s.ok()) {
    std::cerr << "wasim: " << s.message() << "\n";
    return 2;
  }
  try {
    return Run(**options);
  } catch (const std::exception& e) {
    spdlog::critical("wasim: {}", e.what());
    return 1;
  }
}
