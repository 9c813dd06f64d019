// The generated API key: when WAGATE_API_KEY is not set, wagate makes one on
// first start (32 random bytes as 64 hex digits) and keeps it in
// <data_dir>/api-key, mode 0600, so restarts keep the same key. The file is
// written to a temporary name and then linked into place, which is atomic
// and refuses to replace a key another process created meanwhile.
// Thread safety: call once at start-up.
#pragma once

#include <string>

#include "base/random.h"
#include "base/status.h"

namespace app {

struct ApiKey {
  std::string key;
  std::string path;      // the file it lives in
  bool created = false;  // true on the start that generated it: print it once
};

// Reads <data_dir>/api-key, or creates it (and data_dir) when missing.
base::Result<ApiKey> LoadOrCreateApiKey(const std::string& data_dir, base::Random& random);

}  // namespace app
