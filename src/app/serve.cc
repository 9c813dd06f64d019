// `wagate serve`: the composition root. Builds store → event bus → service →
// guard → routes + Socket.IO gateway → HTTP server, runs one io_context on
// this thread and a small pool for blocking calls, and shuts down in order
// on SIGINT/SIGTERM (gateway first, closing its sockets, then HTTP).
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "api/api.h"
#include "api/guard.h"
#include "app/api_key.h"
#include "app/commands.h"
#include "app/heap_trimmer.h"
#include "app/store_factory.h"
#include "base/clock.h"
#include "base/encoding.h"
#include "base/random.h"
#include "gateway/gateway.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"
#include "service/event_bus.h"
#include "service/session_manager.h"
#include "service/whatsapp_service.h"

namespace app {
namespace {

// Threads for blocking store and file calls; the event loop never blocks.
constexpr int kBlockingThreads = 4;
// In-flight requests get this long to finish once a stop signal arrives.
constexpr auto kShutdownGrace = std::chrono::seconds(5);
// How often freed heap is given back to the kernel, and from how much
// (app/heap_trimmer.h).
constexpr auto kHeapTrimInterval = std::chrono::seconds(1);
constexpr size_t kHeapTrimMinFree = 512 * 1024;
// Shorter keys are allowed (tests, local use) but worth a warning.
constexpr size_t kShortKey = 16;

std::string UrlHost(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

base::Result<std::string> ResolveApiKey(const Config& config) {
  if (!config.api_key.empty()) {
    if (config.api_key.size() < kShortKey) {
      spdlog::warn("WAGATE_API_KEY is shorter than {} characters; use a long random key",
                   kShortKey);
    }
    return config.api_key;
  }
  auto key = LoadOrCreateApiKey(config.data_dir, base::SecureRandom::Instance());
  if (!key.ok()) return key.status().WithContext("api key");
  if (key->created) {
    // Shown this once; afterwards it is only in the file.
    spdlog::warn("generated an API key (saved in {}, shown only now): {}", key->path, key->key);
  } else {
    spdlog::info("using the API key in {}", key->path);
  }
  return key->key;
}

base::Result<service::SessionOptions> SessionOptionsFrom(const Config& config) {
  service::SessionOptions o;
  o.client.url = config.wa_url;
  o.client.ca_file = config.wa_ca_file;
  o.client.push_name = config.push_name;
  if (!config.wa_root_key.empty()) {
    auto raw = base::HexDecode(config.wa_root_key);
    if (!raw.ok()) return raw.status().WithContext("WAGATE_WA_ROOT_KEY");
    auto key = wa::crypto::PublicKey::FromRaw(*raw);
    if (!key.ok()) return key.status().WithContext("WAGATE_WA_ROOT_KEY");
    o.client.root_public_key = *key;
  }
  return o;
}

}  // namespace

int RunServe(const Config& config, const ServeHooks& hooks) {
  if (!config.positional.empty()) {
    std::fprintf(stderr, "wagate: unexpected argument \"%s\" (see wagate --help)\n",
                 config.positional.front().c_str());
    return 2;
  }
  const base::Clock& clock = base::SystemClock::Instance();

  auto opened = OpenStore(config);
  if (!opened.ok()) {
    std::fprintf(stderr, "wagate: open store (%s): %s\n", DescribeStore(config).c_str(),
                 opened.status().message().c_str());
    return 1;
  }
  std::unique_ptr<store::Store> store = std::move(opened).value();

  auto api_key = ResolveApiKey(config);
  if (!api_key.ok()) {
    std::fprintf(stderr, "wagate: %s\n", api_key.status().message().c_str());
    store->Close();
    return 1;
  }

  service::EventBus bus(config.instance, *store, clock,
                        {.keep = config.events_keep, .max_age_ms = config.events_max_age_ms});
  if (base::Status status = bus.Init(); !status.ok()) {
    std::fprintf(stderr, "wagate: %s\n", status.ToString().c_str());
    store->Close();
    return 1;
  }

  boost::asio::io_context io(1);
  boost::asio::thread_pool blocking(kBlockingThreads);
  auto session_options = SessionOptionsFrom(config);
  if (!session_options.ok()) {
    std::fprintf(stderr, "wagate: %s\n", session_options.status().message().c_str());
    blocking.join();
    store->Close();
    return 1;
  }
  api::Guard guard(*api_key, config.jwt_secret, clock);
  gateway::GatewayOptions gateway_options;
  gateway_options.cors_origins = config.cors_origins;
  // An API key or a JWT, as in `Authorization: Bearer`.
  gateway::Gateway gateway(io, gateway_options, bus, blocking, [&guard](std::string_view token) {
    return guard.Check(std::nullopt, "Bearer " + std::string(token)).ok();
  });
  http::Metrics metrics;
  http::Router router;
  http::ServerOptions options;
  options.host = config.host;
  options.port = config.port;
  options.body_limit = config.body_limit;
  options.shutdown_grace = kShutdownGrace;
  http::Server server(io, options, router, metrics);

  auto port = server.Listen();
  if (!port.ok()) {
    std::fprintf(stderr, "wagate: %s\n", port.status().message().c_str());
    blocking.join();
    store->Close();
    return 1;
  }
  std::string listen_url = "http://" + UrlHost(config.host) + ":" + std::to_string(*port);
  std::string public_url = config.public_url.empty() ? listen_url : config.public_url;

  // The session and the service come after the listener: media URLs need
  // the bound port.
  service::SessionManager session(boost::asio::make_strand(io), blocking, config.instance, *store,
                                  &bus, std::move(*session_options));
  service::MessagingOptions messaging;
  messaging.media_dir = config.media_dir;
  messaging.public_url = public_url;
  messaging.fetch.max_bytes = config.media_max_bytes;
  messaging.fetch.allow_private = config.media_allow_private;
  messaging.fetch.ca_file = config.wa_ca_file;
  messaging.ffmpeg = config.ffmpeg;
  service::WhatsappService service(config.instance, *store, blocking, session, clock,
                                   std::move(messaging), &bus);
  for (base::Status status : {service.Init(), session.Start()}) {
    if (!status.ok()) {
      std::fprintf(stderr, "wagate: %s\n", status.ToString().c_str());
      server.Stop([] {});
      io.run();
      blocking.join();
      store->Close();
      return 1;
    }
  }
  api::AddRoutes(router, {service, guard, metrics, public_url});
  router.AddUpgrade("/socket.io", gateway.Handler());
  gateway.Start();
  server.Start();
  HeapTrimmer trimmer(io, blocking, kHeapTrimInterval, kHeapTrimMinFree);
  trimmer.Start();
  spdlog::info("wagate {} listening on {} (store {}, instance {}, public url {})", WAGATE_VERSION,
               listen_url, DescribeStore(config), config.instance, public_url);

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  bool stopping = false;
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int signo) {
        if (ec) return;  // cancelled: the server has stopped
        if (stopping) {
          spdlog::warn("second signal {}: exiting without waiting", signo);
          std::_Exit(1);
        }
        stopping = true;
        spdlog::info("signal {}: stopping (up to {} s for requests in flight)", signo,
                     std::chrono::duration_cast<std::chrono::seconds>(kShutdownGrace).count());
        signals.async_wait(on_signal);
        // WhatsApp first (no new events), then the Socket.IO clients, then HTTP.
        trimmer.Stop();
        session.Stop([&] { gateway.Stop([&] { server.Stop([&] { signals.cancel(); }); }); });
      };
  signals.async_wait(on_signal);
  if (hooks.started) hooks.started(*port, bus);

  io.run();
  if (hooks.stopping) hooks.stopping();
  // Offloaded calls still running finish before the store goes away.
  blocking.join();
  store->Close();
  spdlog::info("stopped");
  return 0;
}

}  // namespace app
