#include "wa/types/jid.h"

#include <algorithm>

namespace wa {
namespace {

// The largest device a server carries, or -1 when it takes none. AD_JID has a
// one-byte device; FB_JID and INTEROP_JID a u16be one [whatsapp-protocol.md §4.2].
int MaxDevice(std::string_view server) {
  if (server == kUserServer || server == kLidServer || server == kHostedServer ||
      server == kHostedLidServer) {
    return 255;
  }
  if (server == kMessengerServer || server == kInteropServer) return 65535;
  return -1;
}

// Agent bytes that name a server of their own; s.whatsapp.net cannot carry them.
bool IsServerAgent(uint8_t agent) {
  return agent == kLidAgent || agent == kHostedAgent || agent == kHostedLidAgent;
}

// Decimal digits only, value <= max.
bool ParseDecimal(std::string_view text, uint32_t max, uint32_t* out) {
  if (text.empty()) return false;
  uint32_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<uint32_t>(c - '0');
    if (value > max) return false;
  }
  *out = value;
  return true;
}

base::Status ParseError(std::string_view why, std::string_view text) {
  constexpr size_t kMaxQuoted = 64;
  std::string quoted(text.substr(0, kMaxQuoted));
  if (text.size() > kMaxQuoted) quoted += "...";
  return base::InvalidArgument("jid: " + std::string(why) + " in \"" + quoted + "\"");
}

// 1313555xxxx or 131655500xx [Baileys jid-utils isJidBot].
bool IsBotUser(std::string_view user) {
  auto digits = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (user.size() == 11 && user.substr(0, 7) == "1313555") return digits(user.substr(7));
  if (user.size() == 11 && user.substr(0, 9) == "131655500") return digits(user.substr(9));
  return false;
}

}  // namespace

uint8_t ImpliedAgent(std::string_view server) {
  if (server == kLidServer) return kLidAgent;
  if (server == kHostedServer) return kHostedAgent;
  if (server == kHostedLidServer) return kHostedLidAgent;
  return kWhatsAppAgent;
}

Jid::Jid(std::string user, std::string server)
    : user_(std::move(user)), server_(std::move(server)), agent_(ImpliedAgent(server_)) {}

Jid Jid::WithDevice(std::string user, std::string server, uint16_t device) {
  Jid jid(std::move(user), std::move(server));
  jid.device_ = device;
  jid.has_device_ = true;
  return jid;
}

Jid Jid::FromAd(uint8_t agent, uint8_t device, std::string user) {
  std::string_view server = kUserServer;
  if (agent == kLidAgent) {
    server = kLidServer;
  } else if (agent == kHostedAgent) {
    server = kHostedServer;
  } else if (agent == kHostedLidAgent) {
    server = kHostedLidServer;
  }
  Jid jid;
  jid.user_ = std::move(user);
  jid.server_ = server;
  jid.device_ = device;
  jid.agent_ = agent;
  jid.has_device_ = true;
  return jid;
}

Jid Jid::Interop(std::string user, uint16_t device, uint16_t integrator) {
  Jid jid = WithDevice(std::move(user), std::string(kInteropServer), device);
  jid.integrator_ = integrator;
  return jid;
}

bool Jid::IsValidUser(std::string_view user) {
  for (char c : user) {
    if (!IsUserChar(c)) return false;
  }
  return true;
}

bool Jid::IsValidServer(std::string_view server) {
  return !server.empty() && server.find('@') == std::string_view::npos;
}

bool Jid::IsValid() const {
  if (!IsValidServer(server_) || !IsValidUser(user_)) return false;
  if (agent_ != ImpliedAgent(server_)) {
    if (server_ != kUserServer || !has_device_ || IsServerAgent(agent_)) return false;
  }
  if (has_device_ && static_cast<int>(device_) > MaxDevice(server_)) return false;
  if (!has_device_ && device_ != 0) return false;
  if (integrator_ != 0 && (server_ != kInteropServer || !has_device_)) return false;
  return true;
}

