// The one conformance suite every store backend must pass (store/store.h).
//
// A backend plugs in with a fixture type B providing:
//   std::string SkipReason();                 // empty: run; else GTEST_SKIP with it
//   Result<std::unique_ptr<store::Store>> Open();   // a fresh, empty store
// and its destructor removes what Open created (temp file, database).
// Then: INSTANTIATE_TYPED_TEST_SUITE_P(Name, StoreConformance, ::testing::Types<B>);
// A backend that keeps data across Close() also provides
//   Result<std::unique_ptr<store::Store>> Reopen();  // the same data again
// and instantiates PersistentStoreConformance the same way.
// Include this header in exactly one translation unit per test binary.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <memory>
#include <set>
#include <thread>

#include "store/store.h"

namespace store::conformance {

template <typename B>
class StoreConformance : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string reason = backend_.SkipReason();
    if (!reason.empty()) GTEST_SKIP() << reason;
    auto opened = backend_.Open();
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }
  void TearDown() override {
    if (store_) store_->Close();
  }

  B backend_;
  std::unique_ptr<Store> store_;
};

TYPED_TEST_SUITE_P(StoreConformance);

#include "store_conformance_tests.inc"

}  // namespace store::conformance
