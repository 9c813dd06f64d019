// The simulated phones as messaging devices: receiving (decrypt with real
// Signal state, record, delivery receipt), the admin send (build, upload
// media, encrypt per device, deliver) and the first-login history sync
// [whatsapp-protocol.md §8.6, §8.9, §8.10, §9, §10, §12.1].
#include <spdlog/spdlog.h>
#include <zlib.h>

#include <cstdlib>

#include "sim/router.h"
#include "sim/simulator.h"
#include "wa/media/media_cipher.h"
#include "wa/media/media_keys.h"
#include "wa/proto/codec.h"
#include "wa/proto/wa_history_sync.pb.h"
#include "wa/proto/wa_message.pb.h"
#include "wa/signal/padding.h"

namespace sim {
namespace {

using wa::proto::Message;

constexpr size_t kPhonePreKeysLow = 20;

base::Result<std::string> Zlib(std::string_view data) {
  uLongf size = compressBound(static_cast<uLong>(data.size()));
  std::string out(size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                reinterpret_cast<const Bytef*>(data.data()), static_cast<uLong>(data.size()),
                6) != Z_OK) {
    return base::Internal("zlib compress failed");
  }
  out.resize(size);
  return out;
}

std::string NewMessageId(base::Random& random) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string id = "3EB0";
  for (unsigned char c : random.Bytes(9)) {
    id += kHex[c >> 4];
    id += kHex[c & 15];
  }
  return id;
}

// Fills `out` from the content of `m` (unwrapping the usual wrappers).
void Describe(const Message& m, ReceivedMessage& out, const BlobStore& blobs) {
  auto media = [&](std::string kind, const auto& x, wa::media::MediaType type) {
    out.kind = std::move(kind);
    out.mimetype = x.mimetype();
    if (x.has_media_key() && x.has_direct_path()) {
      const std::string* blob = blobs.Get(x.direct_path());
      auto keys = wa::media::MediaKeys::Derive(x.media_key(), type);
      if (blob == nullptr) {
        out.error = "media not on this host: " + x.direct_path();
      } else if (!keys.ok()) {
        out.error = keys.status().message();
      } else if (auto plain = wa::media::DecryptMedia(*keys, *blob); plain.ok()) {
        out.media = std::move(plain).value();
      } else {
        out.error = plain.status().message();
      }
    }
  };
  if (m.has_conversation()) {
    out.kind = "text";
    out.text = m.conversation();
  } else if (m.has_extended_text_message()) {
    out.kind = "text";
    out.text = m.extended_text_message().text();
  } else if (m.has_image_message()) {
    media("image", m.image_message(), wa::media::MediaType::kImage);
    out.text = m.image_message().caption();
    out.thumbnail = m.image_message().jpeg_thumbnail();
  } else if (m.has_video_message()) {
    media("video", m.video_message(), wa::media::MediaType::kVideo);
    out.text = m.video_message().caption();
    out.thumbnail = m.video_message().jpeg_thumbnail();
  } else if (m.has_audio_message()) {
    media("audio", m.audio_message(), wa::media::MediaType::kAudio);
  } else if (m.has_document_message()) {
    media("document", m.document_message(), wa::media::MediaType::kDocument);
    out.text = m.document_message().caption();
    out.file_name = m.document_message().file_name();
  } else if (m.has_document_with_caption_message()) {
    Describe(m.document_with_caption_message().message(), out, blobs);
  } else if (m.has_ephemeral_message()) {
    Describe(m.ephemeral_message().message(), out, blobs);
  } else if (m.has_sticker_message()) {
    media("sticker", m.sticker_message(), wa::media::MediaType::kSticker);
  } else if (m.has_reaction_message()) {
    out.kind = "reaction";
    out.text = m.reaction_message().text();
  }
}

}  // namespace

