// Pairing, both ways [whatsapp-protocol.md §5, §6]: the phone scans a QR or
// has a code typed into it, then sends <pair-success>; the companion answers
// <pair-device-sign>, which we verify before the device is stored and the
// connection is told to restart (515).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "base/encoding.h"
#include "sim/phone.h"
#include "sim/simulator.h"
#include "wa/pair/qr.h"

namespace sim {
namespace {

// Device ids: 1..98, 99 is reserved for hosted devices [§4.6].
constexpr uint16_t kMaxCompanionDevice = 98;

}  // namespace

base::Result<wa::Jid> Simulator::Scan(std::string_view phone, std::string_view qr_text) {
  Account* account = accounts_.FindByPhone(phone);
  if (account == nullptr) return base::NotFound("account " + std::string(phone) + " not found");
  WAGATE_ASSIGN_OR_RETURN(wa::pair::QrData qr, wa::pair::ParseQr(qr_text));
  SimConnection* conn = nullptr;
  for (auto& [id, c] : connections_) {
    if (c->phase() == SimConnection::Phase::kRegistration &&
        std::ranges::find(c->pair_refs(), qr.ref) != c->pair_refs().end()) {
      conn = c;
    }
  }
  if (conn == nullptr) {
    return base::NotFound("no companion is connected waiting with the ref of this QR code");
  }
  if (conn->pending_sign() || conn->pending_code()) {
    return base::FailedPrecondition("this companion is already pairing");
  }
  // The QR binds the noise and identity keys the companion showed; they must
  // be the ones of this connection.
  if (!conn->client_static() || conn->client_static()->raw() != qr.noise_key.raw()) {
    return base::FailedPrecondition("QR noise key differs from the connection's static key");
  }
  if (conn->registration()->identity_key != qr.identity_key.raw()) {
    return base::FailedPrecondition("QR identity key differs from the registration data");
  }
  return SendPairSuccess(conn, *account, qr.identity_key, qr.adv_secret, qr.platform_id);
}

base::Result<wa::Jid> Simulator::SendPairSuccess(SimConnection* conn, Account& account,
                                                 const wa::crypto::PublicKey& ic,
                                                 std::string_view adv_secret,
                                                 std::string_view platform) {
  if (account.next_device_id > kMaxCompanionDevice) {
    return base::ResourceExhausted("account " + account.phone + " has no device ids left");
  }
  const uint16_t device_id = account.next_device_id;
  const uint32_t key_index = account.next_key_index;
  const std::string iq_id = NextId();
  WAGATE_ASSIGN_OR_RETURN(Node iq, BuildPairSuccess({.account = account,
                                                     .device_id = device_id,
                                                     .key_index = key_index,
                                                     .companion_identity = ic,
                                                     .adv_secret = adv_secret,
                                                     .iq_id = iq_id,
                                                     .now_s = NowS()},
                                                    random_));
  // Ids are never reused, even when this pairing does not complete.
  ++account.next_device_id;
  ++account.next_key_index;
  SaveAccounts();
  conn->pending_sign() = PendingPairSign{
      account.phone, device_id, key_index, iq_id, std::string(ic.raw()), std::string(platform)};
  conn->Send(iq);
  return wa::Jid::WithDevice(account.phone, std::string(wa::kUserServer), device_id);
}

void Simulator::OnPairDeviceSign(SimConnection* conn, const Node& iq) {
  PendingPairSign pending = std::move(*conn->pending_sign());
  conn->pending_sign().reset();
  Account* account = accounts_.FindByPhone(pending.phone);
  auto ic = wa::crypto::PublicKey::FromRaw(pending.companion_identity);
  if (account == nullptr || !ic.ok()) {
    conn->Abort("pairing: account vanished");
    return;
  }
  if (iq.GetAttrText("type") == "error") {
    spdlog::info("wasim conn={}: companion refused pair-success: {}", conn->id(), iq.DebugString());
    conn->EndWith(StreamError(401));
    return;
  }
  auto verified = VerifyPairDeviceSign(iq, *account, *ic);
  if (!verified.ok()) {
    spdlog::info("wasim conn={}: pair-device-sign: {}", conn->id(), verified.status().message());
    conn->EndWith(StreamError(401));
    return;
  }
  const Registration& reg = *conn->registration();
  Device device;
  device.id = pending.device_id;
  device.key_index = pending.key_index;
  device.noise_key = std::string(conn->client_static()->raw());
  device.identity_key = reg.identity_key;
  device.registration_id = reg.registration_id;
  device.signed_prekey = reg.signed_prekey;
  device.platform = pending.platform;
  device.linked_at_ms = clock_.NowMs();
  account->devices[device.id] = std::move(device);
  SaveAccounts();
  spdlog::info("wasim: linked {}:{} (key index {})", account->phone, pending.device_id,
               pending.key_index);
  // The client reconnects and logs in as the new device [§5.4].
  conn->EndWith(StreamError(515));
}

void Simulator::OnCompanionHello(SimConnection* conn, const Node& iq, const Node& reg) {
  auto jid = reg.GetAttrAsJid("jid");
  auto wrapped = ChildBytes(reg, "link_code_pairing_wrapped_companion_ephemeral_pub");
  auto auth_key = ChildBytes(reg, "companion_server_auth_key_pub");
  if (!jid.ok() || !jid->IsPnUser() || !wrapped || wrapped->size() != wa::pair::kWrappedKeySize ||
      !auth_key) {
    conn->Send(ErrorFor(iq, 400, "bad-request"));
    return;
  }
  // The companion's server auth key is its Noise static key [§6.1].
  if (*auth_key != conn->client_static()->raw()) {
    conn->Send(ErrorFor(iq, 400, "bad-request"));
    return;
  }
  if (conn->pending_sign()) {
    conn->Send(ErrorFor(iq, 409, "conflict"));
    return;
  }
  // link_code_pairing_nonce: '0' (Baileys, a token) or a byte 00 (whatsmeow);
  // not otherwise used.
  PendingPairCode pending;
  pending.phone = jid->user();
  pending.ref = "wasim-" + base::Base64UrlEncode(random_.Bytes(12));
  pending.wrapped_companion_ephemeral = *wrapped;
  Node reply_reg("link_code_companion_reg");
  reply_reg.AddChild(BytesNode("link_code_pairing_ref", pending.ref));
  conn->pending_code() = std::move(pending);
  Node reply = ResultFor(iq);
  reply.AddChild(std::move(reply_reg));
  conn->Send(reply);
}

base::Status Simulator::TypePairingCode(std::string_view phone, std::string_view typed) {
  Account* account = accounts_.FindByPhone(phone);
  if (account == nullptr) return base::NotFound("account " + std::string(phone) + " not found");
  std::string code;
  for (char c : typed) {
    if (c == '-' || c == ' ') continue;
    code.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  if (code.size() != wa::pair::kPairingCodeLength) {
    return base::InvalidArgument("pairing code must be 8 characters (dash optional)");
  }
  SimConnection* conn = nullptr;
  for (auto& [id, c] : connections_) {
    if (c->phase() == SimConnection::Phase::kRegistration && c->pending_code() &&
        c->pending_code()->phone == phone && !c->pending_code()->hello) {
      conn = c;  // the newest one wins (ids grow)
    }
  }
  if (conn == nullptr) {
    return base::NotFound("no companion is connected waiting for a pairing code for " +
                          std::string(phone));
  }
  PendingPairCode& pending = *conn->pending_code();
  WAGATE_ASSIGN_OR_RETURN(
      auto hello, wa::pair::BuildPrimaryHello(code, pending.wrapped_companion_ephemeral, random_));
  conn->Send(BuildPrimaryHelloNotification(*account, pending.ref, hello.wrapped_primary_ephemeral,
                                           NextId(), NowS()));
  pending.hello = std::move(hello);
  pending.code = std::move(code);
  return base::Status::Ok();
}

void Simulator::OnCompanionFinish(SimConnection* conn, const Node& iq, const Node& reg) {
  auto& pending = conn->pending_code();
  auto bundle = ChildBytes(reg, "link_code_pairing_wrapped_key_bundle");
  auto identity = ChildBytes(reg, "companion_identity_public");
  auto ref = ChildBytes(reg, "link_code_pairing_ref");
  if (!pending || !pending->hello || !bundle || !identity || !ref || *ref != pending->ref) {
    conn->Send(ErrorFor(iq, 400, "bad-request"));
    return;
  }
  Account* account = accounts_.FindByPhone(pending->phone);
  auto ic = wa::crypto::PublicKey::FromRaw(*identity);
  auto account_key =
      account ? wa::crypto::KeyPair::FromPrivate(account->primary.account_key.private_key)
              : base::Result<wa::crypto::KeyPair>(base::NotFound("account"));
  if (account == nullptr || !ic.ok() || !account_key.ok() ||
      *identity != conn->registration()->identity_key) {
    conn->Send(ErrorFor(iq, 400, "bad-request"));
    return;
  }
  auto adv_secret =
      wa::pair::ProcessCompanionFinish({.primary_ephemeral = pending->hello->primary_ephemeral,
                                        .account = *account_key,
                                        .companion_ephemeral = pending->hello->companion_ephemeral,
                                        .wrapped_key_bundle = *bundle,
                                        .companion_identity = *ic});
  pending.reset();
  if (!adv_secret.ok()) {
    // Most likely a wrong code typed on the phone.
    spdlog::info("wasim conn={}: companion_finish: {}", conn->id(), adv_secret.status().message());
    conn->Send(ErrorFor(iq, 401, "hmac-mismatch"));
    return;
  }
  conn->Send(ResultFor(iq));
  auto device = SendPairSuccess(conn, *account, *ic, *adv_secret, "pairing-code");
  if (!device.ok()) {
    spdlog::error("wasim conn={}: pair-success: {}", conn->id(), device.status().message());
    conn->EndWith(StreamError(500));
  }
}

}  // namespace sim
