#include "store/memory/memory_store.h"

#include <algorithm>
#include <deque>
#include <functional>
#include <mutex>
#include <tuple>

namespace store::memory {
namespace {

using Key3 = std::tuple<std::string, std::string, std::string>;
using Key2 = std::pair<std::string, std::string>;

class MemoryStore final : public Store {
 public:
  std::string_view Backend() const override { return "memory"; }

  Status Ping() override {
    std::lock_guard lock(mu_);
    return Check();
  }

  void Close() override {
    std::lock_guard lock(mu_);
    closed_ = true;
  }

  Result<std::optional<SessionRecord>> GetSession(std::string_view instance) override {
    std::lock_guard lock(mu_);
    WAGATE_RETURN_IF_ERROR(Check());
    auto it = sessions_.find(std::string(instance));
    if (it == sessions_.end()) return std::optional<SessionRecord>();
    return std::optional<SessionRecord>(it->second);
  }

  Status PutSession(const SessionRecord& session) override {
    std::lock_guard lock(mu_);
    WAGATE_RETURN_IF_ERROR(Check());
    sessions_[session.instance] = session;
    return Status::Ok();
  }

  Status DeleteSession(std::string_view instance) override {
    std::lock_guard lock(mu_);
    WAGATE_RETURN_IF_ERROR(Check());
    sessions_.erase(std::string(instance));
    return Status::Ok();
  }

  Result<std::map<std::string, std::string>> GetKeys(std::string_view instance,
                                                     std::string_view type,
                                                     const std::vector<std::string>& ids) override {
    std::lock_guard lock(mu_);
    WAGATE_RETURN_IF_ERROR(Check());
    std::map<std::string, std::string> found;
    for (const auto& id : ids) {
      auto it = keys_.find({std::string(instance), std::string(type), id});
      if (it != keys_.end()) found[id] = it->second;
    }
    return found;
  }

  Result<std::map<std::string, std::string>> ListKeys(std::string_view instance,
                                                      std::string_view type, int limit) override {
    if (limit < 1) return base::InvalidArgument("list keys: limit must be >= 1");
    std::lock_guard lock(mu_);
    WAGATE_RETURN_IF_ERROR(Check());
    std::map<std::string, std::string> found;
    for (auto it = keys_.lower_bound({std::string(instance), std::string(type), ""});
         it != keys_.end() && std::get<0>(it->first) == instance &&
         std::get<1>(it->first) == type && static_cast<int>(found.size()) < limit;
         ++it) {
      found[std::get<2>(it->first)] = it->second;
    }
    return found;
  }

  Status WriteKeys(std::string_view instance, const std::vector<KeyWrite>& writes) override {
    std::lock_guard lock(mu_);
    WAGATE_RETURN_IF_ERROR(Check());
    for (const auto& w : writes) {
      Key3 k{std::string(instance), w.type, w.id};
      if (w.value) {
        keys_[k] = *w.value;
      } else {
        keys_.erase(k);
      }
    }
    return Status::Ok();
  }

  Status DeleteAllKeys(std::string_view instance) override {
    std::lock_guard lock(mu_);
    WAGATE_RETURN_IF_ERROR(Check());
    std::erase_if(keys_, [&](const auto& kv) { return std::get<0>(kv.first) == instance; });
    return Status::Ok();
  }

  Result<int64_t> CountKeys(std::string_view instance) override {
    std::lock_guard lock(mu_);
    WAGATE_RETURN_IF_ERROR(Check());
    return static_cast<int64_t>(std::count_if(keys_.begin(), keys_.end(), [&](const auto& kv) {
      return std::get<0>(kv.first) == instance;
    }));
  }

  Result<SaveResult> SaveMessage(std::string_view instance, const MessageRecord& message,
                                 const ChatHint& hint) override {
    std::lock_guard lock(mu_);
    WAGATE_RETURN_IF_ERROR(Check());
    SaveResult result;
    Key3 mk{std::string(instance), message.jid, message.id};
    auto it = messages_.find(mk);
    if (it == messages_.end()) {
      MessageRecord m = message;
      m.seq = ++next_seq_;
      it = messages_.emplace(mk, std::move(m)).first;
      result.inserted = true;
    } else if (ReplacesPlaceholder(it->second, message)) {
      it->second = FillPlaceholder(it->second, message);
      result.replaced = true;
    }
    result.message = it->second;

    Key2 ck{std::string(instance), message.jid};
    auto cit = chats_.find(ck);
    if (cit == chats_.end()) {
      ChatRecord c;
      c.jid = message.jid;
      c.name = hint.name;
      c.is_group = hint.is_group;
      cit = chats_.emplace(ck, std::move(c)).first;
    }
    ChatRecord& chat = cit->second;
    if (!hint.name.empty()) chat.name = hint.name;
    if (result.inserted) {
      if (!message.from_me) ++chat.unread_count;
      if (message.timestamp_ms >= chat.updated_at_ms) {
        chat.last_message = result.message;
        chat.updated_at_ms = message.timestamp_ms;
      }
    } else if (chat.last_message && chat.last_message->id == message.id) {
      chat.last_message = result.message;
    }
    result.chat = chat;
    return result;
  }