PhoneCrypto* Router::CryptoFor(Account& account) {
  auto it = crypto_.find(account.phone);
  if (it != crypto_.end()) return it->second.get();
  if (!signal_) {
    auto context = wa::signal::Context::Create(sim_.random());
    if (!context.ok()) {
      spdlog::error("wasim: signal context: {}", context.status().message());
      return nullptr;
    }
    signal_ = std::move(context).value();
  }
  std::vector<wa::signal::KeyWrite> saved;
  if (auto it2 = saved_crypto_.find(account.phone); it2 != saved_crypto_.end()) {
    saved = std::move(it2->second);
    saved_crypto_.erase(it2);
  }
  auto crypto = PhoneCrypto::Create(*signal_, account.primary, saved);
  if (!crypto.ok()) {
    spdlog::error("wasim: phone {} signal state: {}", account.phone, crypto.status().message());
    return nullptr;
  }
  return (crypto_[account.phone] = std::move(crypto).value()).get();
}

void Router::PrimePhones() {
  bool changed = false;
  for (const Account* listed : sim_.accounts().List()) {
    Account& a = *sim_.accounts().FindByPhone(listed->phone);
    PhoneCrypto* crypto = CryptoFor(a);
    // Baileys refreshes device-0 sessions on every usync with <lid> (§8.6),
    // one pre-key each time: a real phone uploads more when it runs low.
    if (crypto == nullptr || a.primary.prekeys.size() >= kPhonePreKeysLow) continue;
    if (a.primary.next_prekey_id + kPrimaryPreKeys >= wa::signal::kMaxPreKeyId) continue;
    auto more =
        wa::signal::GeneratePreKeys(a.primary.next_prekey_id, kPrimaryPreKeys, sim_.random());
    if (!more.ok() || !crypto->AddPreKeys(*more).ok()) continue;
    a.primary.next_prekey_id += kPrimaryPreKeys;
    a.primary.prekeys.insert(a.primary.prekeys.end(), more->begin(), more->end());
    changed = true;
  }
  if (changed) {
    sim_.SaveAccounts();
    Touch();
  }
}

void Router::RecordReceived(Account& account, ReceivedMessage message) {
  auto& log = received_[account.phone];
  log.push_back(std::move(message));
  while (log.size() > limits_.max_received) log.pop_front();
}

const std::deque<ReceivedMessage>& Router::Received(std::string_view phone) {
  return received_[std::string(phone)];
}
const std::deque<ReceivedReceipt>& Router::Receipts(std::string_view phone) {
  return receipts_[std::string(phone)];
}

void Router::PhoneReceipt(Account& account, const Node& receipt) {
  if (receipt.GetAttrText("type") == "retry") PhoneRetry(account, receipt);
  auto& log = receipts_[account.phone];
  for (const std::string& id : ReceiptIds(receipt)) {
    ReceivedReceipt r;
    r.id = id;
    if (auto from = receipt.GetAttrAsJid("from"); from.ok()) {
      if (Account* a = sim_.accounts().FindByJid(from->IsGroup() ? wa::Jid() : *from)) {
        r.from = a->PnJid().ToString();
      } else {
        r.from = from->ToString();
      }
    }
    if (auto p = receipt.GetAttrAsJid("participant"); p.ok()) {
      Account* a = sim_.accounts().FindByJid(*p);
      r.participant = a != nullptr ? a->PnJid().ToString() : p->ToString();
    }
    r.type = receipt.GetAttrText("type").value_or("");
    r.t = sim_.NowS();
    log.push_back(std::move(r));
  }
  while (log.size() > limits_.max_received) log.pop_front();
}

