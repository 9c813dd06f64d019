#include "wa/signal/group.h"

#include <signal/group_cipher.h>
#include <signal/group_session_builder.h>
#include <signal/protocol.h>
#include <signal/signal_protocol.h>

#include <memory>

#include "wa/signal/errors.h"

namespace wa::signal {
namespace {

using internal::Buffer;
using internal::SignalPtr;
using internal::U8;

// libsignal keeps pointers into the name: `name` must outlive the result.
signal_protocol_sender_key_name ToSignal(const SenderKeyName& name) {
  return signal_protocol_sender_key_name{
      name.group_id.data(), name.group_id.size(),
      signal_protocol_address{name.sender.name.data(), name.sender.name.size(),
                              static_cast<int32_t>(name.sender.device)}};
}

struct BuilderFree {
  void operator()(group_session_builder* b) const { group_session_builder_free(b); }
};
using Builder = std::unique_ptr<group_session_builder, BuilderFree>;

struct CipherFree {
  void operator()(group_cipher* c) const { group_cipher_free(c); }
};
using Cipher = std::unique_ptr<group_cipher, CipherFree>;

base::Result<Builder> NewBuilder(Stores& stores, const std::string& what) {
  group_session_builder* builder = nullptr;
  int rc = group_session_builder_create(&builder, stores.get(), stores.context().get());
  if (rc < 0) return stores.Error(rc, what);
  return Builder(builder);
}

base::Result<Cipher> NewCipher(Stores& stores, const signal_protocol_sender_key_name* name,
                               const std::string& what) {
  group_cipher* cipher = nullptr;
  int rc = group_cipher_create(&cipher, stores.get(), name, stores.context().get());
  if (rc < 0) return stores.Error(rc, what);
  return Cipher(cipher);
}

}  // namespace

base::Result<std::string> CreateSenderKeyDistribution(Stores& stores, const SenderKeyName& name) {
  auto lock = stores.Begin();
  std::string what = "create sender key " + name.ToString();
  signal_protocol_sender_key_name signal_name = ToSignal(name);
  WAGATE_ASSIGN_OR_RETURN(Builder builder, NewBuilder(stores, what));
  sender_key_distribution_message* message = nullptr;
  int rc = group_session_builder_create_session(builder.get(), &message, &signal_name);
  if (rc < 0) return stores.Error(rc, what);
  SignalPtr<sender_key_distribution_message> holder(message);
  return internal::BufferString(
      ciphertext_message_get_serialized(reinterpret_cast<ciphertext_message*>(message)));
}

base::Status ProcessSenderKeyDistribution(Stores& stores, const SenderKeyName& name,
                                          std::string_view distribution_message) {
  auto lock = stores.Begin();
  std::string what = "process sender key " + name.ToString();
  sender_key_distribution_message* message = nullptr;
  int rc = sender_key_distribution_message_deserialize(
      &message, U8(distribution_message), distribution_message.size(), stores.context().get());
  if (rc < 0) return internal::ParseError(rc, what);
  SignalPtr<sender_key_distribution_message> holder(message);
  signal_protocol_sender_key_name signal_name = ToSignal(name);
  WAGATE_ASSIGN_OR_RETURN(Builder builder, NewBuilder(stores, what));
  rc = group_session_builder_process_session(builder.get(), &signal_name, message);
  if (rc < 0) return stores.Error(rc, what);
  return base::Status::Ok();
}

base::Result<std::string> GroupEncrypt(Stores& stores, const SenderKeyName& name,
                                       std::string_view plaintext) {
  auto lock = stores.Begin();
  std::string what = "group encrypt " + name.ToString();
  signal_protocol_sender_key_name signal_name = ToSignal(name);
  WAGATE_ASSIGN_OR_RETURN(Cipher cipher, NewCipher(stores, &signal_name, what));
  ciphertext_message* message = nullptr;
  int rc = group_cipher_encrypt(cipher.get(), U8(plaintext), plaintext.size(), &message);
  if (rc < 0) return stores.Error(rc, what);
  SignalPtr<ciphertext_message> holder(message);
  return internal::BufferString(ciphertext_message_get_serialized(message));
}

base::Result<std::string> GroupDecrypt(Stores& stores, const SenderKeyName& name,
                                       std::string_view ciphertext) {
  auto lock = stores.Begin();
  std::string what = "group decrypt " + name.ToString();
  sender_key_message* message = nullptr;
  int rc = sender_key_message_deserialize(&message, U8(ciphertext), ciphertext.size(),
                                          stores.context().get());
  if (rc < 0) return internal::ParseError(rc, what);
  SignalPtr<sender_key_message> holder(message);
  signal_protocol_sender_key_name signal_name = ToSignal(name);
  WAGATE_ASSIGN_OR_RETURN(Cipher cipher, NewCipher(stores, &signal_name, what));
  signal_buffer* plaintext = nullptr;
  rc = group_cipher_decrypt(cipher.get(), message, nullptr, &plaintext);
  if (rc < 0) return stores.Error(rc, what);
  Buffer plaintext_holder(plaintext);
  return internal::BufferString(plaintext);
}

}  // namespace wa::signal
