#include "app/mongo_driver.h"

#include <mutex>
#include <string>
#include <vector>

#if defined(WAGATE_MONGO_LAZY)
#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>

// Defined by the generated stubs (mongo_driver_stubs.S).
extern "C" {
extern void* wagate_mongo_slots[];
extern const char* const wagate_mongo_names[];
extern const unsigned long wagate_mongo_count;

// Where every stub jumps until the driver is loaded: a call before
// LoadMongoDriver is a bug in the composition root, not a recoverable error.
[[noreturn]] __attribute__((visibility("hidden"))) void wagate_mongo_unloaded() {
  std::fputs("wagate: a libmongoc function was called before LoadMongoDriver\n", stderr);
  std::abort();
}
}
#endif

namespace app {

#if defined(WAGATE_MONGO_LAZY)

namespace {

// The soname of Debian 12's libmongoc-1.0-0 (what libmongoc-dev links);
// libbson comes with it as its dependency.
constexpr char kLibrary[] = "libmongoc-1.0.so.0";

base::Status Load() {
  // RTLD_LOCAL: the driver's own OpenSSL and libstdc++ stay its own and
  // never interpose on the copies linked into wagate.
  void* handle = dlopen(kLibrary, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    return base::Unavailable(std::string("MongoDB driver: cannot load ") + kLibrary + ": " +
                             (why ? why : "unknown error") +
                             " (install libmongoc-1.0-0, or use a sqlite: store)");
  }
  std::vector<void*> found(wagate_mongo_count);
  for (unsigned long i = 0; i < wagate_mongo_count; ++i) {
    found[i] = dlsym(handle, wagate_mongo_names[i]);
    if (found[i] == nullptr) {
      return base::Unavailable(std::string("MongoDB driver: ") + kLibrary + " has no " +
                               wagate_mongo_names[i] + " (a libmongoc older than 1.23?)");
    }
  }
  // Only complete: no stub points into a half-resolved table.
  for (unsigned long i = 0; i < wagate_mongo_count; ++i) wagate_mongo_slots[i] = found[i];
  return base::Status::Ok();
}

}  // namespace

base::Status LoadMongoDriver() {
  static std::once_flag once;
  static base::Status result = base::Status::Ok();
  std::call_once(once, [] { result = Load(); });
  return result;
}

#else

base::Status LoadMongoDriver() { return base::Status::Ok(); }

#endif

}  // namespace app
