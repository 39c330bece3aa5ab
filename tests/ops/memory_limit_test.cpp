#include "stemedb/ops/memory_limit.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "support/process.h"
#include "support/temp_dir.h"

namespace stemedb::ops {
namespace {

using stemedb::testing::TempDir;
using stemedb::testing::WriteFile;

// A fake cgroup v2 tree: <root>/system.slice/stemedb-api.service, each level with memory.max.
struct CgroupTree {
  TempDir dir;
  std::string service = dir.path() + "/system.slice/stemedb-api.service";
  CgroupTree(const std::string& slice_max, const std::string& service_max) {
    std::filesystem::create_directories(service);
    WriteFile(dir.path() + "/system.slice/memory.max", slice_max + "\n");
    WriteFile(service + "/memory.max", service_max + "\n");
  }
};

constexpr const char* kSelfCgroup = "0::/system.slice/stemedb-api.service\n";

TEST(MemoryLimitTest, UnitLimitWins) {
  CgroupTree t("max", "1073741824");
  EXPECT_EQ(CgroupMemoryMaxBytes(kSelfCgroup, t.dir.path()), 1073741824.0);
}

TEST(MemoryLimitTest, TighterSliceLimitWins) {
  CgroupTree t("536870912", "1073741824");
  EXPECT_EQ(CgroupMemoryMaxBytes(kSelfCgroup, t.dir.path()), 536870912.0);
}

TEST(MemoryLimitTest, NoLimitAnywhereIsNullopt) {
  CgroupTree t("max", "max");
  EXPECT_EQ(CgroupMemoryMaxBytes(kSelfCgroup, t.dir.path()), std::nullopt);
}

TEST(MemoryLimitTest, CgroupV1OrRootCgroupIsNullopt) {
  CgroupTree t("max", "1073741824");
  EXPECT_EQ(CgroupMemoryMaxBytes("4:memory:/x\n1:cpu:/\n", t.dir.path()), std::nullopt);
  EXPECT_EQ(CgroupMemoryMaxBytes("0::/\n", t.dir.path()), std::nullopt);
  EXPECT_EQ(CgroupMemoryMaxBytes(kSelfCgroup, t.dir.path() + "/missing"), std::nullopt);
}

TEST(MemoryLimitTest, GarbageIsTreatedAsNoLimit) {
  CgroupTree t("max", "lots");
  EXPECT_EQ(CgroupMemoryMaxBytes(kSelfCgroup, t.dir.path()), std::nullopt);
}

TEST(MemoryLimitTest, ThisProcessHasAPositiveLimit) {
  EXPECT_GT(PhysicalMemoryBytes(), 0);
  EXPECT_GT(MemoryLimitBytes(), 0);
}

}  // namespace
}  // namespace stemedb::ops
