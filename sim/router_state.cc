// Persistence of the router's state in the data dir (messaging.json, written
// atomically, debounced by main.cc): pending queues (stanzas as hex binary
// frames), groups, the last message ids for receipts, which devices had their
// history sync, and the phones' Signal stores (sessions, sender keys,
// pre-keys). Bytes are hex.
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "base/encoding.h"
#include "sim/router.h"
#include "sim/simulator.h"
#include "wa/binary/frame.h"

namespace sim {
namespace {

namespace json = boost::json;

constexpr size_t kSavedIds = 5000;

std::string Str(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

const json::array* Arr(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_array() ? &v->as_array() : nullptr;
}

}  // namespace

base::Status Router::Save(const std::string& path) {
  json::object root;
  json::object pending;
  for (const auto& [device, queue] : pending_) {
    json::array frames;
    for (const PendingStanza& p : queue) {
      auto frame = wa::binary::EncodeFrame(p.node);
      if (frame.ok()) frames.emplace_back(base::HexEncode(*frame));
    }
    pending[device] = std::move(frames);
  }
  root["pending"] = std::move(pending);
  json::array groups;
  for (const auto& [_, g] : groups_) {
    json::array phones;
    for (const std::string& p : g.phones) phones.emplace_back(p);
    groups.push_back(json::object{
        {"id", g.id}, {"subject", g.subject}, {"phones", phones}, {"creation", g.creation}});
  }
  root["groups"] = std::move(groups);
  root["nextGroup"] = next_group_;
  json::array ids;
  const size_t skip = index_order_.size() > kSavedIds ? index_order_.size() - kSavedIds : 0;
  for (size_t i = skip; i < index_order_.size(); ++i) {
    auto it = index_.find(index_order_[i]);
    if (it == index_.end()) continue;
    ids.push_back(json::array{it->first, it->second.sender.ToString(), it->second.chat});
  }
  root["ids"] = std::move(ids);
  json::array history;
  for (const auto& [device, sent] : history_sent_) {
    if (sent) history.emplace_back(device);
  }
  root["historySent"] = std::move(history);
  json::object phones;
  for (const auto& [phone, crypto] : crypto_) {
    json::array entries;
    for (const auto& w : crypto->Snapshot()) {
      entries.push_back(json::array{w.type, w.id, base::HexEncode(w.value.value_or(""))});
    }
    phones[phone] = std::move(entries);
  }
  // Phones not used on this run keep what they had.
  for (const auto& [phone, saved] : saved_crypto_) {
    if (phones.contains(phone)) continue;
    json::array entries;
    for (const auto& w : saved) {
      entries.push_back(json::array{w.type, w.id, base::HexEncode(w.value.value_or(""))});
    }
    phones[phone] = std::move(entries);
  }
  root["phones"] = std::move(phones);

  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << json::serialize(root);
    if (!out) return base::Unavailable("write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return base::Unavailable("rename " + tmp);
  return base::Status::Ok();
}

base::Status Router::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return base::Status::Ok();  // first run
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  json::value v = json::parse(text.str(), ec);
  if (ec || !v.is_object()) return base::DataLoss(path + ": not a JSON object");
  const json::object& root = v.as_object();
  if (const json::value* p = root.if_contains("pending"); p != nullptr && p->is_object()) {
    for (const auto& [device, frames] : p->as_object()) {
      if (!frames.is_array()) continue;
      auto& queue = pending_[std::string(device)];
      for (const json::value& f : frames.as_array()) {
        if (!f.is_string()) continue;
        auto bytes = base::HexDecode(std::string(f.as_string()));
        auto node =
            bytes.ok() ? wa::binary::DecodeFrame(*bytes) : base::Result<Node>(bytes.status());
        if (!node.ok()) return base::DataLoss(path + ": bad pending stanza");
        queue.push_back({node->tag, node->GetAttrText("id").value_or(""), *node});
      }
    }
  }
  if (const json::array* groups = Arr(root, "groups")) {
    for (const json::value& g : *groups) {
      if (!g.is_object()) continue;
      Group group;
      group.id = Str(g.as_object(), "id");
      group.subject = Str(g.as_object(), "subject");
      if (const json::array* phones = Arr(g.as_object(), "phones")) {
        for (const json::value& p : *phones) {
          if (p.is_string()) group.phones.emplace_back(p.as_string());
        }
      }
      if (const json::value* c = g.as_object().if_contains("creation"); c && c->is_int64()) {
        group.creation = c->as_int64();
      }
      if (group.id.empty() || group.phones.empty()) continue;
      groups_[group.Jid().ToString()] = std::move(group);
    }
  }
  if (const json::value* n = root.if_contains("nextGroup"); n != nullptr && n->is_int64()) {
    next_group_ = static_cast<uint64_t>(n->as_int64());
  } else if (n != nullptr && n->is_uint64()) {
    next_group_ = n->as_uint64();
  }
  if (const json::array* ids = Arr(root, "ids")) {
    for (const json::value& e : *ids) {
      if (!e.is_array() || e.as_array().size() != 3 || !e.as_array()[0].is_string() ||
          !e.as_array()[1].is_string() || !e.as_array()[2].is_string()) {
        continue;
      }
      auto sender = wa::Jid::Parse(std::string(e.as_array()[1].as_string()));
      if (!sender.ok()) continue;
      Remember(std::string(e.as_array()[0].as_string()), *sender,
               std::string(e.as_array()[2].as_string()));
    }
  }
  if (const json::array* history = Arr(root, "historySent")) {
    for (const json::value& d : *history) {
      if (d.is_string()) history_sent_[std::string(d.as_string())] = true;
    }
  }
  if (const json::value* p = root.if_contains("phones"); p != nullptr && p->is_object()) {
    for (const auto& [phone, entries] : p->as_object()) {
      if (!entries.is_array()) continue;
      auto& saved = saved_crypto_[std::string(phone)];
      for (const json::value& e : entries.as_array()) {
        if (!e.is_array() || e.as_array().size() != 3 || !e.as_array()[2].is_string()) continue;
        const json::array& a = e.as_array();
        if (!a[0].is_string() || !a[1].is_string()) continue;
        auto value = base::HexDecode(std::string(a[2].as_string()));
        if (!value.ok()) return base::DataLoss(path + ": bad phone key");
        saved.push_back({std::string(a[0].as_string()), std::string(a[1].as_string()), *value});
      }
    }
  }
  spdlog::info("wasim: messaging state: {} pending queues, {} groups, {} phones", pending_.size(),
               groups_.size(), saved_crypto_.size());
  return base::Status::Ok();
}

void Router::Touch() {
  if (on_change_) on_change_();
}

}  // namespace sim
