#include "stemedb/storage/rocks_tier.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "stemedb/storage/memtable.h"
#include "support/temp_dir.h"

namespace stemedb::storage {
namespace {

using stemedb::testing::TempDir;

constexpr CfId kPairs = 0;  // scanned a pair at a time: prefix filters
constexpr CfId kPlain = 1;

std::unique_ptr<Tier> OpenPairTier(const std::string& dir, bool pair_filters = true) {
  RocksTierOptions options{.dir = dir, .column_families = {"pairs", "plain"}};
  if (pair_filters) options.pair_scanned_families = {"pairs"};
  auto t = OpenRocksTier(options);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return std::move(t).value();
}

std::string Pair(std::string_view subject, std::string_view predicate) {
  return std::string(subject) + '\0' + std::string(predicate) + '\0';
}

// A pair's key for one seq, as by_subject_predicate has them: the seq's bytes include NULs.
std::string Key(std::string_view subject, std::string_view predicate, uint8_t seq) {
  return Pair(subject, predicate) + std::string(7, '\0') + static_cast<char>(seq);
}

std::string End(std::string prefix) {
  prefix.back() = static_cast<char>(prefix.back() + 1);
  return prefix;
}

std::vector<std::string> ScanKeys(Tier& tier, CfId cf, const std::string& start, const std::string& end) {
  std::vector<std::string> keys;
  EXPECT_TRUE(tier.Scan(cf, start, end, [&](std::string_view k, std::string_view) {
                    keys.emplace_back(k);
                    return true;
                  }).ok());
  return keys;
}

// Pairs whose names are prefixes of each other's, each written to several files, so a scan
// meets files with and without its pair and keys of neighbouring pairs on both sides.
void WriteNeighbours(Tier& tier, CfId cf) {
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"s1", "p"}, {"s1", "pp"}, {"s10", "p"}, {"s", "1"}, {"s1", ""}};
  for (uint8_t file = 0; file < 4; ++file) {
    MemTable table;
    for (const auto& [subject, predicate] : pairs) {
      if ((subject.size() + predicate.size() + file) % 2 == 0) continue;  // not in every file
      for (uint8_t i = 0; i < 3; ++i) table.Put(cf, Key(subject, predicate, file * 3 + i), "v");
    }
    ASSERT_TRUE(tier.Write(table, {.offset = file + 1u, .seq = file + 1u}).ok());
    ASSERT_TRUE(tier.Persist().ok());
  }
}

std::vector<std::string> Expected(std::string_view subject, std::string_view predicate, uint8_t from_seq = 0) {
  std::vector<std::string> keys;
  for (uint8_t file = 0; file < 4; ++file) {
    if ((subject.size() + predicate.size() + file) % 2 == 0) continue;
    for (uint8_t i = 0; i < 3; ++i) {
      if (file * 3 + i >= from_seq) keys.push_back(Key(subject, predicate, file * 3 + i));
    }
  }
  return keys;
}

TEST(RocksTierTest, APairScanFindsItsKeysInEveryFileAndNoNeighboursKeys) {
  TempDir dir;
  auto tier = OpenPairTier(dir.path());
  WriteNeighbours(*tier, kPairs);
  for (const auto& [subject, predicate] : std::vector<std::pair<std::string, std::string>>{
           {"s1", "p"}, {"s1", "pp"}, {"s10", "p"}, {"s", "1"}, {"s1", ""}}) {
    EXPECT_EQ(ScanKeys(*tier, kPairs, Pair(subject, predicate), End(Pair(subject, predicate))),
              Expected(subject, predicate))
        << subject << "/" << predicate;
  }
  // From a seq inside the pair, as paging and the feed's "after" ask.
  EXPECT_EQ(ScanKeys(*tier, kPairs, Key("s1", "p", 4), End(Pair("s1", "p"))), Expected("s1", "p", 4));
  EXPECT_TRUE(ScanKeys(*tier, kPairs, Pair("s1", "q"), End(Pair("s1", "q"))).empty());
  EXPECT_TRUE(ScanKeys(*tier, kPairs, Pair("absent", "p"), End(Pair("absent", "p"))).empty());
}

TEST(RocksTierTest, ARangeOverSeveralPairsIsReadInFull) {
  TempDir dir;
  auto tier = OpenPairTier(dir.path());
  WriteNeighbours(*tier, kPairs);
  std::vector<std::string> s1;  // every pair of subject "s1", in key order
  for (const char* predicate : {"", "p", "pp"}) {
    for (auto& k : Expected("s1", predicate)) s1.push_back(std::move(k));
  }
  EXPECT_EQ(ScanKeys(*tier, kPairs, std::string("s1") + '\0', std::string("s1") + '\1'), s1);
  EXPECT_EQ(ScanKeys(*tier, kPairs, "", "").size(), 5u * 6);  // no upper bound
  EXPECT_EQ(ScanKeys(*tier, kPairs, "s", "t").size(), 5u * 6);
}

TEST(RocksTierTest, FilesWrittenWithoutPairFiltersReadTheSame) {
  TempDir dir;
  {
    auto tier = OpenPairTier(dir.path(), /*pair_filters=*/false);
    WriteNeighbours(*tier, kPairs);
    WriteNeighbours(*tier, kPlain);
    tier->Close();
  }
  auto tier = OpenPairTier(dir.path());
  EXPECT_EQ(ScanKeys(*tier, kPairs, Pair("s1", "pp"), End(Pair("s1", "pp"))), Expected("s1", "pp"));
  EXPECT_EQ(ScanKeys(*tier, kPlain, Pair("s10", "p"), End(Pair("s10", "p"))), Expected("s10", "p"));
  EXPECT_EQ(ScanKeys(*tier, kPairs, "s", "t").size(), 5u * 6);
}

}  // namespace
}  // namespace stemedb::storage
