#include "sim/connection.h"

#include <spdlog/spdlog.h>

#include "base/encoding.h"
#include "sim/misc_iq.h"
#include "sim/prekeys.h"
#include "sim/simulator.h"
#include "sim/usync.h"
#include "wa/binary/frame.h"
#include "wa/proto/codec.h"
#include "wa/proto/wa_client_payload.pb.h"
#include "wa/proto/wa_handshake.pb.h"

namespace sim {
namespace {

// The real server most likely sends 6 refs: 60 s + 5 × 20 s of QR codes
// before the client gives up [§5.1, §5.2].
constexpr int kPairRefs = 6;

Node Failure(int reason) { return Node("failure", {{"reason", std::to_string(reason)}}); }

}  // namespace

SimConnection::SimConnection(Simulator& sim, uint64_t id)
    : sim_(sim),
      id_(id),
      reader_(wa::noise::FrameReader::Server({.max_frame_size = sim.limits().max_frame_size})) {
  sim_.Attach(this);
}

SimConnection::~SimConnection() { sim_.Detach(this); }

std::string SimConnection::PopOutput() {
  std::string frame = std::move(outbox_.front());
  outbox_.pop_front();
  outbox_bytes_ -= frame.size();
  return frame;
}

void SimConnection::OnBytes(std::string_view bytes) {
  if (phase_ == Phase::kClosed) return;
  auto frames = reader_.Feed(bytes);
  if (!frames.ok()) {
    Abort(frames.status().message());
    return;
  }
  for (const std::string& frame : *frames) {
    if (phase_ == Phase::kClosed) return;
    OnFrame(frame);
  }
}

void SimConnection::OnFrame(std::string_view frame) {
  if (!responder_) {
    OnClientHello(frame);
    return;
  }
  if (!transport_) {
    OnClientFinish(frame);
    return;
  }
  auto plain = transport_->Decrypt(frame);
  if (!plain.ok()) {
    Abort(plain.status().message());
    return;
  }
  auto node = wa::binary::DecodeFrame(*plain);
  if (!node.ok()) {
    Abort(node.status().message());
    return;
  }
  spdlog::debug("wasim conn={} <<< {}", id_, node->DebugString());
  OnNode(*node);
}

void SimConnection::OnClientHello(std::string_view frame) {
  auto responder = wa::noise::Responder::Create(
      {.static_key = sim_.identity().static_key, .cert_chain = sim_.identity().cert_chain},
      sim_.random());
  if (!responder.ok()) {
    Abort(responder.status().message());
    return;
  }
  responder_.emplace(std::move(responder).value());
  if (auto s = responder_->ReadClientHello(frame); !s.ok()) {
    Abort(s.message());
    return;
  }
  auto hello = responder_->WriteServerHello();
  if (!hello.ok()) {
    Abort(hello.status().message());
    return;
  }
  SendFrame(*hello);
}

void SimConnection::OnClientFinish(std::string_view frame) {
  auto finish = responder_->ReadClientFinish(frame);
  if (!finish.ok()) {
    Abort(finish.status().message());
    return;
  }
  auto transport = responder_->Split();
  if (!transport.ok()) {
    Abort(transport.status().message());
    return;
  }
  transport_.emplace(std::move(transport).value());
  client_static_ = finish->client_static;
  auto payload = wa::proto::Parse<wa::proto::ClientPayload>(finish->client_payload);
  if (!payload.ok()) {
    spdlog::info("wasim conn={}: bad ClientPayload: {}", id_, payload.status().message());
    EndWith(Failure(400));
    return;
  }
  if (payload->has_device_pairing_data()) {
    const auto& d = payload->device_pairing_data();
    auto reg_id = ParseBigEndian(d.e_regid());
    auto skey_id = ParseBigEndian(d.e_skey_id());
    if (!reg_id || !skey_id || d.e_ident().size() != 32 || d.e_skey_val().size() != 32 ||
        d.e_skey_sig().size() != 64) {
      spdlog::info("wasim conn={}: malformed devicePairingData", id_);
      EndWith(Failure(400));
      return;
    }
    registration_ = Registration{*reg_id, d.e_ident(), {*skey_id, d.e_skey_val(), d.e_skey_sig()}};
    StartRegistration();
    return;
  }
  if (payload->has_username() && payload->has_device()) {
    StartLogin(payload->username(), payload->device());
    return;
  }
  spdlog::info("wasim conn={}: ClientPayload is neither registration nor login", id_);
  EndWith(Failure(400));
}

void SimConnection::StartRegistration() {
  phase_ = Phase::kRegistration;
  Node pair("pair-device");
  for (int i = 0; i < kPairRefs; ++i) {
    // Printable and comma-free: the ref is the first field of the QR [§5.2].
    std::string ref = "2@" + base::Base64Encode(sim_.random().Bytes(18));
    pair_refs_.push_back(ref);
    pair.AddChild(BytesNode("ref", std::move(ref)));
  }
  Node iq("iq");
  iq.SetAttr("from", ServerJid());
  iq.SetAttr("type", "set");
  iq.SetAttr("id", sim_.NextId());
  iq.SetAttr("xmlns", "md");
  iq.AddChild(std::move(pair));
  Send(iq);
}

void SimConnection::StartLogin(uint64_t username, uint32_t device) {
  const std::string phone = std::to_string(username);
  Account* account = sim_.accounts().FindByPhone(phone);
  const Device* d = nullptr;
  if (account != nullptr && device != 0) {
    auto it = account->devices.find(static_cast<uint16_t>(device));
    if (it != account->devices.end()) d = &it->second;
  }
  if (d == nullptr) {
    spdlog::info("wasim conn={}: login of unknown device {}:{}", id_, phone, device);
    EndWith(Failure(401));
    return;
  }
  // The Noise static key is the device's credential [§2.2]: it must be the
  // one bound at pairing.
  if (client_static_->raw() != d->noise_key) {
    spdlog::info("wasim conn={}: login of {}:{} with a foreign noise key", id_, phone, device);
    EndWith(Failure(401));
    return;
  }
  phase_ = Phase::kLoggedIn;
  device_jid_ = wa::Jid::WithDevice(phone, std::string(wa::kUserServer), d->id);
  sim_.OnLoggedIn(this, *device_jid_);
  Node success("success");
  success.SetAttr("t", std::to_string(sim_.NowS()));
  success.SetAttr("props", "1");
  success.SetAttr("abprops", "1");
  success.SetAttr("location", "wasim");
  success.SetAttr("creation", std::to_string(d->linked_at_ms / 1000));
  success.SetAttr("lid", wa::Jid::WithDevice(account->lid, std::string(wa::kLidServer), d->id));
  Send(success);
  // Queued stanzas first, each marked offline, then the count [§7.3]; the
  // count is sent even when nothing was queued, or Baileys waits 30 s.
  // Everything still unacked, also what was sent on an earlier connection.
  std::vector<Node> queued = sim_.router().Pending(*device_jid_);
  size_t n = 0;
  for (Node& stanza : queued) {
    stanza.SetAttr("offline", std::to_string(++n));
    Send(stanza);
  }
  Node ib("ib");
  ib.SetAttr("from", ServerJid());
  ib.AddChild(Node("offline", {{"count", std::to_string(n)}}));
  Send(ib);
}

void SimConnection::OnNode(const Node& node) {
  if (node.tag == "iq") {
    OnIq(node);
    return;
  }
  if (phase_ != Phase::kLoggedIn) return;
  auto reply = [this](const Node& out) { Send(out); };
  if (node.tag == "message") {
    sim_.router().OnMessage(*device_jid_, node, reply);
  } else if (node.tag == "receipt") {
    sim_.router().OnReceipt(*device_jid_, node, reply);
  } else if (node.tag == "ack") {
    sim_.router().OnAck(*device_jid_, node);
  }
  // ib (unified_session, offline_batch), presence, chatstate: accepted silently.
}

void SimConnection::OnIq(const Node& iq) {
  const std::string type = iq.GetAttrText("type").value_or("");
  if (type == "result" || type == "error") {
    if (pending_sign_ && iq.GetAttrText("id") == pending_sign_->iq_id) {
      sim_.OnPairDeviceSign(this, iq);
    }
    return;  // e.g. the answer to <pair-device>
  }
  const std::string xmlns = iq.GetAttrText("xmlns").value_or("");
  if (xmlns == "md") {
    OnMdIq(iq);
    return;
  }
  if (auto reply = HandleMiscIq(iq)) {
    Send(*reply);
    return;
  }
  if (phase_ == Phase::kLoggedIn && xmlns == "w:g2") {
    Send(sim_.router().HandleGroupIq(*this, iq));
    return;
  }
  if (phase_ == Phase::kLoggedIn && xmlns == "w:m" && iq.GetChild("media_conn") != nullptr) {
    Send(MediaConnReply(iq, sim_.blobs().base_url()));
    return;
  }
  if (phase_ == Phase::kLoggedIn && (xmlns == "encrypt" || xmlns == "usync")) {
    if (xmlns == "usync") {
      Send(HandleUsyncIq(sim_.accounts(), iq, sim_.NowS()));
      return;
    }
    Device* self = sim_.FindDeviceRecord(*device_jid_);
    if (self == nullptr) {  // removed while connected; the kick is on its way
      Send(ErrorFor(iq, 401, "not-authorized"));
      return;
    }
    // The phones must hold the private halves of the pre-keys handed out.
    if (iq.GetChild("key") != nullptr) sim_.router().PrimePhones();
    bool changed = false;
    Node reply = HandleEncryptIq(sim_.accounts(), *self, iq, &changed);
    const bool uploaded = iq.GetChild("list") != nullptr && reply.GetAttrText("type") == "result";
    Send(reply);
    if (changed) sim_.SaveAccounts();
    if (uploaded) sim_.router().OnPreKeysUploaded(*device_jid_);
    if (iq.GetChild("key") != nullptr) sim_.router().AfterBundleFetch(iq);
    return;
  }
  spdlog::info("wasim conn={}: unhandled iq: {}", id_, iq.DebugString());
  Send(ErrorFor(iq, 501, "feature-not-implemented"));
}

void SimConnection::OnMdIq(const Node& iq) {
  if (const Node* reg = iq.GetChild("link_code_companion_reg")) {
    const std::string stage = reg->GetAttrText("stage").value_or("");
    if (phase_ == Phase::kRegistration && stage == "companion_hello") {
      sim_.OnCompanionHello(this, iq, *reg);
      return;
    }
    if (phase_ == Phase::kRegistration && stage == "companion_finish") {
      sim_.OnCompanionFinish(this, iq, *reg);
      return;
    }
    Send(ErrorFor(iq, 400, "bad-request"));
    return;
  }
  if (const Node* remove = iq.GetChild("remove-companion-device");
      remove != nullptr && phase_ == Phase::kLoggedIn) {
    auto jid = remove->GetAttrAsJid("jid");
    // A companion may unlink itself or a sibling, never another account.
    if (!jid.ok() || jid->user() != device_jid_->user() || !jid->has_device() ||
        jid->device() == 0) {
      Send(ErrorFor(iq, 400, "bad-request"));
      return;
    }
    Send(ResultFor(iq));
    if (auto s = sim_.RemoveDevice(jid->user(), jid->device()); !s.ok()) {
      spdlog::info("wasim conn={}: remove-companion-device: {}", id_, s.message());
    }
    return;
  }
  spdlog::info("wasim conn={}: unhandled md iq: {}", id_, iq.DebugString());
  Send(ErrorFor(iq, 501, "feature-not-implemented"));
}

void SimConnection::Send(const Node& node) {
  if (phase_ == Phase::kClosed || !transport_) return;
  spdlog::debug("wasim conn={} >>> {}", id_, node.DebugString());
  auto payload = wa::binary::EncodeFrame(node);
  if (!payload.ok()) {
    spdlog::error("wasim conn={}: encode: {}", id_, payload.status().message());
    return;
  }
  auto sealed = transport_->Encrypt(*payload);
  if (!sealed.ok()) {
    Abort(sealed.status().message());
    return;
  }
  SendFrame(*sealed);
}

void SimConnection::SendFrame(std::string_view payload) {
  auto framed = writer_.Write(payload);
  if (!framed.ok()) {
    Abort(framed.status().message());
    return;
  }
  outbox_bytes_ += framed->size();
  outbox_.push_back(std::move(framed).value());
  if (outbox_bytes_ > sim_.limits().max_outbox_bytes) {
    Abort("outgoing queue full (client not reading)");
    return;
  }
  if (wake_) wake_();
}

void SimConnection::EndWith(const Node& error) {
  if (phase_ == Phase::kClosed) return;
  Send(error);
  phase_ = Phase::kClosed;
  closing_ = true;
  if (wake_) wake_();
}

void SimConnection::Abort(std::string_view reason) {
  if (aborted_) return;
  spdlog::info("wasim conn={}: closing: {}", id_, reason);
  phase_ = Phase::kClosed;
  aborted_ = true;
  if (wake_) wake_();
}

}  // namespace sim
