// bson_error_t → base::Status, in one place so every call site reports the
// same codes: a network or server-selection failure is kUnavailable (the
// database is down or unreachable), a server timeout kDeadlineExceeded, a
// duplicate key kAlreadyExists, anything else kInternal.
// Messages read "mongo: <context>: <libmongoc message>".
// Thread safety: pure functions.
#pragma once

#include <bson/bson.h>

#include <string_view>

#include "base/status.h"

namespace store::mongo {

base::Status ToStatus(const bson_error_t& error, std::string_view context);

// A plain error of ours (no bson_error_t), with the same "mongo: " prefix.
base::Status Error(base::Code code, std::string_view context, std::string_view detail);

// E11000 and its historic variants: the write hit a unique index.
bool IsDuplicateKey(const bson_error_t& error);

}  // namespace store::mongo