void Router::PhoneReceive(Account& account, const Node& stanza) {
  PhoneCrypto* crypto = CryptoFor(account);
  if (crypto == nullptr) return;
  auto from = stanza.GetAttrAsJid("from");
  if (!from.ok()) return;
  const bool group = from->IsGroup();
  auto sender_jid = group ? stanza.GetAttrAsJid("participant") : from;
  if (!sender_jid.ok()) return;
  Account* sender = sim_.accounts().FindByJid(*sender_jid);
  if (sender == nullptr) return;
  const uint16_t sender_device = sender_jid->has_device() ? sender_jid->device() : 0;
  const wa::signal::Address address = PhoneCrypto::AddressOf(*sender, sender_device);

  ReceivedMessage rec;
  rec.id = stanza.GetAttrText("id").value_or("");
  rec.from = sender->PnJid().ToString();
  rec.from_me = sender == &account;
  rec.t = sim_.NowS();
  if (group) {
    rec.chat = from->ToString();
    rec.participant = rec.from;
  } else {
    rec.chat = rec.from_me ? stanza.GetAttrText("recipient").value_or("") : rec.from;
  }
  std::optional<Message> content;
  for (const Node* enc : stanza.GetChildren("enc")) {
    const std::string type = enc->GetAttrText("type").value_or("");
    auto bytes = ContentBytes(*enc);
    if (!bytes) continue;
    base::Result<std::string> plain = type == "skmsg"
                                          ? crypto->GroupDecrypt(from->ToString(), address, *bytes)
                                          : crypto->Decrypt(address, type, *bytes);
    if (!plain.ok()) {
      rec.error = type + ": " + std::string(plain.status().message());
      spdlog::info("wasim: phone {} cannot decrypt {} from {}: {}", account.phone, rec.id,
                   address.ToString(), plain.status().message());
      continue;
    }
    auto m = wa::proto::Parse<Message>(*plain);
    if (!m.ok()) {
      rec.error = "bad Message protobuf";
      continue;
    }
    if (m->has_sender_key_distribution_message()) {
      const auto& skdm = m->sender_key_distribution_message();
      const std::string group_id = skdm.has_group_id() ? skdm.group_id() : from->ToString();
      if (auto s = crypto->ProcessDistribution(group_id, address,
                                               skdm.axolotl_sender_key_distribution_message());
          !s.ok()) {
        spdlog::info("wasim: phone {}: SKDM from {}: {}", account.phone, address.ToString(),
                     s.message());
      }
      m->clear_sender_key_distribution_message();
    }
    if (m->has_device_sent_message()) {
      rec.chat = m->device_sent_message().destination_jid();
      Message inner = m->device_sent_message().message();
      *m = std::move(inner);
    }
    if (!content || m->ByteSizeLong() > 0) {
      if (m->ByteSizeLong() > 0 || !content) content = std::move(m).value();
    }
  }
  if (content) Describe(*content, rec, sim_.blobs());
  const bool decrypted = rec.error.empty();
  if (!rec.kind.empty() || !decrypted) RecordReceived(account, rec);
  Touch();
  // Delivery receipt back to the sending device, like a real phone
  // [§8.11]; a retry receipt when a pairwise copy did not decrypt [§8.12].
  Node receipt("receipt");
  receipt.SetAttr("id", rec.id);
  if (decrypted && !rec.from_me) {
    RouteReceipt(account, 0, {rec.id}, "", std::to_string(sim_.NowS()), receipt);
  } else if (!decrypted && rec.error.rfind("skmsg", 0) != 0) {
    receipt.AddChild(Node("retry", {{"count", "1"},
                                    {"id", rec.id},
                                    {"t", stanza.GetAttrText("t").value_or("0")},
                                    {"v", "1"}}));
    receipt.AddChild(BytesNode("registration", BigEndian(account.primary.registration_id, 4)));
    RouteReceipt(account, 0, {rec.id}, "retry", std::to_string(sim_.NowS()), receipt);
  }
}

base::Result<std::string> Router::EncryptedStanzaFor(Account& from, Account& to, uint16_t device,
                                                     const std::string& plaintext, Node base,
                                                     std::string_view mediatype) {
  PhoneCrypto* crypto = CryptoFor(from);
  if (crypto == nullptr) return base::Internal("no signal state");
  bool consumed = false;
  auto enc = crypto->EncryptFor(to, device, plaintext, sim_.random(), &consumed);
  if (consumed) sim_.SaveAccounts();
  if (!enc.ok()) return enc.status();
  if (corrupt_ && enc->ciphertext.size() > 40) {
    // A byte of the MAC (msg) or of the base key (pkmsg): decryption fails.
    const size_t at =
        enc->type == wa::signal::MessageType::kWhisper ? enc->ciphertext.size() - 1 : 20;
    enc->ciphertext[at] = static_cast<char>(enc->ciphertext[at] ^ 0x5a);
  }
  Node e("enc", {{"v", "2"}, {"type", std::string(wa::signal::MessageTypeName(enc->type))}},
         wa::binary::Bytes(enc->ciphertext));
  if (!mediatype.empty()) e.SetAttr("mediatype", std::string(mediatype));
  // Pairwise copies go before an skmsg [§8.10].
  Node out(base.tag);
  out.attrs = base.attrs;
  out.AddChild(std::move(e));
  for (const Node& child : base.children()) out.AddChild(child);
  Deliver(wa::Jid::WithDevice(to.phone, std::string(wa::kUserServer), device), std::move(out));
  return std::string();
}

