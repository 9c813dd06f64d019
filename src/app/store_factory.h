// The composition root's choice of store backend: the only place that names
// the backends. WAGATE_DB "sqlite:<path>" opens SQLite, "mongodb://…"
// MongoDB (Config has already refused anything else).
#pragma once

#include <memory>

#include "app/config.h"
#include "base/status.h"
#include "store/store.h"

namespace app {

base::Result<std::unique_ptr<store::Store>> OpenStore(const Config& config);

// "sqlite ./data/wagate.db" or "mongodb mongodb://host/db" (credentials
// hidden), for log lines.
std::string DescribeStore(const Config& config);

}  // namespace app
