#include "sim/admin_api.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <charconv>

#include "base/encoding.h"
#include "http/responses.h"

namespace sim {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
namespace json = boost::json;
using http::Context;
using http::Response;

bhttp::status HttpStatus(base::Code code) {
  switch (code) {
    case base::Code::kInvalidArgument:
      return bhttp::status::bad_request;
    case base::Code::kNotFound:
      return bhttp::status::not_found;
    case base::Code::kAlreadyExists:
    case base::Code::kFailedPrecondition:
      return bhttp::status::conflict;
    case base::Code::kResourceExhausted:
      return bhttp::status::too_many_requests;
    case base::Code::kUnauthenticated:
      return bhttp::status::unauthorized;
    default:
      return bhttp::status::internal_server_error;
  }
}

Response Error(const base::Status& status) {
  return http::ErrorResponse(HttpStatus(status.code()), status.message());
}

// The body as a JSON object ({} for an empty body).
base::Result<json::object> Body(const Context& ctx) {
  if (ctx.req.body().empty()) return json::object{};
  boost::system::error_code ec;
  json::value v = json::parse(ctx.req.body(), ec);
  if (ec || !v.is_object()) return base::InvalidArgument("body must be a JSON object");
  return std::move(v.as_object());
}

std::optional<std::string> StringField(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

std::optional<int64_t> IntField(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() < (1ULL << 62)) return static_cast<int64_t>(v->as_uint64());
  return std::nullopt;
}

json::object AccountJson(const Account& a) {
  return {{"phone", a.phone},
          {"name", a.name},
          {"jid", a.PnJid().ToString()},
          {"lid", a.LidJid().ToString()},
          {"devices", a.devices.size()}};
}

json::object DeviceJson(const Account& a, const Device& d, bool connected) {
  return {{"id", d.id},
          {"jid", wa::Jid::WithDevice(a.phone, std::string(wa::kUserServer), d.id).ToString()},
          {"lid", wa::Jid::WithDevice(a.lid, std::string(wa::kLidServer), d.id).ToString()},
          {"keyIndex", d.key_index},
          {"platform", d.platform},
          {"linkedAt", base::FormatIso8601(d.linked_at_ms)},
          {"preKeys", d.prekeys.size()},
          {"connected", connected}};
}

using Handler = std::function<Response(Context&)>;

// Admin handlers are synchronous (everything is in memory on this thread).
http::Handler Sync(Handler handler) {
  return [handler = std::move(handler)](Context& ctx) -> asio::awaitable<Response> {
    co_return handler(ctx);
  };
}

}  // namespace