base::Result<std::string> Router::PhoneSend(std::string_view phone, const SendRequest& request) {
  Account* self = sim_.accounts().FindByPhone(phone);
  if (self == nullptr) return base::NotFound("account " + std::string(phone) + " not found");
  // Target: phone digits, a user JID or a group JID.
  const Group* group = nullptr;
  Account* peer = nullptr;
  if (IsValidPhone(request.to)) {
    peer = sim_.accounts().FindByPhone(request.to);
  } else if (auto jid = wa::Jid::Parse(request.to); jid.ok()) {
    if (jid->IsGroup()) {
      group = FindGroup(*jid);
    } else {
      peer = sim_.accounts().FindByJid(*jid);
    }
  }
  if (group == nullptr && peer == nullptr) {
    return base::NotFound("no account or group " + request.to);
  }
  if (peer == self) return base::InvalidArgument("a phone cannot send to itself");
  if (group != nullptr &&
      std::find(group->phones.begin(), group->phones.end(), self->phone) == group->phones.end()) {
    return base::FailedPrecondition("not a member of " + request.to);
  }

  // The Message [§9], media uploaded to our own host first [§10].
  Message m;
  std::string mediatype;
  if (request.media_type.empty()) {
    if (request.text.empty()) return base::InvalidArgument("text or mediaType is required");
    m.set_conversation(request.text);
  } else {
    WAGATE_ASSIGN_OR_RETURN(auto type, wa::media::ParseMediaType(request.media_type));
    if (type != wa::media::MediaType::kImage && type != wa::media::MediaType::kVideo &&
        type != wa::media::MediaType::kAudio && type != wa::media::MediaType::kDocument) {
      return base::InvalidArgument("mediaType must be image, video, audio or document");
    }
    const std::string media_key = wa::media::GenerateMediaKey(sim_.random());
    WAGATE_ASSIGN_OR_RETURN(auto keys, wa::media::MediaKeys::Derive(media_key, type));
    WAGATE_ASSIGN_OR_RETURN(auto encrypted, wa::media::EncryptMedia(keys, request.data));
    WAGATE_ASSIGN_OR_RETURN(std::string path,
                            sim_.blobs().Put(request.media_type, std::move(encrypted.data)));
    const std::string url = sim_.blobs().base_url() + path;
    const int64_t now = sim_.NowS();
    auto fill = [&](auto* x, std::string default_mime) {
      x->set_url(url);
      x->set_direct_path(path);
      x->set_media_key(media_key);
      x->set_file_sha256(encrypted.digest.file_sha256);
      x->set_file_enc_sha256(encrypted.digest.file_enc_sha256);
      x->set_file_length(encrypted.digest.file_length);
      x->set_media_key_timestamp(now);
      x->set_mimetype(request.mimetype.empty() ? default_mime : request.mimetype);
    };
    mediatype = request.media_type;
    if (type == wa::media::MediaType::kImage) {
      fill(m.mutable_image_message(), "image/jpeg");
      if (!request.caption.empty()) m.mutable_image_message()->set_caption(request.caption);
    } else if (type == wa::media::MediaType::kVideo) {
      fill(m.mutable_video_message(), "video/mp4");
      if (!request.caption.empty()) m.mutable_video_message()->set_caption(request.caption);
    } else if (type == wa::media::MediaType::kAudio) {
      fill(m.mutable_audio_message(), "audio/ogg; codecs=opus");
    } else {
      auto* d = m.mutable_document_message();
      fill(d, "application/octet-stream");
      d->set_file_name(request.file_name.empty() ? "file" : request.file_name);
      if (!request.caption.empty()) d->set_caption(request.caption);
    }
  }
  PhoneSent sent;
  sent.id = NewMessageId(sim_.random());
  sent.from_phone = self->phone;
  sent.stanza_type = mediatype.empty() ? "text" : "media";
  sent.mediatype = mediatype;
  WAGATE_ASSIGN_OR_RETURN(sent.plain, wa::proto::Serialize(m));
  if (group != nullptr) {
    sent.group = group->Jid().ToString();
  } else {
    sent.peer_phone = peer->phone;
  }
  Remember(sent.id, wa::Jid::WithDevice(self->phone, std::string(wa::kUserServer), 0),
           group != nullptr ? sent.group : peer->PnJid().ToString());
  // The other phones: simulated end to end, no crypto between two phones.
  auto record_at_phone = [&](Account& receiver, std::string chat) {
    ReceivedMessage rec;
    rec.id = sent.id;
    rec.from = self->PnJid().ToString();
    rec.chat = std::move(chat);
    if (group != nullptr) rec.participant = rec.from;
    rec.t = sim_.NowS();
    Describe(m, rec, sim_.blobs());
    RecordReceived(receiver, std::move(rec));
  };
  if (group == nullptr) {
    record_at_phone(*peer, self->PnJid().ToString());
  } else {
    for (const std::string& member : group->phones) {
      Account* a = sim_.accounts().FindByPhone(member);
      if (a != nullptr && a != self) record_at_phone(*a, sent.group);
    }
  }
  corrupt_ = request.corrupt;
  base::Status fanned = PhoneFanOut(*self, sent, std::nullopt);
  corrupt_ = false;
  WAGATE_RETURN_IF_ERROR(fanned);
  Touch();
  const std::string id = sent.id;
  sent_[id] = std::move(sent);
  sent_order_.push_back(id);
  while (sent_order_.size() > limits_.max_phone_sent) {
    sent_.erase(sent_order_.front());
    sent_order_.pop_front();
  }
  return id;
}

