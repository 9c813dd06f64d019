#include "service/store_creds.h"

namespace service {

base::Result<store::SessionRecord> StoreCredsStore::Current() {
  auto stored = store_.GetSession(instance_);
  if (!stored.ok()) return stored.status().WithContext("read session");
  if (stored->has_value()) return **stored;
  store::SessionRecord fresh;
  fresh.instance = instance_;
  fresh.creds = "{}";
  fresh.status = "closed";
  return fresh;
}

base::Result<std::optional<wa::client::Creds>> StoreCredsStore::LoadCreds() {
  std::lock_guard lock(mu_);
  auto stored = store_.GetSession(instance_);
  if (!stored.ok()) return stored.status().WithContext("read session");
  if (!stored->has_value()) return std::optional<wa::client::Creds>();
  const std::string& text = (*stored)->creds;
  if (text.empty() || text == "{}") return std::optional<wa::client::Creds>();
  auto creds = wa::client::CredsFromJson(text);
  if (!creds.ok()) return creds.status().WithContext("stored creds of " + instance_);
  return std::optional<wa::client::Creds>(std::move(*creds));
}

base::Status StoreCredsStore::SaveCreds(const wa::client::Creds& creds) {
  std::lock_guard lock(mu_);
  auto record = Current();
  if (!record.ok()) return record.status();
  record->creds = wa::client::CredsToJson(creds);
  // `me` is what the API shows as the linked account: only once linked.
  record->me = creds.registered && creds.me ? wa::client::MeToJson(*creds.me) : "";
  record->updated_at_ms = clock_.NowMs();
  return store_.PutSession(*record).WithContext("save creds");
}

base::Status StoreCredsStore::DeleteCredsAndKeys() {
  std::lock_guard lock(mu_);
  // Keys first: if the process dies in between, the creds still say
  // "linked" and the next logout attempt deletes both again.
  if (base::Status s = store_.DeleteAllKeys(instance_); !s.ok()) {
    return s.WithContext("delete keys");
  }
  return store_.DeleteSession(instance_).WithContext("delete creds");
}

base::Status StoreCredsStore::SaveStatus(const std::string& status) {
  std::lock_guard lock(mu_);
  auto stored = store_.GetSession(instance_);
  if (!stored.ok()) return stored.status().WithContext("read session");
  // Nothing linked or linking: no record to annotate (and none to create,
  // so a logged-out instance keeps no session record at all).
  if (!stored->has_value()) return base::Status();
  store::SessionRecord* record = &**stored;
  if (record->status == status) return base::Status();
  record->status = status;
  record->updated_at_ms = clock_.NowMs();
  return store_.PutSession(*record).WithContext("save status");
}

}  // namespace service
