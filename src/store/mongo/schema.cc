#include "store/mongo/schema.h"

#include <initializer_list>
#include <string>
#include <utility>

#include "store/mongo/errors.h"

namespace store::mongo {
namespace {

struct IndexSpec {
  std::initializer_list<std::pair<const char*, int>> keys;
  bool unique;
};

// The default name mongosh would give ("instanceName_1_jid_1"), so an index
// created by hand with the same keys is recognised as the same one.
std::string IndexName(const IndexSpec& spec) {
  std::string name;
  for (const auto& [key, dir] : spec.keys) {
    if (!name.empty()) name += '_';
    name += key;
    name += '_';
    name += std::to_string(dir);
  }
  return name;
}

base::Status CreateIndex(const ClientPool::Lease& lease, const char* collection,
                         const IndexSpec& spec) {
  BsonPtr cmd = NewBson();
  BSON_APPEND_UTF8(cmd.get(), "createIndexes", collection);
  bson_t indexes;
  BSON_APPEND_ARRAY_BEGIN(cmd.get(), "indexes", &indexes);
  bson_t index, key;
  BSON_APPEND_DOCUMENT_BEGIN(&indexes, "0", &index);
  BSON_APPEND_DOCUMENT_BEGIN(&index, "key", &key);
  for (const auto& [field, dir] : spec.keys) BSON_APPEND_INT32(&key, field, dir);
  bson_append_document_end(&index, &key);
  std::string name = IndexName(spec);
  BSON_APPEND_UTF8(&index, "name", name.c_str());
  if (spec.unique) BSON_APPEND_BOOL(&index, "unique", true);
  bson_append_document_end(&indexes, &index);
  bson_append_array_end(cmd.get(), &indexes);

  DatabasePtr db = lease.Database();
  Reply reply;
  bson_error_t error;
  if (!mongoc_database_write_command_with_opts(db.get(), cmd.get(), nullptr, reply.out(), &error)) {
    return ToStatus(error, std::string("create index ") + name + " of " + collection);
  }
  return base::Status::Ok();
}

}  // namespace

base::Status EnsureIndexes(const ClientPool::Lease& lease) {
  // One index per createIndexes command: FerretDB 1.24 drops the connection
  // (a server-side panic, "slice bounds out of range") on a command listing
  // two indexes.
  WAGATE_RETURN_IF_ERROR(CreateIndex(lease, kSessions, {{{"instanceName", 1}}, true}));
  WAGATE_RETURN_IF_ERROR(
      CreateIndex(lease, kKeys, {{{"instanceName", 1}, {"type", 1}, {"id", 1}}, true}));
  WAGATE_RETURN_IF_ERROR(CreateIndex(lease, kChats, {{{"instanceName", 1}, {"jid", 1}}, true}));
  // ListChats: (updatedAt desc, jid asc) within an instance.
  WAGATE_RETURN_IF_ERROR(
      CreateIndex(lease, kChats, {{{"instanceName", 1}, {"updatedAt", -1}, {"jid", 1}}, false}));
  WAGATE_RETURN_IF_ERROR(
      CreateIndex(lease, kMessages, {{{"instanceName", 1}, {"jid", 1}, {"id", 1}}, true}));
  // ListMessages: keyset pages on (timestamp desc, seq desc) of one chat.
  WAGATE_RETURN_IF_ERROR(
      CreateIndex(lease, kMessages,
                  {{{"instanceName", 1}, {"jid", 1}, {"timestamp", -1}, {"seq", -1}}, false}));
  // PruneEvents by age.
  WAGATE_RETURN_IF_ERROR(
      CreateIndex(lease, kEvents, {{{"instanceName", 1}, {"createdAt", 1}}, false}));
  return base::Status::Ok();
}

}  // namespace store::mongo