base::Status Router::PhoneFanOut(Account& self, const PhoneSent& sent,
                                 const std::optional<wa::Jid>& only) {
  auto wanted = [&](const Account& a, uint16_t device) {
    return !only || (only->user() == a.phone && only->device() == device);
  };
  auto warn = [&](const base::Result<std::string>& r, const Account& to, uint16_t device) {
    if (!r.ok()) {
      spdlog::warn("wasim: phone {} → {}:{}: {}", self.phone, to.phone, device,
                   r.status().message());
    }
  };
  auto devices_of = [](const Account& a) {
    std::vector<uint16_t> out;
    for (const auto& [d, _] : a.devices) out.push_back(d);
    return out;
  };
  const std::string now = std::to_string(sim_.NowS());
  if (sent.group.empty()) {
    Account* peer = sim_.accounts().FindByPhone(sent.peer_phone);
    if (peer == nullptr) return base::NotFound("peer is gone");
    Node base("message");
    base.SetAttr("from", self.LidJid());
    base.SetAttr("sender_pn", self.PnJid());
    base.SetAttr("addressing_mode", "lid");
    base.SetAttr("id", sent.id);
    base.SetAttr("t", now);
    base.SetAttr("type", sent.stanza_type);
    if (!self.name.empty()) base.SetAttr("notify", self.name);
    for (uint16_t d : devices_of(*peer)) {
      if (wanted(*peer, d)) {
        warn(EncryptedStanzaFor(self, *peer, d, sent.plain, base, sent.mediatype), *peer, d);
      }
    }
    // Own companions get it as sent by the account [§8.6].
    WAGATE_ASSIGN_OR_RETURN(Message inner, wa::proto::Parse<Message>(sent.plain));
    Message dsm;
    dsm.mutable_device_sent_message()->set_destination_jid(peer->PnJid().ToString());
    *dsm.mutable_device_sent_message()->mutable_message() = std::move(inner);
    WAGATE_ASSIGN_OR_RETURN(std::string dsm_plain, wa::proto::Serialize(dsm));
    Node own("message");
    own.SetAttr("from", self.PnJid());
    own.SetAttr("recipient", peer->PnJid());
    own.SetAttr("id", sent.id);
    own.SetAttr("t", now);
    own.SetAttr("type", sent.stanza_type);
    for (uint16_t d : devices_of(self)) {
      if (wanted(self, d)) {
        warn(EncryptedStanzaFor(self, self, d, dsm_plain, own, sent.mediatype), self, d);
      }
    }
    return base::Status::Ok();
  }

  // Group: our sender key, distributed pairwise with every message (simple
  // and always valid), then the shared skmsg [§8.10].
  auto group_jid = wa::Jid::Parse(sent.group);
  const Group* group = group_jid.ok() ? FindGroup(*group_jid) : nullptr;
  if (group == nullptr) return base::NotFound("group is gone");
  PhoneCrypto* crypto = CryptoFor(self);
  if (crypto == nullptr) return base::Internal("no signal state");
  const wa::signal::Address me = PhoneCrypto::AddressOf(self, 0);
  WAGATE_ASSIGN_OR_RETURN(std::string skdm, crypto->OwnDistribution(sent.group, me));
  WAGATE_ASSIGN_OR_RETURN(
      std::string skmsg,
      crypto->GroupEncrypt(sent.group, me, wa::signal::Pad(sent.plain, sim_.random())));
  Message dist;
  dist.mutable_sender_key_distribution_message()->set_group_id(sent.group);
  dist.mutable_sender_key_distribution_message()->set_axolotl_sender_key_distribution_message(skdm);
  WAGATE_ASSIGN_OR_RETURN(std::string dist_plain, wa::proto::Serialize(dist));
  Node base("message");
  base.SetAttr("from", group->Jid());
  base.SetAttr("participant", self.LidJid());
  base.SetAttr("participant_pn", self.PnJid());
  base.SetAttr("addressing_mode", "lid");
  base.SetAttr("id", sent.id);
  base.SetAttr("t", now);
  base.SetAttr("type", sent.stanza_type);
  if (!self.name.empty()) base.SetAttr("notify", self.name);
  Node sk("enc", {{"v", "2"}, {"type", "skmsg"}}, wa::binary::Bytes(skmsg));
  if (!sent.mediatype.empty()) sk.SetAttr("mediatype", sent.mediatype);
  base.AddChild(std::move(sk));
  for (const std::string& member_phone : group->phones) {
    Account* member = sim_.accounts().FindByPhone(member_phone);
    if (member == nullptr) continue;
    for (uint16_t d : devices_of(*member)) {
      if (wanted(*member, d)) {
        warn(EncryptedStanzaFor(self, *member, d, dist_plain, base, ""), *member, d);
      }
    }
  }
  return base::Status::Ok();
}

