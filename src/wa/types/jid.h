// wa::Jid — a WhatsApp address ("JID"): user, agent (domain byte), device and
// server, with the text grammar of Baileys 7.
//
// Text form [whatsapp-protocol.md §4.6]: `user[_agent][:device]@server`, and for
// interop JIDs `integrator-user:device@interop`. The agent is printed only when
// it is not the one the server implies (s.whatsapp.net 0, lid 1, hosted 128,
// hosted.lid 129) — Baileys never prints it. The device is printed whenever the
// JID is device-addressed (has_device()), including `:0`: Baileys encodes
// `x:0@s.whatsapp.net` as AD_JID but `x@s.whatsapp.net` as JID_PAIR, so the `:0`
// is what keeps the two apart [§4.5].
//
// Invariants (kept by every constructor and by Parse):
//   * server is non-empty and has no '@'; user has no '@', ':' or '_'.
//   * agent == ImpliedAgent(server), except for s.whatsapp.net device JIDs decoded
//     from an AD_JID with an unknown domain byte (Baileys maps those to
//     s.whatsapp.net and forgets the byte; we keep it, as whatsmeow's RawAgent).
//   * a device is allowed on s.whatsapp.net, lid, hosted, hosted.lid (0..255,
//     AD_JID), msgr (0..65535, FB_JID) and interop (0..65535, INTEROP_JID).
// A default-constructed Jid is empty (IsEmpty()) and is not a valid address.
//
// Thread safety: a value type; const methods are safe to call concurrently.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace wa {

// Servers [whatsapp-protocol.md §4.6].
inline constexpr std::string_view kUserServer = "s.whatsapp.net";  // phone-number users
inline constexpr std::string_view kLegacyUserServer = "c.us";      // normalised to kUserServer
inline constexpr std::string_view kLidServer = "lid";              // hidden user ids
inline constexpr std::string_view kGroupServer = "g.us";
inline constexpr std::string_view kBroadcastServer = "broadcast";
inline constexpr std::string_view kNewsletterServer = "newsletter";
inline constexpr std::string_view kHostedServer = "hosted";
inline constexpr std::string_view kHostedLidServer = "hosted.lid";
inline constexpr std::string_view kBotServer = "bot";
inline constexpr std::string_view kMessengerServer = "msgr";
inline constexpr std::string_view kInteropServer = "interop";
inline constexpr std::string_view kCallServer = "call";

// Agent / domain bytes of AD_JID [§4.5; Baileys WAJIDDomains].
inline constexpr uint8_t kWhatsAppAgent = 0;
inline constexpr uint8_t kLidAgent = 1;
inline constexpr uint8_t kHostedAgent = 128;
inline constexpr uint8_t kHostedLidAgent = 129;

// Device 99 is reserved for hosted (Cloud API) devices [§4.6].
inline constexpr uint16_t kHostedDevice = 99;

// The agent byte a server implies: lid 1, hosted 128, hosted.lid 129, else 0.
uint8_t ImpliedAgent(std::string_view server);

class Jid {
 public:
  // The empty JID (no server). Not a valid address; IsEmpty() is true.
  Jid() = default;

  // user@server without device (JID_PAIR on the wire). The agent is implied by
  // the server. REQUIRES: server non-empty without '@'; user without '@' ':' '_'.
  Jid(std::string user, std::string server);

  // user:device@server (AD_JID, FB_JID or INTEROP_JID on the wire).
  // REQUIRES: as above, and the server allows a device of that size (see top).
  static Jid WithDevice(std::string user, std::string server, uint16_t device);

  // The JID an AD_JID names: the server follows from `agent` (unknown agents
  // give s.whatsapp.net and are kept as the raw agent). REQUIRES: user valid.
  static Jid FromAd(uint8_t agent, uint8_t device, std::string user);

  // integrator-user:device@interop (INTEROP_JID). REQUIRES: user valid.
  static Jid Interop(std::string user, uint16_t device, uint16_t integrator);

