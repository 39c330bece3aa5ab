#include "cli/key_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "cli/error_message.h"
#include "stemedb/core/hex.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace stemedb::cli {
namespace {

using nlohmann::json;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

core::Seed SeedOf(uint8_t byte) {
  core::Seed seed;
  seed.fill(byte);
  return seed;
}

unsigned ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

TEST(KeyFileTest, TextHoldsFormatAgentIdAndSeed) {
  const core::Seed seed = SeedOf(7);
  const json body = json::parse(KeyFileText(seed));
  EXPECT_EQ(body["format"], kKeyFileFormat);
  EXPECT_EQ(body["seed"], core::HexEncode(seed));
  EXPECT_EQ(body["agent_id"], core::HexEncode(core::Ed25519KeyPair(seed).public_key()));
  EXPECT_EQ(ParseKeyFile(KeyFileText(seed), "k").public_key(), core::Ed25519KeyPair(seed).public_key());
}

TEST(KeyFileTest, ParseNamesTheFileAndTheProblem) {
  json good = json::parse(KeyFileText(SeedOf(1)));
  EXPECT_EQ(ErrorMessage([] { ParseKeyFile("not json", "a.key"); }),
            "key file a.key: not a JSON object (expected a file written by stemedb keygen)");
  json other = good;
  other["format"] = "pem";
  EXPECT_NE(ErrorMessage([&] { ParseKeyFile(other.dump(), "a.key"); }).find("format: expected"), std::string::npos);
  json short_seed = good;
  short_seed["seed"] = "abcd";
  EXPECT_EQ(ErrorMessage([&] { ParseKeyFile(short_seed.dump(), "a.key"); }),
            "key file a.key: seed: expected 64 hex characters, got 4");
  json no_id = good;
  no_id.erase("agent_id");
  EXPECT_EQ(ErrorMessage([&] { ParseKeyFile(no_id.dump(), "a.key"); }),
            "key file a.key: agent_id: missing, or not a string");
  json mismatch = good;
  mismatch["agent_id"] = json::parse(KeyFileText(SeedOf(2)))["agent_id"];
  EXPECT_NE(ErrorMessage([&] { ParseKeyFile(mismatch.dump(), "a.key"); }).find("not the public key of the seed"),
            std::string::npos);
}

TEST(KeyFileTest, WriteCreatesMode0600AndReadsBack) {
  TempDir dir;
  const std::string path = dir.Sub("agent.key");
  const core::PublicKey agent = WriteNewKeyFile(path, false);
  EXPECT_EQ(ModeOf(path), 0600u);
  EXPECT_EQ(ReadKeyFile(path).public_key(), agent);
  EXPECT_NE(WriteNewKeyFile(dir.Sub("other.key"), false), agent) << "keys are random";
}

TEST(KeyFileTest, WriteRefusesAnExistingFileUnlessForced) {
  TempDir dir;
  const std::string path = dir.Sub("agent.key");
  const core::PublicKey first = WriteNewKeyFile(path, false);
  const std::string before = ReadFile(path);
  EXPECT_EQ(ErrorMessage([&] { WriteNewKeyFile(path, false); }),
            "key file " + path + ": exists; --force replaces it (the agent it holds is then lost)");
  EXPECT_EQ(ReadFile(path), before);
  const core::PublicKey second = WriteNewKeyFile(path, true);
  EXPECT_NE(second, first);
  EXPECT_EQ(ReadKeyFile(path).public_key(), second);
  EXPECT_EQ(ModeOf(path), 0600u);
  // No temporary file is left behind either way.
  auto listing = testing::RunProcess({"ls", "-A", dir.path()});
  EXPECT_EQ(listing.out, "agent.key\n");
}

TEST(KeyFileTest, ReadRefusesLooseModesMissingFilesAndDirectories) {
  TempDir dir;
  const std::string path = dir.Sub("agent.key");
  WriteNewKeyFile(path, false);
  ASSERT_EQ(chmod(path.c_str(), 0644), 0);
  EXPECT_EQ(ErrorMessage([&] { ReadKeyFile(path); }),
            "key file " + path + ": mode 0644 lets others read the private key; it must be 0600 (chmod 600 " + path + ")");
  ASSERT_EQ(chmod(path.c_str(), 0400), 0);
  EXPECT_NO_THROW(ReadKeyFile(path));  // read-only for the owner is fine
  EXPECT_NE(ErrorMessage([&] { ReadKeyFile(dir.Sub("missing.key")); }).find("cannot open: No such file"),
            std::string::npos);
  EXPECT_NE(ErrorMessage([&] { ReadKeyFile(dir.path()); }).find("not a regular file"), std::string::npos);
}

TEST(KeyFileTest, ReadRefusesOversizedFiles) {
  TempDir dir;
  const std::string path = dir.Sub("big.key");
  WriteFile(path, std::string(kKeyFileBytesMax + 1, ' '));
  ASSERT_EQ(chmod(path.c_str(), 0600), 0);
  EXPECT_NE(ErrorMessage([&] { ReadKeyFile(path); }).find("4097 bytes exceeds the limit of 4096"), std::string::npos);
}

}  // namespace
}  // namespace stemedb::cli