// A companion could not decrypt what the phone sent: start a new session
// from its bundle and send that device the message again [§8.12].
void Router::PhoneRetry(Account& self, const Node& receipt) {
  auto it = sent_.find(receipt.GetAttrText("id").value_or(""));
  if (it == sent_.end()) return;
  auto requester = receipt.GetAttrAsJid(it->second.group.empty() ? "from" : "participant");
  if (!requester.ok() || !requester->has_device() || requester->device() == 0) return;
  Account* account = sim_.accounts().FindByJid(*requester);
  if (account == nullptr || !account->devices.contains(requester->device())) return;
  // First retry: resend on the current session (the copy may just have been
  // a duplicate, e.g. redelivered after a lost receipt: "key used already").
  // From the second on the session is suspect: start a new one. Resetting on
  // every retry makes a redelivered burst cascade into Bad MACs.
  int count = 1;
  if (const Node* retry = receipt.GetChild("retry")) {
    count = std::atoi(retry->GetAttrText("count").value_or("1").c_str());
  }
  if (PhoneCrypto* crypto = CryptoFor(self); crypto != nullptr && count >= 2) {
    crypto->ResetSession(PhoneCrypto::AddressOf(*account, requester->device()));
  }
  const wa::Jid only =
      wa::Jid::WithDevice(account->phone, std::string(wa::kUserServer), requester->device());
  spdlog::info("wasim: phone {} resends {} to {}", self.phone, it->second.id, only.ToString());
  if (auto s = PhoneFanOut(self, it->second, only); !s.ok()) {
    spdlog::warn("wasim: retry of {}: {}", it->second.id, s.message());
  }
}