base::Result<Jid> Jid::Parse(std::string_view text) {
  size_t at = text.find('@');
  if (at == std::string_view::npos) return ParseError("missing '@'", text);
  std::string_view server = text.substr(at + 1);
  if (server.empty()) return ParseError("empty server", text);
  if (server.find('@') != std::string_view::npos) return ParseError("more than one '@'", text);
  std::string_view left = text.substr(0, at);

  Jid jid;
  if (size_t colon = left.find(':'); colon != std::string_view::npos) {
    uint32_t device = 0;
    if (!ParseDecimal(left.substr(colon + 1), 65535, &device)) {
      return ParseError("bad device", text);
    }
    jid.device_ = static_cast<uint16_t>(device);
    jid.has_device_ = true;
    left = left.substr(0, colon);
  }
  bool agent_given = false;
  uint32_t agent = 0;
  if (size_t underscore = left.find('_'); underscore != std::string_view::npos) {
    if (!ParseDecimal(left.substr(underscore + 1), 255, &agent)) {
      return ParseError("bad agent", text);
    }
    agent_given = true;
    left = left.substr(0, underscore);
  }
  if (server == kInteropServer && jid.has_device_) {
    size_t dash = left.find('-');
    uint32_t integrator = 0;
    if (dash == std::string_view::npos || !ParseDecimal(left.substr(0, dash), 65535, &integrator)) {
      return ParseError("interop jid without integrator", text);
    }
    jid.integrator_ = static_cast<uint16_t>(integrator);
    left = left.substr(dash + 1);
  }

  uint8_t implied = ImpliedAgent(server);
  if (agent_given) {
    if (server == kUserServer) {
      if (IsServerAgent(static_cast<uint8_t>(agent))) {
        return ParseError("agent names another server", text);
      }
      if (!jid.has_device_ && agent != kWhatsAppAgent) {
        return ParseError("agent without device", text);
      }
    } else if (implied == kWhatsAppAgent || agent != implied) {
      return ParseError("agent does not match server", text);
    }
  } else {
    agent = implied;
  }
  if (jid.has_device_) {
    int max_device = MaxDevice(server);
    if (max_device < 0) return ParseError("server takes no device", text);
    if (jid.device_ > max_device) return ParseError("device out of range", text);
  }
  jid.user_ = std::string(left);
  jid.server_ = std::string(server);
  jid.agent_ = static_cast<uint8_t>(agent);
  return jid;
}

std::string Jid::ToString() const {
  if (IsEmpty()) return {};
  std::string out;
  out.reserve(user_.size() + server_.size() + 16);
  if (has_device_ && server_ == kInteropServer) {
    out += std::to_string(integrator_);
    out += '-';
  }
  out += user_;
  if (agent_ != ImpliedAgent(server_)) {
    out += '_';
    out += std::to_string(agent_);
  }
  if (has_device_) {
    out += ':';
    out += std::to_string(device_);
  }
  out += '@';
  out += server_;
  return out;
}

bool Jid::IsUser() const {
  return IsPnUser() || IsLid() || IsHostedPn() || IsHostedLid() || server_ == kLegacyUserServer;
}

bool Jid::IsBot() const {
  return server_ == kBotServer || (server_ == kLegacyUserServer && IsBotUser(user_));
}

Jid Jid::ToNonAd() const { return Jid(user_, server_); }

Jid Jid::NormalizedUser() const {
  return Jid(user_, server_ == kLegacyUserServer ? std::string(kUserServer) : server_);
}

Jid Jid::WithDeviceOf(uint16_t device) const {
  Jid jid = *this;
  jid.device_ = device;
  jid.has_device_ = true;
  return jid;
}

std::string Jid::SignalAddressName() const {
  if (agent_ == kWhatsAppAgent) return user_;
  return user_ + "_" + std::to_string(agent_);
}

std::string Jid::SignalAddress() const {
  return SignalAddressName() + "." + std::to_string(device_);
}

const Jid& ServerJid() {
  static const Jid kJid("", std::string(kUserServer));
  return kJid;
}

const Jid& GroupServerJid() {
  static const Jid kJid("", std::string(kGroupServer));
  return kJid;
}

const Jid& StatusBroadcastJid() {
  static const Jid kJid("status", std::string(kBroadcastServer));
  return kJid;
}

const Jid& PsaJid() {
  static const Jid kJid("0", std::string(kLegacyUserServer));
  return kJid;
}

const Jid& OfficialBusinessJid() {
  static const Jid kJid("16505361212", std::string(kLegacyUserServer));
  return kJid;
}

const Jid& MetaAiJid() {
  static const Jid kJid("13135550002", std::string(kLegacyUserServer));
  return kJid;
}

}  // namespace wa

size_t std::hash<wa::Jid>::operator()(const wa::Jid& jid) const noexcept {
  size_t h = std::hash<std::string>{}(jid.user());
  auto mix = [&h](size_t v) { h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2); };
  mix(std::hash<std::string>{}(jid.server()));
  mix((static_cast<size_t>(jid.device()) << 32) | (static_cast<size_t>(jid.integrator()) << 16) |
      (static_cast<size_t>(jid.agent()) << 1) | (jid.has_device() ? 1 : 0));
  return h;
}