  Result<std::optional<MessageRecord>> GetMessage(std::string_view instance, std::string_view jid,
                                                  std::string_view id) override {
    std::lock_guard lock(mu_);
    WAGATE_RETURN_IF_ERROR(Check());
    auto it = messages_.find({std::string(instance), std::string(jid), std::string(id)});
    if (it == messages_.end()) return std::optional<MessageRecord>();
    return std::optional<MessageRecord>(it->second);
  }

  Result<Page> ListMessages(std::string_view instance, std::string_view jid, int limit,
                            std::optional<MessageCursor> before) override {
    std::lock_guard lock(mu_);
    WAGATE_RETURN_IF_ERROR(Check());
    if (limit <= 0) return base::InvalidArgument("list messages: limit must be positive");
    std::vector<const MessageRecord*> all;
    for (const auto& [k, m] : messages_) {
      if (std::get<0>(k) != instance || std::get<1>(k) != jid) continue;
      if (before && !(m.timestamp_ms < before->timestamp_ms ||
                      (m.timestamp_ms == before->timestamp_ms && m.seq < before->seq))) {
        continue;
      }
      all.push_back(&m);
    }
    std::sort(all.begin(), all.end(), [](const MessageRecord* a, const MessageRecord* b) {
      return std::tie(a->timestamp_ms, a->seq) > std::tie(b->timestamp_ms, b->seq);
    });
    Page page;
    for (size_t i = 0; i < all.size() && i < static_cast<size_t>(limit); ++i) {
      page.items.push_back(*all[i]);
    }
    if (all.size() > static_cast<size_t>(limit)) {
      page.next = MessageCursor{page.items.back().timestamp_ms, page.items.back().seq};
    }
    return page;
  }

  Result<bool> UpdateMessageStatus(std::string_view instance, std::string_view jid,
                                   std::string_view id, std::string_view status) override {
    std::lock_guard lock(mu_);
    WAGATE_RETURN_IF_ERROR(Check());
    if (!IsKnownStatus(status)) {
      return base::InvalidArgument("update status: unknown status '" + std::string(status) + "'");
    }
    auto it = messages_.find({std::string(instance), std::string(jid), std::string(id)});
    if (it == messages_.end()) return false;
    const auto& allowed = StatusesBefore(status);
    if (std::find(allowed.begin(), allowed.end(), it->second.status) == allowed.end()) {
      return false;
    }
    it->second.status = std::string(status);
    auto cit = chats_.find({std::string(instance), std::string(jid)});
    if (cit != chats_.end() && cit->second.last_message && cit->second.last_message->id == id) {
      cit->second.last_message = it->second;
    }
    return true;
  }

  Result<std::optional<ChatRecord>> GetChat(std::string_view instance,
                                            std::string_view jid) override {
    std::lock_guard lock(mu_);
    WAGATE_RETURN_IF_ERROR(Check());
    auto it = chats_.find({std::string(instance), std::string(jid)});
    if (it == chats_.end()) return std::optional<ChatRecord>();
    return std::optional<ChatRecord>(it->second);
  }

  Status PutChat(std::string_view instance, const ChatRecord& chat) override {
    std::lock_guard lock(mu_);
    WAGATE_RETURN_IF_ERROR(Check());
    chats_[{std::string(instance), chat.jid}] = chat;
    return Status::Ok();
  }

  Result<std::vector<ChatRecord>> ListChats(std::string_view instance, int limit,
                                            int offset) override {
    std::lock_guard lock(mu_);
    WAGATE_RETURN_IF_ERROR(Check());
    if (limit <= 0 || offset < 0) {
      return base::InvalidArgument("list chats: limit must be positive and offset >= 0");
    }
    std::vector<const ChatRecord*> all;
    for (const auto& [k, c] : chats_) {
      if (k.first == instance) all.push_back(&c);
    }
    std::sort(all.begin(), all.end(), [](const ChatRecord* a, const ChatRecord* b) {
      if (a->updated_at_ms != b->updated_at_ms) return a->updated_at_ms > b->updated_at_ms;
      return a->jid < b->jid;
    });
    std::vector<ChatRecord> out;
    for (size_t i = static_cast<size_t>(offset);
         i < all.size() && out.size() < static_cast<size_t>(limit); ++i) {
      out.push_back(*all[i]);
    }
    return out;
  }

