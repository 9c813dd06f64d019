#include "sim/simulator.h"

#include <spdlog/spdlog.h>

namespace sim {

Node StreamError(int code) { return Node("stream:error", {{"code", std::to_string(code)}}); }

Node StreamErrorConflict(std::string_view type, int code) {
  Node error("stream:error");
  if (code != 0) error.SetAttr("code", std::to_string(code));
  error.AddChild(Node("conflict", {{"type", std::string(type)}}));
  return error;
}

Simulator::Simulator(AccountStore& accounts, ServerIdentity identity, base::Random& random,
                     const base::Clock& clock, SimLimits limits)
    : accounts_(accounts),
      identity_(std::move(identity)),
      random_(random),
      clock_(clock),
      limits_(limits),
      blobs_(random),
      router_(std::make_unique<Router>(
          *this, RouterLimits{.max_pending_per_device = limits.max_offline_per_device})) {}

std::string Simulator::NextId() { return "srv-" + std::to_string(next_id_++); }

void Simulator::SaveAccounts() {
  if (auto s = accounts_.Save(); !s.ok()) spdlog::error("wasim: {}", s.message());
}

void Simulator::Attach(SimConnection* conn) { connections_[conn->id()] = conn; }

void Simulator::Detach(SimConnection* conn) {
  connections_.erase(conn->id());
  std::erase_if(devices_, [conn](const auto& entry) { return entry.second == conn->id(); });
}

void Simulator::OnLoggedIn(SimConnection* conn, const wa::Jid& device) {
  const std::string key = device.ToString();
  if (auto it = devices_.find(key); it != devices_.end() && it->second != conn->id()) {
    if (auto old = connections_.find(it->second); old != connections_.end()) {
      spdlog::info("wasim: {} logged in again: replacing conn={}", key, it->second);
      old->second->EndWith(StreamErrorConflict("replaced", 0));
    }
  }
  devices_[key] = conn->id();
}

SimConnection* Simulator::FindDevice(const wa::Jid& device) {
  auto it = devices_.find(device.ToString());
  if (it == devices_.end()) return nullptr;
  auto conn = connections_.find(it->second);
  return conn == connections_.end() ? nullptr : conn->second;
}

Device* Simulator::FindDeviceRecord(const wa::Jid& device) {
  Account* account = accounts_.FindByPhone(device.user());
  if (account == nullptr || !device.IsPnUser()) return nullptr;
  auto it = account->devices.find(device.device());
  return it == account->devices.end() ? nullptr : &it->second;
}

base::Status Simulator::RemoveDevice(std::string_view phone, uint16_t device) {
  Account* account = accounts_.FindByPhone(phone);
  if (account == nullptr) return base::NotFound("account " + std::string(phone) + " not found");
  if (account->devices.erase(device) == 0) {
    return base::NotFound("device " + std::to_string(device) + " of " + std::string(phone) +
                          " not found");
  }
  SaveAccounts();
  router_->ForgetDevice(
      wa::Jid::WithDevice(std::string(phone), std::string(wa::kUserServer), device));
  if (SimConnection* conn = FindDevice(
          wa::Jid::WithDevice(std::string(phone), std::string(wa::kUserServer), device))) {
    conn->EndWith(StreamErrorConflict("device_removed", 401));
  }
  spdlog::info("wasim: removed device {}:{}", phone, device);
  return base::Status::Ok();
}

void Simulator::DropAll() {
  for (auto& [id, conn] : connections_) conn->Abort("fault: drop");
}

void Simulator::StreamErrorAll(int code) {
  for (auto& [id, conn] : connections_) {
    if (conn->phase() == SimConnection::Phase::kHandshake) {
      conn->Abort("fault: stream-error during handshake");
    } else {
      conn->EndWith(StreamError(code));
    }
  }
}

}  // namespace sim
