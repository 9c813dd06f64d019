// spdlog and fmt, compiled into wagate instead of linked as shared objects.
//
// Debian ships both only as shared libraries, and they were the last C++
// libraries that tied wagate to libstdc++.so (2.3 MiB resident with
// libspdlog, libfmt and libgcc_s on an idle server): with them built here
// the binary links libstdc++ statically. The consumers keep the defines of
// the shared packages (SPDLOG_COMPILED_LIB: declarations only in headers;
// the *_SHARED defines only give default visibility on ELF), so this file
// holds the definitions: each library's "-inl.h" implementation headers,
// and explicit instantiations of the templates wagate uses.
#include <fmt/format-inl.h>
#include <spdlog/async_logger-inl.h>
#include <spdlog/common-inl.h>
#include <spdlog/details/backtracer-inl.h>
#include <spdlog/details/file_helper-inl.h>
#include <spdlog/details/log_msg-inl.h>
#include <spdlog/details/log_msg_buffer-inl.h>
#include <spdlog/details/os-inl.h>
#include <spdlog/details/periodic_worker-inl.h>
#include <spdlog/details/registry-inl.h>
#include <spdlog/details/thread_pool-inl.h>
#include <spdlog/logger-inl.h>
#include <spdlog/pattern_formatter-inl.h>
#include <spdlog/sinks/ansicolor_sink-inl.h>
#include <spdlog/sinks/base_sink-inl.h>
#include <spdlog/sinks/sink-inl.h>
#include <spdlog/sinks/stdout_color_sinks-inl.h>
#include <spdlog/sinks/stdout_sinks-inl.h>
#include <spdlog/spdlog-inl.h>

// The template instances wagate refers to (a missing one is a link error).
template FMT_API char fmt::detail::decimal_point_impl<char>(fmt::detail::locale_ref);
template FMT_API fmt::detail::thousands_sep_result<char> fmt::detail::thousands_sep_impl<char>(
    fmt::detail::locale_ref);
template SPDLOG_API std::shared_ptr<spdlog::logger>
spdlog::stderr_logger_mt<spdlog::synchronous_factory>(const std::string& logger_name);
