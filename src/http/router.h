// Router: maps (method, path) to a Handler, and path prefixes to an
// UpgradeHandler that takes the connection over.
//
// Patterns are "/"-separated; a ":name" segment captures one non-empty
// segment, e.g. "/whatsapp/messages/:jid". At each segment a static segment
// is tried before a parameter, with backtracking, so "/a/me" beats "/a/:id"
// for "/a/me" while "/a/me/x" can still reach "/a/:id/x". A trailing slash on
// the request path is ignored (as Express does by default). HEAD falls back to
// the GET handler (the Server drops the body). A path that exists only for
// another method is "not found": NestJS answers both with 404.
//
// Thread safety: Add and AddUpgrade are not thread-safe and must happen
// before the Server starts; Match is const and safe from any thread after.
#pragma once

#include <boost/beast/http/verb.hpp>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/handler.h"
#include "http/url.h"

namespace http {

struct RouteMatch {
  enum class Kind {
    kNotFound,    // no route: answer 404 "Cannot <METHOD> <target>"
    kBadRequest,  // a path segment has a malformed %-escape: answer 400 with `message`
    kHandler,     // `handler` with `route` and `params`
    kUpgrade,     // `upgrade` takes the connection; `route` is its prefix
  };
  Kind kind = Kind::kNotFound;
  const Handler* handler = nullptr;         // owned by the Router
  const UpgradeHandler* upgrade = nullptr;  // owned by the Router
  std::string_view route;                   // owned by the Router
  Params params;
  std::string message;
};

class Router {
 public:
  Router();
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // REQUIRES: `pattern` starts with '/', has no empty, '?' or '%' segments
  // and names each parameter; (method, pattern) is not registered yet.
  // Breaking this is a programming error: it is logged and aborts, like a
  // failed CHECK, so it shows at the first start rather than as a silent 404.
  void Add(boost::beast::http::verb method, std::string pattern, Handler handler);

  // Every request whose path is `path_prefix` or below it ("/socket.io",
  // "/socket.io/", "/socket.io/?EIO=4…", not "/socket.iox") goes to `handler`
  // with the connection, whatever the method, before any route is tried.
  // REQUIRES: `path_prefix` starts with '/'.
  void AddUpgrade(std::string path_prefix, UpgradeHandler handler);

  // `raw_path` is the still-encoded path of the request target (no query).
  RouteMatch Match(boost::beast::http::verb method, std::string_view raw_path) const;

 private:
  struct Route {
    std::string pattern;
    Handler handler;
  };
  struct Node {
    std::map<std::string, std::unique_ptr<Node>, std::less<>> statics;
    // One child per parameter name, tried in registration order.
    std::vector<std::pair<std::string, std::unique_ptr<Node>>> params;
    std::map<boost::beast::http::verb, Route> routes;
  };
  struct Upgrade {
    std::string prefix;
    UpgradeHandler handler;
  };

  static const Route* MatchNode(const Node& node, const std::vector<std::string>& segments,
                                size_t index, boost::beast::http::verb method,
                                std::vector<std::pair<const std::string*, size_t>>& captured);

  std::unique_ptr<Node> root_;
  std::vector<Upgrade> upgrades_;
};

}  // namespace http
