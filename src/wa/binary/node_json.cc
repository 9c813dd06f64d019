#include "wa/binary/node_json.h"

#include <boost/json.hpp>

#include "base/encoding.h"
#include "wa/binary/utf8.h"

namespace wa::binary {
namespace {

namespace json = boost::json;

json::string JsonString(std::string_view text) {
  if (IsValidUtf8(text)) return json::string(text);
  std::string fixed;
  AppendUtf8Lossy(text, &fixed);
  return json::string(fixed);
}

json::object JidJson(const Jid& jid) {
  json::object out;
  out["jid"] = JsonString(jid.ToString());
  return out;
}

base::Status JsonError(const std::string& path, const std::string& what) {
  return base::InvalidArgument("node json: " + path + ": " + what);
}

// {"jid": "<text>"} → Jid.
base::Result<Jid> JidFromJson(const json::object& object, const std::string& path) {
  if (object.size() != 1 || !object.contains("jid") || !object.at("jid").is_string()) {
    return JsonError(path, "expected {\"jid\": \"...\"}");
  }
  auto jid = Jid::Parse(std::string_view(object.at("jid").as_string()));
  if (!jid.ok()) return JsonError(path, jid.status().message());
  return jid;
}

base::Result<Node> FromJson(const json::value& value, const std::string& path) {
  if (!value.is_object()) return JsonError(path, "a node must be an object");
  const json::object& object = value.as_object();
  for (const auto& entry : object) {
    if (entry.key() != "tag" && entry.key() != "attrs" && entry.key() != "content") {
      return JsonError(path, "unknown key \"" + std::string(entry.key()) + "\"");
    }
  }
  Node node;
  const json::value* tag = object.if_contains("tag");
  if (!tag || !tag->is_string() || tag->as_string().empty()) {
    return JsonError(path, "\"tag\" must be a non-empty string");
  }
  node.tag = std::string(tag->as_string());

  if (const json::value* attrs = object.if_contains("attrs"); attrs && !attrs->is_null()) {
    if (!attrs->is_object()) return JsonError(path + ".attrs", "must be an object");
    node.attrs.reserve(attrs->as_object().size());
    for (const auto& entry : attrs->as_object()) {
      std::string key(entry.key());
      const json::value& v = entry.value();
      if (v.is_string()) {
        node.attrs.push_back(Attr{std::move(key), std::string(v.as_string())});
      } else if (v.is_object()) {
        WAGATE_ASSIGN_OR_RETURN(Jid jid, JidFromJson(v.as_object(), path + ".attrs." + key));
        node.attrs.push_back(Attr{std::move(key), std::move(jid)});
      } else {
        return JsonError(path + ".attrs." + key, "expected a string or {\"jid\": \"...\"}");
      }
    }
  }

  const json::value* content = object.if_contains("content");
  if (!content || content->is_null()) return node;
  std::string content_path = path + ".content";
  if (content->is_string()) {
    node.content = std::string(content->as_string());
  } else if (content->is_array()) {
    const json::array& array = content->as_array();
    auto& children = node.content.emplace<NodeList>();
    children.reserve(array.size());
    for (size_t i = 0; i < array.size(); ++i) {
      WAGATE_ASSIGN_OR_RETURN(Node child,
                              FromJson(array[i], content_path + "[" + std::to_string(i) + "]"));
      children.push_back(std::move(child));
    }
  } else if (content->is_object() && content->as_object().contains("hex")) {
    const json::object& bytes = content->as_object();
    if (bytes.size() != 1 || !bytes.at("hex").is_string()) {
      return JsonError(content_path, "expected {\"hex\": \"...\"}");
    }
    auto decoded = base::HexDecode(std::string_view(bytes.at("hex").as_string()));
    if (!decoded.ok()) return JsonError(content_path, decoded.status().message());
    node.content = Bytes(std::move(decoded).value());
  } else if (content->is_object()) {
    WAGATE_ASSIGN_OR_RETURN(Jid jid, JidFromJson(content->as_object(), content_path));
    node.content = std::move(jid);
  } else {
    return JsonError(content_path,
                     "expected null, a string, {\"hex\"}, {\"jid\"} or a list of nodes");
  }
  return node;
}

}  // namespace

json::value NodeToJson(const Node& node) {
  json::object out;
  out["tag"] = JsonString(node.tag);
  json::object attrs;
  attrs.reserve(node.attrs.size());
  for (const Attr& attr : node.attrs) {
    json::string key = JsonString(attr.key);
    if (const auto* text = std::get_if<Str>(&attr.value)) {
      attrs[key] = JsonString(*text);
    } else {
      attrs[key] = JidJson(std::get<Jid>(attr.value));
    }
  }
  out["attrs"] = std::move(attrs);
  json::value& content = out["content"];
  if (const auto* text = node.text()) {
    content = JsonString(*text);
  } else if (const auto* bytes = node.bytes()) {
    json::object hex;
    hex["hex"] = base::HexEncode(bytes->view());
    content = std::move(hex);
  } else if (const auto* jid = node.jid()) {
    content = JidJson(*jid);
  } else if (node.HasChildren()) {
    json::array children;
    children.reserve(node.children().size());
    for (const Node& child : node.children()) children.push_back(NodeToJson(child));
    content = std::move(children);
  } else {
    content = nullptr;
  }
  return out;
}

base::Result<Node> NodeFromJson(const json::value& value) { return FromJson(value, "node"); }

std::string NodeToJsonText(const Node& node) { return json::serialize(NodeToJson(node)); }

base::Result<Node> NodeFromJsonText(std::string_view text) {
  json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  boost::system::error_code ec;
  json::value value = json::parse(text, ec, {}, options);
  if (ec) return base::InvalidArgument("node json: " + ec.message());
  return NodeFromJson(value);
}

}  // namespace wa::binary
