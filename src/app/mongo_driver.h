// The MongoDB driver (libmongoc + libbson), loaded at run time only when the
// store is MongoDB. Linked the ordinary way it is mapped into every wagate
// process together with ICU, Cyrus SASL and its plugins, libmongocrypt,
// snappy and zstd, and its constructor runs mongoc_init (OpenSSL and SASL
// setup) — about 2.5 MiB of resident memory a SQLite deployment never uses.
// So wagate_store_mongo's calls go through jump stubs (lazy_stubs.cmake,
// names in mongo_driver_symbols.txt) that LoadMongoDriver points at the
// library. On targets without stubs the driver is linked directly and
// LoadMongoDriver does nothing.
// Thread-safe; the first call does the work, later calls return its result.
#pragma once

#include "base/status.h"

namespace app {

// REQUIRES: called before anything in store::mongo is used.
base::Status LoadMongoDriver();

}  // namespace app
