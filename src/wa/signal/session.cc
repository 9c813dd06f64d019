#include "wa/signal/session.h"

#include <signal/protocol.h>
#include <signal/session_builder.h>
#include <signal/session_cipher.h>
#include <signal/session_pre_key.h>
#include <signal/session_record.h>
#include <signal/session_state.h>
#include <signal/signal_protocol.h>

#include "wa/signal/errors.h"

namespace wa::signal {
namespace {

using internal::Buffer;
using internal::SignalPtr;
using internal::U8;

signal_protocol_address ToSignal(const Address& address) {
  return signal_protocol_address{address.name.data(), address.name.size(),
                                 static_cast<int32_t>(address.device)};
}

// Curve key from 32 raw or 33 prefixed bytes.
base::Result<SignalPtr<ec_public_key>> DecodeKey(signal_context* context, std::string_view bytes,
                                                 std::string_view what) {
  std::string prefixed;
  if (bytes.size() == 32) {
    prefixed = "\x05" + std::string(bytes);
  } else if (bytes.size() == 33 && bytes[0] == 0x05) {
    prefixed = std::string(bytes);
  } else {
    return base::InvalidArgument(std::string(what) + ": want a 32- or 33-byte key, got " +
                                 std::to_string(bytes.size()) + " bytes");
  }
  ec_public_key* key = nullptr;
  int rc = curve_decode_point(&key, U8(prefixed), prefixed.size(), context);
  if (rc < 0) return internal::SignalError(rc, what);
  return SignalPtr<ec_public_key>(key);
}

struct CipherFree {
  void operator()(session_cipher* c) const { session_cipher_free(c); }
};
using Cipher = std::unique_ptr<session_cipher, CipherFree>;

struct BuilderFree {
  void operator()(session_builder* b) const { session_builder_free(b); }
};

base::Result<Cipher> NewCipher(Stores& stores, const signal_protocol_address* address,
                               const std::string& what) {
  session_cipher* cipher = nullptr;
  int rc = session_cipher_create(&cipher, stores.get(), address, stores.context().get());
  if (rc < 0) return stores.Error(rc, what);
  return Cipher(cipher);
}

// The open session record of `address`, or kNotFound when there is none able
// to send (libsignal would otherwise dereference a missing chain).
base::Status RequireSession(Stores& stores, const signal_protocol_address* address,
                            const std::string& what) {
  session_record* record = nullptr;
  int rc = signal_protocol_session_load_session(stores.get(), &record, address);
  if (rc < 0) return stores.Error(rc, what);
  SignalPtr<session_record> holder(record);
  session_state* state = session_record_get_state(record);
  if (state == nullptr || !session_state_has_sender_chain(state)) {
    return base::NotFound(what + ": no session");
  }
  return base::Status::Ok();
}

}  // namespace

std::string_view MessageTypeName(MessageType type) {
  switch (type) {
    case MessageType::kPreKey:
      return "pkmsg";
    case MessageType::kWhisper:
      return "msg";
    case MessageType::kSenderKey:
      return "skmsg";
  }
  return "?";
}

base::Result<MessageType> ParseMessageType(std::string_view name) {
  if (name == "pkmsg") return MessageType::kPreKey;
  if (name == "msg") return MessageType::kWhisper;
  if (name == "skmsg") return MessageType::kSenderKey;
  return base::InvalidArgument("unknown enc type '" + std::string(name) + "'");
}

base::Status ProcessPreKeyBundle(Stores& stores, const Address& address,
                                 const PreKeyBundle& bundle) {
  auto lock = stores.Begin();
  std::string what = "process bundle " + address.ToString();
  signal_context* context = stores.context().get();
  if (bundle.signed_pre_key_signature.size() != 64) {
    return base::InvalidArgument(what + ": signed pre-key signature must be 64 bytes");
  }
  WAGATE_ASSIGN_OR_RETURN(auto identity,
                          DecodeKey(context, bundle.identity_key, what + ": identity"));
  WAGATE_ASSIGN_OR_RETURN(auto signed_pre_key, DecodeKey(context, bundle.signed_pre_key_public,
                                                         what + ": signed pre-key"));
  SignalPtr<ec_public_key> pre_key;
  if (bundle.pre_key_id) {
    WAGATE_ASSIGN_OR_RETURN(pre_key, DecodeKey(context, bundle.pre_key_public, what + ": pre-key"));
  }
  session_pre_key_bundle* raw_bundle = nullptr;
  int rc = session_pre_key_bundle_create(
      &raw_bundle, bundle.registration_id, static_cast<int>(bundle.device_id),
      bundle.pre_key_id.value_or(0), pre_key.get(), bundle.signed_pre_key_id, signed_pre_key.get(),
      U8(bundle.signed_pre_key_signature), bundle.signed_pre_key_signature.size(), identity.get());
  if (rc < 0) return internal::SignalError(rc, what);
  SignalPtr<session_pre_key_bundle> bundle_holder(raw_bundle);

  signal_protocol_address signal_address = ToSignal(address);
  session_builder* raw_builder = nullptr;
  rc = session_builder_create(&raw_builder, stores.get(), &signal_address, context);
  if (rc < 0) return stores.Error(rc, what);
  std::unique_ptr<session_builder, BuilderFree> builder(raw_builder);
  rc = session_builder_process_pre_key_bundle(builder.get(), raw_bundle);
  if (rc < 0) return stores.Error(rc, what);
  return base::Status::Ok();
}

base::Result<EncryptedMessage> Encrypt(Stores& stores, const Address& address,
                                       std::string_view plaintext) {
  auto lock = stores.Begin();
  std::string what = "encrypt to " + address.ToString();
  signal_protocol_address signal_address = ToSignal(address);
  WAGATE_RETURN_IF_ERROR(RequireSession(stores, &signal_address, what));
  WAGATE_ASSIGN_OR_RETURN(Cipher cipher, NewCipher(stores, &signal_address, what));
  ciphertext_message* message = nullptr;
  int rc = session_cipher_encrypt(cipher.get(), U8(plaintext), plaintext.size(), &message);
  if (rc < 0) return stores.Error(rc, what);
  SignalPtr<ciphertext_message> holder(message);
  EncryptedMessage out;
  int type = ciphertext_message_get_type(message);
  if (type == CIPHERTEXT_PREKEY_TYPE) {
    out.type = MessageType::kPreKey;
  } else if (type == CIPHERTEXT_SIGNAL_TYPE) {
    out.type = MessageType::kWhisper;
  } else {
    return base::Internal(what + ": unexpected ciphertext type " + std::to_string(type));
  }
  out.ciphertext = internal::BufferString(ciphertext_message_get_serialized(message));
  return out;
}

namespace {

// Baileys' TOFU step before a pkmsg: a new identity for the address replaces
// the stored one and drops the session [B: src/Signal/libsignal.ts saveIdentity].
base::Status ReplaceChangedIdentity(Stores& stores, const Address& address,
                                    pre_key_signal_message* message, const std::string& what) {
  signal_buffer* raw = nullptr;
  int rc = ec_public_key_serialize(&raw, pre_key_signal_message_get_identity_key(message));
  if (rc < 0) return internal::SignalError(rc, what);
  Buffer identity_holder(raw);
  std::string identity = internal::BufferString(raw);
  std::string id = address.ToString();
  WAGATE_ASSIGN_OR_RETURN(auto stored, stores.kv().GetOne(kIdentityKeyType, id));
  if (stored && *stored == identity) return base::Status::Ok();
  std::vector<KeyWrite> writes;
  if (stored) writes.push_back(KeyWrite{std::string(kSessionType), id, std::nullopt});
  writes.push_back(KeyWrite{std::string(kIdentityKeyType), id, identity});
  return stores.kv().Write(writes).WithContext(what);
}

}  // namespace

base::Result<std::string> Decrypt(Stores& stores, const Address& address, MessageType type,
                                  std::string_view ciphertext) {
  auto lock = stores.Begin();
  std::string what =
      "decrypt " + std::string(MessageTypeName(type)) + " from " + address.ToString();
  signal_context* context = stores.context().get();
  signal_protocol_address signal_address = ToSignal(address);
  signal_buffer* plaintext = nullptr;
  int rc = 0;
  if (type == MessageType::kPreKey) {
    pre_key_signal_message* message = nullptr;
    rc = pre_key_signal_message_deserialize(&message, U8(ciphertext), ciphertext.size(), context);
    if (rc < 0) return internal::ParseError(rc, what);
    SignalPtr<pre_key_signal_message> holder(message);
    WAGATE_RETURN_IF_ERROR(ReplaceChangedIdentity(stores, address, message, what));
    WAGATE_ASSIGN_OR_RETURN(Cipher cipher, NewCipher(stores, &signal_address, what));
    rc = session_cipher_decrypt_pre_key_signal_message(cipher.get(), message, nullptr, &plaintext);
  } else if (type == MessageType::kWhisper) {
    signal_message* message = nullptr;
    rc = signal_message_deserialize(&message, U8(ciphertext), ciphertext.size(), context);
    if (rc < 0) return internal::ParseError(rc, what);
    SignalPtr<signal_message> holder(message);
    WAGATE_ASSIGN_OR_RETURN(Cipher cipher, NewCipher(stores, &signal_address, what));
    rc = session_cipher_decrypt_signal_message(cipher.get(), message, nullptr, &plaintext);
  } else {
    return base::InvalidArgument(what + ": not a 1:1 message type");
  }
  if (rc < 0) return stores.Error(rc, what);
  Buffer holder(plaintext);
  return internal::BufferString(plaintext);
}

base::Result<uint32_t> RemoteRegistrationId(Stores& stores, const Address& address) {
  auto lock = stores.Begin();
  std::string what = "registration id of " + address.ToString();
  signal_protocol_address signal_address = ToSignal(address);
  WAGATE_RETURN_IF_ERROR(RequireSession(stores, &signal_address, what));
  WAGATE_ASSIGN_OR_RETURN(Cipher cipher, NewCipher(stores, &signal_address, what));
  uint32_t id = 0;
  int rc = session_cipher_get_remote_registration_id(cipher.get(), &id);
  if (rc < 0) return stores.Error(rc, what);
  return id;
}

}  // namespace wa::signal