  Result<bool> MarkChatRead(std::string_view instance, std::string_view jid) override {
    std::lock_guard lock(mu_);
    WAGATE_RETURN_IF_ERROR(Check());
    auto it = chats_.find({std::string(instance), std::string(jid)});
    if (it == chats_.end()) return false;
    it->second.unread_count = 0;
    return true;
  }

  Result<EventRecord> AppendEvent(std::string_view instance, std::string_view name,
                                  std::string_view payload, int64_t created_at_ms) override {
    std::lock_guard lock(mu_);
    WAGATE_RETURN_IF_ERROR(Check());
    EventLog& log = events_[std::string(instance)];
    EventRecord e{++log.last_seq, std::string(name), std::string(payload), created_at_ms};
    log.events.push_back(e);
    return e;
  }

  Result<std::vector<EventRecord>> ListEventsAfter(std::string_view instance, int64_t after_seq,
                                                   int limit) override {
    if (limit < 1) return base::InvalidArgument("list events: limit must be positive");
    std::lock_guard lock(mu_);
    WAGATE_RETURN_IF_ERROR(Check());
    std::vector<EventRecord> out;
    auto it = events_.find(std::string(instance));
    if (it == events_.end()) return out;
    const auto& events = it->second.events;
    auto from = std::upper_bound(events.begin(), events.end(), after_seq,
                                 [](int64_t seq, const EventRecord& e) { return seq < e.seq; });
    for (; from != events.end() && out.size() < static_cast<size_t>(limit); ++from) {
      out.push_back(*from);
    }
    return out;
  }

  Result<int64_t> PruneEvents(std::string_view instance, int64_t keep_last,
                              int64_t older_than_ms) override {
    std::lock_guard lock(mu_);
    WAGATE_RETURN_IF_ERROR(Check());
    auto it = events_.find(std::string(instance));
    if (it == events_.end()) return int64_t{0};
    auto& events = it->second.events;
    const size_t before = events.size();
    if (keep_last >= 0 && events.size() > static_cast<size_t>(keep_last)) {
      events.erase(events.begin(), events.end() - keep_last);
    }
    if (older_than_ms > 0) {
      std::erase_if(events, [&](const EventRecord& e) { return e.created_at_ms < older_than_ms; });
    }
    return static_cast<int64_t>(before - events.size());
  }

  Result<int64_t> LastEventSeq(std::string_view instance) override {
    std::lock_guard lock(mu_);
    WAGATE_RETURN_IF_ERROR(Check());
    auto it = events_.find(std::string(instance));
    return it == events_.end() ? int64_t{0} : it->second.last_seq;
  }

  Status InTransaction(const std::function<Status()>& body) override {
    // The lock is recursive: this thread's calls inside re-enter it, other
    // threads wait until the body ends. A failed body restores the copy
    // taken first (this backend serves tests: a copy is cheap enough).
    std::lock_guard lock(mu_);
    WAGATE_RETURN_IF_ERROR(Check());
    State before = state_;
    Status status = body();
    if (!status.ok()) state_ = std::move(before);
    return status;
  }

 private:
  struct EventLog {
    int64_t last_seq = 0;
    std::deque<EventRecord> events;  // ascending seq
  };

  Status Check() const {
    return closed_ ? base::Unavailable("memory store: closed") : Status::Ok();
  }

  // Recursive for InTransaction.
  std::recursive_mutex mu_;
  bool closed_ = false;
  struct State {
    int64_t next_seq = 0;
    std::map<std::string, SessionRecord> sessions;
    std::map<Key3, std::string> keys;
    std::map<Key3, MessageRecord> messages;
    std::map<Key2, ChatRecord> chats;
    std::map<std::string, EventLog> events;
  };
  State state_;
  // Short names for the fields of state_.
  int64_t& next_seq_ = state_.next_seq;
  std::map<std::string, SessionRecord>& sessions_ = state_.sessions;
  std::map<Key3, std::string>& keys_ = state_.keys;
  std::map<Key3, MessageRecord>& messages_ = state_.messages;
  std::map<Key2, ChatRecord>& chats_ = state_.chats;
  std::map<std::string, EventLog>& events_ = state_.events;
};

}  // namespace

std::unique_ptr<Store> Create() { return std::make_unique<MemoryStore>(); }

}  // namespace store::memory
