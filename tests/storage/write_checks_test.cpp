// The epoch supersession check on hand-made graphs. Over HTTP a cycle cannot be posted (an
// epoch's id hashes the id it supersedes, so it can only name older epochs); the check still
// guards the invariant every epoch lens relies on, and is proven here.

#include "stemedb/storage/write_checks.h"

#include <gtest/gtest.h>

#include "support/records.h"

namespace stemedb::storage {
namespace {

core::Hash32 Id(uint8_t b) { return stemedb::testing::FilledId(b); }

core::Epoch Superseding(const core::Hash32& older) { return stemedb::testing::SignedEpoch("next", older); }

TEST(CheckEpochTest, SupersedingAKnownEpochPasses) {
  Catalog catalog;
  catalog.AddEpoch(Id(1), std::nullopt);
  auto check = CheckEpoch(catalog, Superseding(Id(1)), Id(2));
  ASSERT_TRUE(check.ok());
  EXPECT_FALSE(check->has_value());
}

TEST(CheckEpochTest, UnknownEpochIs422) {
  Catalog catalog;
  auto check = CheckEpoch(catalog, Superseding(Id(1)), Id(2));
  ASSERT_TRUE(check.ok() && check->has_value());
  EXPECT_EQ((*check)->code, "unknown_epoch");
  EXPECT_EQ((*check)->field, "supersedes");
  EXPECT_EQ((*check)->HttpStatus(), 422);
}

TEST(CheckEpochTest, ClosingACycleIs409) {
  // 3 supersedes 2, which supersedes 1; an epoch with id 1 superseding 3 would close the loop.
  Catalog catalog;
  catalog.AddEpoch(Id(1), std::nullopt);
  catalog.AddEpoch(Id(2), Id(1));
  catalog.AddEpoch(Id(3), Id(2));
  auto check = CheckEpoch(catalog, Superseding(Id(3)), Id(1));
  ASSERT_TRUE(check.ok() && check->has_value());
  EXPECT_EQ((*check)->code, "supersession_cycle");
  EXPECT_EQ((*check)->field, "supersedes");
  EXPECT_EQ((*check)->HttpStatus(), 409);
  EXPECT_NE((*check)->message.find("cycle"), std::string::npos) << (*check)->message;
}

TEST(CheckEpochTest, SupersedingItselfIs409) {
  Catalog catalog;
  catalog.AddEpoch(Id(1), std::nullopt);
  auto check = CheckEpoch(catalog, Superseding(Id(1)), Id(1));
  ASSERT_TRUE(check.ok() && check->has_value());
  EXPECT_EQ((*check)->code, "supersession_cycle");
}

}  // namespace
}  // namespace stemedb::storage