void Router::AfterBundleFetch(const Node& iq) {
  const Node* key = iq.GetChild("key");
  if (key == nullptr) return;
  for (const Node* user : key->GetChildren("user")) {
    auto jid = user->GetAttrAsJid("jid");
    if (!jid.ok() || !jid->has_device() || jid->device() == 0) continue;
    Account* a = sim_.accounts().FindByJid(*jid);
    if (a == nullptr) continue;
    auto d = a->devices.find(jid->device());
    if (d == a->devices.end() || d->second.prekeys.size() >= 5) continue;
    const wa::Jid device = wa::Jid::WithDevice(a->phone, std::string(wa::kUserServer), d->first);
    if (low_notified_[device.ToString()]) continue;
    low_notified_[device.ToString()] = true;
    Node n("notification");
    n.SetAttr("from", ServerJid());
    n.SetAttr("type", "encrypt");
    n.SetAttr("id", sim_.NextId());
    n.SetAttr("t", std::to_string(sim_.NowS()));
    n.AddChild(Node("count", {{"value", std::to_string(d->second.prekeys.size())}}));
    Deliver(device, std::move(n));
  }
}

void Router::OnPreKeysUploaded(const wa::Jid& device) {
  low_notified_.erase(device.ToString());
  if (history_sent_[device.ToString()]) return;
  history_sent_[device.ToString()] = true;
  Touch();
  if (Account* account = sim_.accounts().FindByPhone(device.user())) {
    SendHistorySync(*account, device.device());
  }
}

// One inline INITIAL_BOOTSTRAP chunk from the phone [§12.1]: no chats, the
// PN↔LID mappings of every account, so Baileys stops waiting 20 s.
void Router::SendHistorySync(Account& account, uint16_t device) {
  wa::proto::HistorySync history;
  history.set_sync_type(wa::proto::HistorySync::INITIAL_BOOTSTRAP);
  history.set_chunk_order(1);
  history.set_progress(100);
  for (const Account* a : sim_.accounts().List()) {
    auto* mapping = history.add_phone_number_to_lid_mappings();
    mapping->set_pn_jid(a->PnJid().ToString());
    mapping->set_lid_jid(a->LidJid().ToString());
    if (!a->name.empty() && a != &account) {
      auto* push = history.add_pushnames();
      push->set_id(a->PnJid().ToString());
      push->set_pushname(a->name);
    }
  }
  auto bytes = wa::proto::Serialize(history);
  auto deflated = bytes.ok() ? Zlib(*bytes) : base::Result<std::string>(bytes.status());
  if (!deflated.ok()) {
    spdlog::error("wasim: history sync: {}", deflated.status().message());
    return;
  }
  Message m;
  auto* pm = m.mutable_protocol_message();
  pm->set_type(Message::ProtocolMessage::HISTORY_SYNC_NOTIFICATION);
  auto* n = pm->mutable_history_sync_notification();
  n->set_sync_type(Message::INITIAL_BOOTSTRAP);
  n->set_chunk_order(1);
  n->set_progress(100);
  n->set_initial_hist_bootstrap_inline_payload(*deflated);
  auto plain = wa::proto::Serialize(m);
  if (!plain.ok()) return;
  Node base("message");
  base.SetAttr("from", account.PnJid());
  base.SetAttr("id", NewMessageId(sim_.random()));
  base.SetAttr("t", std::to_string(sim_.NowS()));
  base.SetAttr("type", "text");
  base.SetAttr("category", "peer");
  base.SetAttr("push_priority", "high_force");
  if (auto r = EncryptedStanzaFor(account, account, device, *plain, base, ""); !r.ok()) {
    spdlog::warn("wasim: history sync for {}:{}: {}", account.phone, device, r.status().message());
  }
}

}  // namespace sim