  // Every field at once, for the binary decoder, which builds JIDs in place
  // without temporaries. REQUIRES: the parts keep the invariants at the top
  // (agent included: use ImpliedAgent(server) unless it is a raw AD_JID agent).
  struct Parts {
    std::string_view user;
    std::string_view server;
    uint16_t device = 0;
    uint16_t integrator = 0;
    uint8_t agent = 0;
    bool has_device = false;
  };
  explicit Jid(const Parts& parts)
      : user_(parts.user),
        server_(parts.server),
        device_(parts.device),
        integrator_(parts.integrator),
        agent_(parts.agent),
        has_device_(parts.has_device) {}

  // Parses the text form. Strict: a malformed agent or device, a device on a
  // server that cannot carry one, or an agent that contradicts the server is an
  // InvalidArgument ("jid: ..."). `c.us` is accepted as is; see NormalizedUser().
  static base::Result<Jid> Parse(std::string_view text);

  // True when `c` may appear in a user part (everything but '@', ':', '_').
  static bool IsUserChar(char c) { return c != '@' && c != ':' && c != '_'; }
  static bool IsValidUser(std::string_view user);
  static bool IsValidServer(std::string_view server);

  // True when the invariants at the top hold (always, for JIDs made by Parse,
  // FromAd and Interop; a caller breaking a REQUIRES of the constructors gets false).
  bool IsValid() const;

  const std::string& user() const { return user_; }
  const std::string& server() const { return server_; }
  uint8_t agent() const { return agent_; }
  uint16_t device() const { return device_; }
  uint16_t integrator() const { return integrator_; }
  // True for device-addressed JIDs (`:device` in text, AD/FB/INTEROP on the wire).
  bool has_device() const { return has_device_; }

  // The text form (see top). Empty string for the empty JID.
  std::string ToString() const;

  bool IsEmpty() const { return server_.empty(); }
  bool IsPnUser() const { return server_ == kUserServer; }
  bool IsLid() const { return server_ == kLidServer; }
  bool IsHostedPn() const { return server_ == kHostedServer; }
  bool IsHostedLid() const { return server_ == kHostedLidServer; }
  // A person: phone-number, LID or hosted user (any device), or a legacy c.us user.
  bool IsUser() const;
  bool IsGroup() const { return server_ == kGroupServer; }
  bool IsBroadcast() const { return server_ == kBroadcastServer; }
  bool IsStatusBroadcast() const { return IsBroadcast() && user_ == "status"; }
  bool IsNewsletter() const { return server_ == kNewsletterServer; }
  bool IsBot() const;
  // The WhatsApp server itself: `@s.whatsapp.net` (empty user, no device).
  bool IsServer() const { return user_.empty() && !has_device_ && IsPnUser(); }

  // The same user without device and agent: `user@server` [Baileys jidNormalizedUser
  // minus the c.us rewrite].
  Jid ToNonAd() const;
  // ToNonAd() plus `c.us` → `s.whatsapp.net` [Baileys jidNormalizedUser].
  Jid NormalizedUser() const;
  // The same user on another device (`:device`); REQUIRES: the server allows it.
  Jid WithDeviceOf(uint16_t device) const;
  bool IsSameUser(const Jid& other) const { return user_ == other.user_; }

  // Signal protocol address [§8.3]: name = user for domain 0, `user_<agent>`
  // otherwise (lid `_1`, hosted `_128`, hosted.lid `_129`); device = device
  // (0 when absent); string form `name.device`.
  std::string SignalAddressName() const;
  uint32_t SignalDeviceId() const { return device_; }
  std::string SignalAddress() const;

  friend bool operator==(const Jid&, const Jid&) = default;
  friend auto operator<=>(const Jid&, const Jid&) = default;

 private:
  std::string user_;
  std::string server_;
  uint16_t device_ = 0;
  uint16_t integrator_ = 0;
  uint8_t agent_ = 0;
  bool has_device_ = false;
};

// Well-known JIDs [§4.5, §4.6; Baileys jid-utils].
const Jid& ServerJid();            // @s.whatsapp.net
const Jid& GroupServerJid();       // @g.us
const Jid& StatusBroadcastJid();   // status@broadcast
const Jid& PsaJid();               // 0@c.us
const Jid& OfficialBusinessJid();  // 16505361212@c.us
const Jid& MetaAiJid();            // 13135550002@c.us

}  // namespace wa

template <>
struct std::hash<wa::Jid> {
  size_t operator()(const wa::Jid& jid) const noexcept;
};
