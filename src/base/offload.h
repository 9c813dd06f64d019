// Offload: runs a blocking callable (SQLite, libmongoc, file I/O) on a thread
// pool and resumes the awaiting coroutine on its own executor (its strand)
// with the result:
//
//   Result<Chat> chat = co_await base::Offload(pool, [&] { return store.GetChat(jid); });
//
// An exception thrown by `fn` is rethrown in the awaiting coroutine. `fn` runs
// to completion even if the awaiting coroutine is cancelled meanwhile: blocking
// calls cannot be interrupted, so keep them bounded. While `fn` runs, the
// caller's executor counts outstanding work, so its io_context does not stop
// running for lack of work.
//
// REQUIRES: `pool` outlives the call; anything `fn` captures by reference
// outlives the co_await (true for locals of the awaiting coroutine).
// Shutdown: join the pool before destroying the io_context.
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <concepts>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

namespace base {
namespace internal {

// Starts `fn` on `pool`; `handler` gets (exception, value) on its own executor.
template <typename R>
struct OffloadInitiation {
  boost::asio::thread_pool* pool;

  template <typename Handler, typename F>
  void operator()(Handler handler, F fn) const {
    auto home = boost::asio::prefer(boost::asio::get_associated_executor(handler),
                                    boost::asio::execution::outstanding_work.tracked);
    boost::asio::post(*pool, [fn = std::move(fn), handler = std::move(handler),
                              home = std::move(home)]() mutable {
      std::exception_ptr error;
      if constexpr (std::is_void_v<R>) {
        try {
          fn();
        } catch (...) {
          error = std::current_exception();
        }
        boost::asio::post(
            home, [handler = std::move(handler), error]() mutable { std::move(handler)(error); });
      } else {
        std::optional<R> value;
        try {
          value.emplace(fn());
        } catch (...) {
          error = std::current_exception();
        }
        boost::asio::post(
            home, [handler = std::move(handler), error, value = std::move(value)]() mutable {
              std::move(handler)(error, std::move(value));
            });
      }
    });
  }
};

}  // namespace internal

template <typename F>
requires std::invocable<F&> boost::asio::awaitable<std::invoke_result_t<F&>> Offload(
    boost::asio::thread_pool& pool, F fn) {
  using R = std::invoke_result_t<F&>;
  static_assert(!std::is_reference_v<R>, "Offload returns values; return a copy or a pointer");
  if constexpr (std::is_void_v<R>) {
    co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>,
                                         void(std::exception_ptr)>(
        internal::OffloadInitiation<R>{&pool}, boost::asio::use_awaitable, std::move(fn));
  } else {
    std::optional<R> value =
        co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>,
                                             void(std::exception_ptr, std::optional<R>)>(
            internal::OffloadInitiation<R>{&pool}, boost::asio::use_awaitable, std::move(fn));
    co_return std::move(*value);
  }
}

}  // namespace base
