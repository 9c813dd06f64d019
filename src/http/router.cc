#include "http/router.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <iterator>

namespace http {
namespace bhttp = boost::beast::http;

namespace {

// Splits "/a/b/" into {"a", "b"}: the leading '/' is required by the callers
// and one trailing '/' is ignored. Inner empty segments ("/a//b") are kept, so
// they match no pattern.
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> segments;
  path.remove_prefix(1);
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.empty()) return segments;
  size_t start = 0;
  for (;;) {
    const size_t slash = path.find('/', start);
    segments.push_back(path.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return segments;
}

[[noreturn]] void BadRoute(std::string_view what, std::string_view pattern) {
  spdlog::critical("http router: {}: '{}'", what, pattern);
  std::abort();
}

}  // namespace

Router::Router() : root_(std::make_unique<Node>()) {}
Router::~Router() = default;

void Router::Add(bhttp::verb method, std::string pattern, Handler handler) {
  if (pattern.empty() || pattern.front() != '/') BadRoute("pattern must start with '/'", pattern);
  Node* node = root_.get();
  for (std::string_view segment : SplitPath(pattern)) {
    if (segment.empty() || segment.find_first_of("?%#") != std::string_view::npos) {
      BadRoute("empty or invalid segment in pattern", pattern);
    }
    if (segment.front() == ':') {
      const std::string_view name = segment.substr(1);
      if (name.empty()) BadRoute("unnamed parameter in pattern", pattern);
      auto it = std::find_if(node->params.begin(), node->params.end(),
                             [&](const auto& p) { return p.first == name; });
      if (it == node->params.end()) {
        node->params.emplace_back(std::string(name), std::make_unique<Node>());
        it = std::prev(node->params.end());
      }
      node = it->second.get();
    } else {
      auto it = node->statics.find(segment);
      if (it == node->statics.end()) {
        it = node->statics.emplace(std::string(segment), std::make_unique<Node>()).first;
      }
      node = it->second.get();
    }
  }
  auto [it, inserted] = node->routes.try_emplace(method);
  if (!inserted) BadRoute("route registered twice", pattern);
  it->second.pattern = std::move(pattern);
  it->second.handler = std::move(handler);
}

void Router::AddUpgrade(std::string path_prefix, UpgradeHandler handler) {
  if (path_prefix.empty() || path_prefix.front() != '/') {
    BadRoute("upgrade prefix must start with '/'", path_prefix);
  }
  while (path_prefix.size() > 1 && path_prefix.back() == '/') path_prefix.pop_back();
  upgrades_.push_back(Upgrade{std::move(path_prefix), std::move(handler)});
}

const Router::Route* Router::MatchNode(
    const Node& node, const std::vector<std::string>& segments, size_t index, bhttp::verb method,
    std::vector<std::pair<const std::string*, size_t>>& captured) {
  if (index == segments.size()) {
    auto it = node.routes.find(method);
    if (it == node.routes.end() && method == bhttp::verb::head) {
      it = node.routes.find(bhttp::verb::get);
    }
    return it == node.routes.end() ? nullptr : &it->second;
  }
  const std::string& segment = segments[index];
  if (auto it = node.statics.find(segment); it != node.statics.end()) {
    if (const Route* r = MatchNode(*it->second, segments, index + 1, method, captured)) return r;
  }
  if (segment.empty()) return nullptr;
  for (const auto& [name, child] : node.params) {
    captured.emplace_back(&name, index);
    if (const Route* r = MatchNode(*child, segments, index + 1, method, captured)) return r;
    captured.pop_back();
  }
  return nullptr;
}

RouteMatch Router::Match(bhttp::verb method, std::string_view raw_path) const {
  RouteMatch match;
  if (raw_path.empty() || raw_path.front() != '/') return match;  // e.g. "*" or absolute-form

  for (const Upgrade& u : upgrades_) {
    const bool under =
        raw_path.starts_with(u.prefix) &&
        (raw_path.size() == u.prefix.size() || u.prefix == "/" || raw_path[u.prefix.size()] == '/');
    if (under) {
      match.kind = RouteMatch::Kind::kUpgrade;
      match.upgrade = &u.handler;
      match.route = u.prefix;
      return match;
    }
  }

  // Decode per segment, after splitting, so that an encoded "/" (%2F) stays
  // inside its parameter instead of creating a new segment.
  std::vector<std::string> segments;
  for (std::string_view raw : SplitPath(raw_path)) {
    std::optional<std::string> decoded = PercentDecode(raw);
    if (!decoded) {
      match.kind = RouteMatch::Kind::kBadRequest;
      match.message = "Failed to decode param '" + std::string(raw) + "'";
      return match;
    }
    segments.push_back(std::move(*decoded));
  }

  std::vector<std::pair<const std::string*, size_t>> captured;
  const Route* route = MatchNode(*root_, segments, 0, method, captured);
  if (route == nullptr) return match;
  match.kind = RouteMatch::Kind::kHandler;
  match.handler = &route->handler;
  match.route = route->pattern;
  for (const auto& [name, index] : captured) {
    match.params.Add(*name, std::move(segments[index]));
  }
  return match;
}

}  // namespace http