void AddAdminRoutes(http::Router& router, Simulator& sim, const AdminInfo& info, AdminHooks hooks) {
  router.Add(
      bhttp::verb::get, "/admin/info", Sync([&sim, &info](Context&) {
        return http::JsonResponse(
            bhttp::status::ok,
            json::object{{"rootPublicKey", base::HexEncode(sim.identity().root.public_key.raw())},
                         {"wsUrl", info.ws_url},
                         {"adminUrl", info.admin_url},
                         {"mediaUrl", info.media_url},
                         {"mediaCaPem", info.media_ca_pem},
                         {"connections", sim.connection_count()}});
      }));

  router.Add(bhttp::verb::post, "/admin/accounts", Sync([&sim](Context& ctx) {
               auto body = Body(ctx);
               if (!body.ok()) return Error(body.status());
               auto phone = StringField(*body, "phone");
               if (!phone) return Error(base::InvalidArgument("phone must be a string of digits"));
               const std::string name = StringField(*body, "name").value_or("");
               if (name.size() > 100) return Error(base::InvalidArgument("name is too long"));
               const bool existed = sim.accounts().FindByPhone(*phone) != nullptr;
               auto account = sim.accounts().CreateAccount(*phone, name);
               if (!account.ok()) return Error(account.status());
               if (!existed) {
                 sim.SaveAccounts();
                 spdlog::info("wasim: account {} ({}) lid {}", (*account)->phone, name,
                              (*account)->lid);
               }
               // Idempotent: the same phone again answers 200 with the same account.
               return http::JsonResponse(existed ? bhttp::status::ok : bhttp::status::created,
                                         AccountJson(**account));
             }));

  router.Add(bhttp::verb::get, "/admin/accounts", Sync([&sim](Context&) {
               json::array out;
               for (const Account* a : sim.accounts().List()) out.push_back(AccountJson(*a));
               return http::JsonResponse(bhttp::status::ok, json::object{{"accounts", out}});
             }));

  router.Add(
      bhttp::verb::post, "/admin/accounts/:phone/scan", Sync([&sim](Context& ctx) {
        auto body = Body(ctx);
        if (!body.ok()) return Error(body.status());
        auto qr = StringField(*body, "qr");
        if (!qr) return Error(base::InvalidArgument("qr must be a string"));
        auto device = sim.Scan(ctx.params.Get("phone").value_or(""), *qr);
        if (!device.ok()) return Error(device.status());
        // Returned once <pair-success> was sent; the device is stored
        // when the companion's pair-device-sign verifies.
        return http::JsonResponse(bhttp::status::ok, json::object{{"device", device->ToString()}});
      }));

  router.Add(bhttp::verb::post, "/admin/accounts/:phone/pairing-code", Sync([&sim](Context& ctx) {
               auto body = Body(ctx);
               if (!body.ok()) return Error(body.status());
               auto code = StringField(*body, "code");
               if (!code) return Error(base::InvalidArgument("code must be a string"));
               auto s = sim.TypePairingCode(ctx.params.Get("phone").value_or(""), *code);
               if (!s.ok()) return Error(s);
               return http::JsonResponse(bhttp::status::ok,
                                         json::object{{"status", "primary_hello sent"}});
             }));

  router.Add(bhttp::verb::get, "/admin/accounts/:phone/devices", Sync([&sim](Context& ctx) {
               const std::string phone = ctx.params.Get("phone").value_or("");
               Account* a = sim.accounts().FindByPhone(phone);
               if (a == nullptr) return Error(base::NotFound("account " + phone + " not found"));
               json::array out;
               for (const auto& [id, d] : a->devices) {
                 const bool connected = sim.FindDevice(wa::Jid::WithDevice(
                                            phone, std::string(wa::kUserServer), id)) != nullptr;
                 out.push_back(DeviceJson(*a, d, connected));
               }
               return http::JsonResponse(bhttp::status::ok, json::object{{"devices", out}});
             }));

  router.Add(
      bhttp::verb::delete_, "/admin/accounts/:phone/devices/:device", Sync([&sim](Context& ctx) {
        const std::string phone = ctx.params.Get("phone").value_or("");
        const std::string text = ctx.params.Get("device").value_or("");
        unsigned device = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), device);
        if (ec != std::errc() || end != text.data() + text.size() || device == 0 || device > 255) {
          return Error(base::InvalidArgument("device must be a companion device id"));
        }
        auto s = sim.RemoveDevice(phone, static_cast<uint16_t>(device));
        if (!s.ok()) return Error(s);
        return http::JsonResponse(
            bhttp::status::ok,
            json::object{{"removed", wa::Jid::WithDevice(phone, std::string(wa::kUserServer),
                                                         static_cast<uint16_t>(device))
                                         .ToString()}});
      }));

  router.Add(
      bhttp::verb::post, "/admin/accounts/:phone/send", Sync([&sim](Context& ctx) {
        auto body = Body(ctx);
        if (!body.ok()) return Error(body.status());
        SendRequest request;
        request.to = StringField(*body, "to").value_or("");
        request.text = StringField(*body, "text").value_or("");
        request.media_type = StringField(*body, "mediaType").value_or("");
        request.caption = StringField(*body, "caption").value_or("");
        request.file_name = StringField(*body, "fileName").value_or("");
        request.mimetype = StringField(*body, "mimetype").value_or("");
        if (const json::value* c = body->if_contains("corrupt")) {
          request.corrupt = c->is_bool() && c->as_bool();
        }
        if (request.to.empty()) return Error(base::InvalidArgument("to is required"));
        if (request.text.size() > 65536 || request.caption.size() > 4096 ||
            request.file_name.size() > 255 || request.mimetype.size() > 128) {
          return Error(base::InvalidArgument("text, caption, fileName or mimetype too long"));
        }
        if (!request.media_type.empty()) {
          auto data = base::Base64Decode(StringField(*body, "data").value_or(""));
          if (!data.ok()) return Error(base::InvalidArgument("data must be base64"));
          request.data = std::move(data).value();
        }
        auto id = sim.router().PhoneSend(ctx.params.Get("phone").value_or(""), request);
        if (!id.ok()) return Error(id.status());
        return http::JsonResponse(bhttp::status::ok, json::object{{"id", *id}});
      }));

  router.Add(bhttp::verb::get, "/admin/accounts/:phone/received", Sync([&sim](Context& ctx) {
               const std::string phone = ctx.params.Get("phone").value_or("");
               if (sim.accounts().FindByPhone(phone) == nullptr) {
                 return Error(base::NotFound("account " + phone + " not found"));
               }
               json::array messages;
               for (const ReceivedMessage& m : sim.router().Received(phone)) {
                 json::object o{{"id", m.id},          {"from", m.from}, {"chat", m.chat},
                                {"fromMe", m.from_me}, {"t", m.t},       {"type", m.kind}};
                 if (!m.participant.empty()) o["participant"] = m.participant;
                 if (!m.text.empty())
                   o[m.kind == "text" || m.kind == "reaction" ? "text" : "caption"] = m.text;
                 if (!m.file_name.empty()) o["fileName"] = m.file_name;
                 if (!m.mimetype.empty()) o["mimetype"] = m.mimetype;
                 if (m.media) o["data"] = base::Base64Encode(*m.media);
                 if (!m.thumbnail.empty()) o["thumbnail"] = base::Base64Encode(m.thumbnail);
                 if (!m.error.empty()) o["error"] = m.error;
                 messages.push_back(std::move(o));
               }
               json::array receipts;
               for (const ReceivedReceipt& r : sim.router().Receipts(phone)) {
                 json::object o{{"id", r.id},
                                {"from", r.from},
                                {"type", r.type.empty() ? "delivery" : r.type},
                                {"t", r.t}};
                 if (!r.participant.empty()) o["participant"] = r.participant;
                 receipts.push_back(std::move(o));
               }
               return http::JsonResponse(
                   bhttp::status::ok, json::object{{"messages", messages}, {"receipts", receipts}});
             }));

  router.Add(bhttp::verb::get, "/admin/accounts/:phone/pending", Sync([&sim](Context& ctx) {
               const std::string phone = ctx.params.Get("phone").value_or("");
               Account* a = sim.accounts().FindByPhone(phone);
               if (a == nullptr) return Error(base::NotFound("account " + phone + " not found"));
               json::object out;
               for (const auto& [id, d] : a->devices) {
                 const wa::Jid jid = wa::Jid::WithDevice(phone, std::string(wa::kUserServer), id);
                 out[jid.ToString()] = sim.router().PendingCount(jid);
               }
               return http::JsonResponse(bhttp::status::ok, json::object{{"pending", out}});
             }));

  router.Add(bhttp::verb::post, "/admin/groups", Sync([&sim](Context& ctx) {
               auto body = Body(ctx);
               if (!body.ok()) return Error(body.status());
               const std::string subject = StringField(*body, "subject").value_or("");
               std::vector<std::string> phones;
               const json::value* list = body->if_contains("participants");
               if (list == nullptr || !list->is_array()) {
                 return Error(base::InvalidArgument("participants must be an array of phones"));
               }
               for (const json::value& v : list->as_array()) {
                 if (!v.is_string()) return Error(base::InvalidArgument("participants: strings"));
                 phones.emplace_back(v.as_string());
               }
               auto group = sim.router().CreateGroup(subject, phones);
               if (!group.ok()) return Error(group.status());
               json::array members;
               for (const std::string& p : (*group)->phones) members.emplace_back(p);
               return http::JsonResponse(bhttp::status::created,
                                         json::object{{"jid", (*group)->Jid().ToString()},
                                                      {"subject", (*group)->subject},
                                                      {"participants", members}});
             }));

  router.Add(bhttp::verb::post, "/admin/groups/:jid/participants", Sync([&sim](Context& ctx) {
               auto body = Body(ctx);
               if (!body.ok()) return Error(body.status());
               auto jid = wa::Jid::Parse(ctx.params.Get("jid").value_or(""));
               if (!jid.ok() || !jid->IsGroup()) {
                 return Error(base::InvalidArgument("jid must be a group JID"));
               }
               std::vector<std::string> lists[2];
               const char* keys[2] = {"add", "remove"};
               for (int i = 0; i < 2; ++i) {
                 const json::value* v = body->if_contains(keys[i]);
                 if (v == nullptr) continue;
                 if (!v->is_array() || v->as_array().size() > 256) {
                   return Error(base::InvalidArgument("add/remove must be arrays of phones"));
                 }
                 for (const json::value& p : v->as_array()) {
                   if (!p.is_string()) return Error(base::InvalidArgument("phones are strings"));
                   lists[i].emplace_back(p.as_string());
                 }
               }
               Router::MemberChange change{.add = std::move(lists[0]),
                                           .remove = std::move(lists[1]),
                                           .actor = {},
                                           .eavesdrop = false};
               if (const json::value* v = body->if_contains("eavesdrop")) {
                 if (!v->is_bool()) return Error(base::InvalidArgument("eavesdrop is a boolean"));
                 change.eavesdrop = v->as_bool();
               }
               if (const json::value* v = body->if_contains("actor")) {
                 if (!v->is_string()) return Error(base::InvalidArgument("actor is a phone"));
                 change.actor = std::string(v->as_string());
                 if (sim.accounts().FindByPhone(change.actor) == nullptr) {
                   return Error(base::NotFound("account " + change.actor + " not found"));
                 }
               }
               auto group = sim.router().ChangeMembers(*jid, change);
               if (!group.ok()) return Error(group.status());
               json::array members;
               for (const std::string& p : (*group)->phones) members.emplace_back(p);
               return http::JsonResponse(bhttp::status::ok,
                                         json::object{{"jid", (*group)->Jid().ToString()},
                                                      {"subject", (*group)->subject},
                                                      {"participants", members}});
             }));

  router.Add(
      bhttp::verb::get, "/admin/groups", Sync([&sim](Context&) {
        json::array out;
        for (const Group* g : sim.router().Groups()) {
          json::array members;
          for (const std::string& p : g->phones) members.emplace_back(p);
          out.push_back(json::object{
              {"jid", g->Jid().ToString()}, {"subject", g->subject}, {"participants", members}});
        }
        return http::JsonResponse(bhttp::status::ok, json::object{{"groups", out}});
      }));

  router.Add(bhttp::verb::post, "/admin/faults", Sync([&sim, hooks](Context& ctx) {
               auto body = Body(ctx);
               if (!body.ok()) return Error(body.status());
               const std::string action = StringField(*body, "action").value_or("");
               const int64_t ms = IntField(*body, "ms").value_or(0);
               if (ms < 0 || ms > 600'000)
                 return Error(base::InvalidArgument("ms must be 0..600000"));
               spdlog::info("wasim: fault {} ms={}", action, ms);
               if (action == "drop") {
                 sim.DropAll();
               } else if (action == "delay") {
                 sim.faults().delay_ms = ms;
               } else if (action == "stream-error") {
                 const int64_t code = IntField(*body, "code").value_or(503);
                 if (code < 100 || code > 999)
                   return Error(base::InvalidArgument("code must be 100..999"));
                 sim.StreamErrorAll(static_cast<int>(code));
               } else if (action == "refuse") {
                 sim.faults().refuse_until_ms = ms == 0 ? 0 : sim.clock().NowMs() + ms;
               } else if (action == "restart") {
                 if (hooks.restart_ws) hooks.restart_ws();
               } else {
                 return Error(base::InvalidArgument(
                     "action must be one of drop, delay, stream-error, refuse, restart"));
               }
               return http::JsonResponse(bhttp::status::ok,
                                         json::object{{"action", action},
                                                      {"delayMs", sim.faults().delay_ms},
                                                      {"connections", sim.connection_count()}});
             }));
}

}  // namespace sim
