#include "wa/proto/codec.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/util/json_util.h>

#include <climits>

#include "wa/proto/wa_adv.pb.h"
#include "wa/proto/wa_client_payload.pb.h"
#include "wa/proto/wa_handshake.pb.h"
#include "wa/proto/wa_history_sync.pb.h"
#include "wa/proto/wa_message.pb.h"

namespace wa::proto {

// The type name (GetDescriptor) is looked up on the error paths only: the
// first descriptor lookup builds the pool of the whole .proto file, which
// the generated parser and serializer do not need.
base::Status Parse(std::string_view bytes, google::protobuf::Message* out) {
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    return base::InvalidArgument("parse " + out->GetDescriptor()->full_name() +
                                 ": input larger than 2 GiB");
  }
  if (!out->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return base::InvalidArgument("parse " + out->GetDescriptor()->full_name() +
                                 ": malformed protobuf (" + std::to_string(bytes.size()) +
                                 " bytes)");
  }
  return base::Status::Ok();
}

base::Result<std::string> Serialize(const google::protobuf::Message& message) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    if (!message.SerializeToCodedStream(&coded)) {
      return base::InvalidArgument("serialize " + message.GetDescriptor()->full_name() +
                                   ": message too large or not initialized");
    }
  }
  return out;
}

base::Result<std::string> ToJson(const google::protobuf::Message& message) {
  std::string out;
  auto status = google::protobuf::util::MessageToJsonString(message, &out);
  if (!status.ok()) {
    return base::InvalidArgument("to json " + message.GetDescriptor()->full_name() + ": " +
                                 std::string(status.message()));
  }
  return out;
}

base::Status FromJson(std::string_view json, google::protobuf::Message* out) {
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), out);
  if (!status.ok()) {
    return base::InvalidArgument("from json " + out->GetDescriptor()->full_name() + ": " +
                                 std::string(status.message()));
  }
  return base::Status::Ok();
}

namespace {

// Lookup by name goes through protobuf's generated pool, which only knows the
// files whose object code was linked. From a static library the linker keeps
// only objects something refers to, so refer to one type of each file.
void LinkAllFiles() {
  static const bool linked = [] {
    (void)HandshakeMessage::descriptor();
    (void)ClientPayload::descriptor();
    (void)ADVDeviceIdentity::descriptor();
    (void)Message::descriptor();
    (void)HistorySync::descriptor();
    return true;
  }();
  (void)linked;
}

}  // namespace

base::Result<std::unique_ptr<google::protobuf::Message>> NewMessage(std::string_view full_name) {
  LinkAllFiles();
  const auto* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
          std::string(full_name));
  if (descriptor == nullptr || !descriptor->full_name().starts_with("wa.proto.")) {
    return base::NotFound("no protobuf message type " + std::string(full_name));
  }
  const auto* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(descriptor);
  if (prototype == nullptr) {
    return base::NotFound("no protobuf message type " + std::string(full_name));
  }
  return std::unique_ptr<google::protobuf::Message>(prototype->New());
}

}  // namespace wa::proto
