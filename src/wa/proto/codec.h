// Bytes ⇄ protobuf ⇄ JSON for the generated WhatsApp messages (wa_*.proto).
//
// The generated classes live in namespace wa::proto and are included as
// "wa/proto/wa_message.pb.h" etc. (generated at build time). These helpers
// give them Status-returning entry points:
//   - Parse never aborts on hostile input; malformed bytes → kInvalidArgument
//     naming the message type. Note: proto3 string fields must hold valid
//     UTF-8 — protobuf rejects the whole message otherwise (Baileys' decoder
//     would substitute U+FFFD instead).
//   - Serialize is deterministic (same message, same bytes).
//   - JSON is proto3 JSON with WAProto's camelCase field names, so it compares
//     directly with Baileys' `proto.X.toJSON()` (int64 as strings, bytes as
//     base64, enums by name).
// Thread safety: pure functions; messages are not shared between threads.
#pragma once

#include <google/protobuf/message.h>

#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace wa::proto {

base::Status Parse(std::string_view bytes, google::protobuf::Message* out);

template <typename T>
base::Result<T> Parse(std::string_view bytes) {
  T message;
  WAGATE_RETURN_IF_ERROR(Parse(bytes, &message));
  return message;
}

base::Result<std::string> Serialize(const google::protobuf::Message& message);

base::Result<std::string> ToJson(const google::protobuf::Message& message);
// Unknown JSON fields are an error (kInvalidArgument).
base::Status FromJson(std::string_view json, google::protobuf::Message* out);

// A new, empty message of a generated type by full name, e.g.
// "wa.proto.Message.ImageMessage"; kNotFound if we do not define it.
base::Result<std::unique_ptr<google::protobuf::Message>> NewMessage(std::string_view full_name);

}  // namespace wa::proto
