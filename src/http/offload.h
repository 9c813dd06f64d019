// http::Offload is base::Offload (base/offload.h): handlers run blocking store
// and file calls on a pool with it. The alias keeps the HTTP layer's spelling.
#pragma once

#include "base/offload.h"

namespace http {
using base::Offload;
}  // namespace http
