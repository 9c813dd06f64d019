#include "wa/signal/stores.h"

#include <signal/key_helper.h>
#include <signal/session_pre_key.h>
#include <signal/signal_protocol.h>

#include "wa/signal/errors.h"

namespace wa::signal {
namespace {

using internal::Buffer;
using internal::SignalPtr;
using internal::U8;

Stores* Self(void* user_data) { return static_cast<Stores*>(user_data); }

std::string AddressId(const signal_protocol_address* address) {
  return std::string(address->name, address->name_len) + "." +
         std::to_string(static_cast<uint32_t>(address->device_id));
}

std::string SenderKeyId(const signal_protocol_sender_key_name* name) {
  return std::string(name->group_id, name->group_id_len) +
         "::" + std::string(name->sender.name, name->sender.name_len) +
         "::" + std::to_string(static_cast<uint32_t>(name->sender.device_id));
}

std::string_view View(const uint8_t* data, size_t len) {
  return {reinterpret_cast<const char*>(data), len};
}

// Loads (type, id) into *record: 1 found, 0 absent, SG_ERR_UNKNOWN on a store
// failure (recorded for Stores::Error).
int Load(Stores* self, std::string_view type, const std::string& id, signal_buffer** record) {
  auto value = self->kv().GetOne(type, id);
  if (!value.ok()) {
    self->RecordStoreError(value.status().WithContext("load " + std::string(type) + " " + id));
    return SG_ERR_UNKNOWN;
  }
  if (!value->has_value()) return 0;
  signal_buffer* buffer = signal_buffer_create(U8(**value), (*value)->size());
  if (buffer == nullptr) return SG_ERR_NOMEM;
  *record = buffer;
  return 1;
}

int Store(Stores* self, std::string_view type, std::string id, const uint8_t* data, size_t len) {
  std::string what = "store " + std::string(type) + " " + id;
  base::Status status = self->kv().Put(type, std::move(id), std::string(View(data, len)));
  if (!status.ok()) {
    self->RecordStoreError(status.WithContext(what));
    return SG_ERR_UNKNOWN;
  }
  return 0;
}

// 1 present, 0 absent, negative on failure.
int Contains(Stores* self, std::string_view type, const std::string& id) {
  auto value = self->kv().GetOne(type, id);
  if (!value.ok()) {
    self->RecordStoreError(value.status().WithContext("find " + std::string(type) + " " + id));
    return SG_ERR_UNKNOWN;
  }
  return value->has_value() ? 1 : 0;
}

int Remove(Stores* self, std::string_view type, std::string id) {
  std::string what = "remove " + std::string(type) + " " + id;
  base::Status status = self->kv().Delete(type, std::move(id));
  if (!status.ok()) {
    self->RecordStoreError(status.WithContext(what));
    return SG_ERR_UNKNOWN;
  }
  return 0;
}

// --- session store ---

int LoadSession(signal_buffer** record, signal_buffer** user_record,
                const signal_protocol_address* address, void* user_data) {
  *user_record = nullptr;
  return Load(Self(user_data), kSessionType, AddressId(address), record);
}

int GetSubDeviceSessions(signal_int_list** sessions, const char*, size_t, void*) {
  *sessions = signal_int_list_alloc();
  return *sessions == nullptr ? SG_ERR_NOMEM : 0;
}

int StoreSession(const signal_protocol_address* address, uint8_t* record, size_t record_len,
                 uint8_t*, size_t, void* user_data) {
  return Store(Self(user_data), kSessionType, AddressId(address), record, record_len);
}

int ContainsSession(const signal_protocol_address* address, void* user_data) {
  return Contains(Self(user_data), kSessionType, AddressId(address));
}

int DeleteSessionCallback(const signal_protocol_address* address, void* user_data) {
  Stores* self = Self(user_data);
  int found = Contains(self, kSessionType, AddressId(address));
  if (found <= 0) return found;
  int rc = Remove(self, kSessionType, AddressId(address));
  return rc < 0 ? rc : 1;
}

int DeleteAllSessions(const char*, size_t, void*) { return 0; }

// --- pre-key stores (one-time and signed) ---

int LoadPreKey(signal_buffer** record, uint32_t id, void* user_data) {
  int rc = Load(Self(user_data), kPreKeyType, std::to_string(id), record);
  return rc == 0 ? SG_ERR_INVALID_KEY_ID : (rc < 0 ? rc : 0);
}
int StorePreKey(uint32_t id, uint8_t* record, size_t len, void* user_data) {
  return Store(Self(user_data), kPreKeyType, std::to_string(id), record, len);
}
int ContainsPreKey(uint32_t id, void* user_data) {
  return Contains(Self(user_data), kPreKeyType, std::to_string(id));
}
int RemovePreKey(uint32_t id, void* user_data) {
  return Remove(Self(user_data), kPreKeyType, std::to_string(id));
}

int LoadSignedPreKey(signal_buffer** record, uint32_t id, void* user_data) {
  int rc = Load(Self(user_data), kSignedPreKeyType, std::to_string(id), record);
  return rc == 0 ? SG_ERR_INVALID_KEY_ID : (rc < 0 ? rc : 0);
}
int StoreSignedPreKey(uint32_t id, uint8_t* record, size_t len, void* user_data) {
  return Store(Self(user_data), kSignedPreKeyType, std::to_string(id), record, len);
}
int ContainsSignedPreKey(uint32_t id, void* user_data) {
  return Contains(Self(user_data), kSignedPreKeyType, std::to_string(id));
}
int RemoveSignedPreKey(uint32_t id, void* user_data) {
  return Remove(Self(user_data), kSignedPreKeyType, std::to_string(id));
}

// --- identity store (TOFU) ---

int GetIdentityKeyPair(signal_buffer** public_data, signal_buffer** private_data, void* user_data) {
  const KeyPairBytes& identity = Self(user_data)->local().identity;
  std::string prefixed = "\x05" + identity.public_key;
  *public_data = signal_buffer_create(U8(prefixed), prefixed.size());
  *private_data = signal_buffer_create(U8(identity.private_key), identity.private_key.size());
  if (*public_data == nullptr || *private_data == nullptr) {
    signal_buffer_free(*public_data);
    signal_buffer_bzero_free(*private_data);
    *public_data = *private_data = nullptr;
    return SG_ERR_NOMEM;
  }
  return 0;
}

int GetLocalRegistrationId(void* user_data, uint32_t* registration_id) {
  *registration_id = Self(user_data)->local().registration_id;
  return 0;
}

int SaveIdentity(const signal_protocol_address* address, uint8_t* key_data, size_t key_len,
                 void* user_data) {
  if (key_data == nullptr) return Remove(Self(user_data), kIdentityKeyType, AddressId(address));
  return Store(Self(user_data), kIdentityKeyType, AddressId(address), key_data, key_len);
}

// Trust on first use, and always after: WhatsApp Web and Baileys'
// isTrustedIdentity return true [whatsapp-protocol.md §8.1].
int IsTrustedIdentity(const signal_protocol_address*, uint8_t*, size_t, void*) { return 1; }

// --- sender-key store ---

int StoreSenderKey(const signal_protocol_sender_key_name* name, uint8_t* record, size_t record_len,
                   uint8_t*, size_t, void* user_data) {
  return Store(Self(user_data), kSenderKeyType, SenderKeyId(name), record, record_len);
}

int LoadSenderKey(signal_buffer** record, signal_buffer** user_record,
                  const signal_protocol_sender_key_name* name, void* user_data) {
  *user_record = nullptr;
  return Load(Self(user_data), kSenderKeyType, SenderKeyId(name), record);
}

}  // namespace

base::Result<std::unique_ptr<Stores>> Stores::Create(Context& context, KeyValueStore& kv,
                                                     LocalIdentity local) {
  if (local.identity.public_key.size() != 32 || local.identity.private_key.size() != 32) {
    return base::InvalidArgument("signal stores: identity keys must be 32 bytes");
  }
  std::unique_ptr<Stores> stores(new Stores(context, kv, std::move(local)));
  WAGATE_RETURN_IF_ERROR(stores->Init());
  return stores;
}

base::Status Stores::Init() {
  int rc = signal_protocol_store_context_create(&store_, context_.get());
  if (rc < 0) return internal::SignalError(rc, "signal store context create");

  signal_protocol_session_store session{};
  session.load_session_func = LoadSession;
  session.get_sub_device_sessions_func = GetSubDeviceSessions;
  session.store_session_func = StoreSession;
  session.contains_session_func = ContainsSession;
  session.delete_session_func = DeleteSessionCallback;
  session.delete_all_sessions_func = DeleteAllSessions;
  session.user_data = this;

  signal_protocol_pre_key_store pre_key{};
  pre_key.load_pre_key = LoadPreKey;
  pre_key.store_pre_key = StorePreKey;
  pre_key.contains_pre_key = ContainsPreKey;
  pre_key.remove_pre_key = RemovePreKey;
  pre_key.user_data = this;

  signal_protocol_signed_pre_key_store signed_pre_key{};
  signed_pre_key.load_signed_pre_key = LoadSignedPreKey;
  signed_pre_key.store_signed_pre_key = StoreSignedPreKey;
  signed_pre_key.contains_signed_pre_key = ContainsSignedPreKey;
  signed_pre_key.remove_signed_pre_key = RemoveSignedPreKey;
  signed_pre_key.user_data = this;

  signal_protocol_identity_key_store identity{};
  identity.get_identity_key_pair = GetIdentityKeyPair;
  identity.get_local_registration_id = GetLocalRegistrationId;
  identity.save_identity = SaveIdentity;
  identity.is_trusted_identity = IsTrustedIdentity;
  identity.user_data = this;

  signal_protocol_sender_key_store sender_key{};
  sender_key.store_sender_key = StoreSenderKey;
  sender_key.load_sender_key = LoadSenderKey;
  sender_key.user_data = this;

  if ((rc = signal_protocol_store_context_set_session_store(store_, &session)) < 0 ||
      (rc = signal_protocol_store_context_set_pre_key_store(store_, &pre_key)) < 0 ||
      (rc = signal_protocol_store_context_set_signed_pre_key_store(store_, &signed_pre_key)) < 0 ||
      (rc = signal_protocol_store_context_set_identity_key_store(store_, &identity)) < 0 ||
      (rc = signal_protocol_store_context_set_sender_key_store(store_, &sender_key)) < 0) {
    return internal::SignalError(rc, "signal store context setup");
  }
  return base::Status::Ok();
}

Stores::~Stores() {
  if (store_ != nullptr) signal_protocol_store_context_destroy(store_);
}

base::Status Stores::Error(int rc, std::string_view what) {
  std::optional<base::Status> store_error = std::move(store_error_);
  store_error_.reset();
  if (store_error && rc == SG_ERR_UNKNOWN) return store_error->WithContext(what);
  return internal::SignalError(rc, what);
}

void Stores::RecordStoreError(base::Status status) { store_error_ = std::move(status); }

namespace {

// A libsignal key pair from our raw bytes.
base::Result<SignalPtr<ec_key_pair>> ToKeyPair(signal_context* context, const KeyPairBytes& pair,
                                               std::string_view what) {
  if (pair.public_key.size() != 32 || pair.private_key.size() != 32) {
    return base::InvalidArgument(std::string(what) + ": keys must be 32 bytes");
  }
  std::string prefixed = "\x05" + pair.public_key;
  ec_public_key* public_key = nullptr;
  int rc = curve_decode_point(&public_key, U8(prefixed), prefixed.size(), context);
  if (rc < 0) return internal::SignalError(rc, what);
  SignalPtr<ec_public_key> public_holder(public_key);
  ec_private_key* private_key = nullptr;
  rc = curve_decode_private_point(&private_key, U8(pair.private_key), pair.private_key.size(),
                                  context);
  if (rc < 0) return internal::SignalError(rc, what);
  SignalPtr<ec_private_key> private_holder(private_key);
  ec_key_pair* key_pair = nullptr;
  rc = ec_key_pair_create(&key_pair, public_key, private_key);
  if (rc < 0) return internal::SignalError(rc, what);
  return SignalPtr<ec_key_pair>(key_pair);
}

}  // namespace

base::Status Stores::PutPreKeys(const std::vector<PreKey>& keys) {
  auto lock = Begin();
  std::vector<KeyWrite> writes;
  writes.reserve(keys.size());
  for (const PreKey& key : keys) {
    std::string what = "pre-key " + std::to_string(key.id);
    WAGATE_ASSIGN_OR_RETURN(auto pair, ToKeyPair(context_.get(), key.key_pair, what));
    session_pre_key* record = nullptr;
    int rc = session_pre_key_create(&record, key.id, pair.get());
    if (rc < 0) return internal::SignalError(rc, what);
    SignalPtr<session_pre_key> record_holder(record);
    signal_buffer* bytes = nullptr;
    rc = session_pre_key_serialize(&bytes, record);
    if (rc < 0) return internal::SignalError(rc, what);
    Buffer bytes_holder(bytes);
    writes.push_back(
        KeyWrite{std::string(kPreKeyType), std::to_string(key.id), internal::BufferString(bytes)});
  }
  return kv_.Write(writes);
}

base::Status Stores::PutSignedPreKey(const SignedPreKey& key, uint64_t timestamp_ms) {
  auto lock = Begin();
  std::string what = "signed pre-key " + std::to_string(key.id);
  WAGATE_ASSIGN_OR_RETURN(auto pair, ToKeyPair(context_.get(), key.key_pair, what));
  session_signed_pre_key* record = nullptr;
  int rc = session_signed_pre_key_create(&record, key.id, timestamp_ms, pair.get(),
                                         U8(key.signature), key.signature.size());
  if (rc < 0) return internal::SignalError(rc, what);
  SignalPtr<session_signed_pre_key> record_holder(record);
  signal_buffer* bytes = nullptr;
  rc = session_signed_pre_key_serialize(&bytes, record);
  if (rc < 0) return internal::SignalError(rc, what);
  Buffer bytes_holder(bytes);
  return kv_.Put(kSignedPreKeyType, std::to_string(key.id), internal::BufferString(bytes));
}

base::Result<bool> Stores::HasSession(const Address& address) {
  auto lock = Begin();
  WAGATE_ASSIGN_OR_RETURN(auto record, kv_.GetOne(kSessionType, address.ToString()));
  return record.has_value();
}

base::Status Stores::DeleteSession(const Address& address) {
  auto lock = Begin();
  return kv_.Delete(kSessionType, address.ToString());
}

base::Result<std::optional<std::string>> Stores::IdentityKey(const Address& address) {
  auto lock = Begin();
  return kv_.GetOne(kIdentityKeyType, address.ToString());
}

}  // namespace wa::signal
