#pragma once
// Records from command-line flags: the flag values are checked (hex ids, enum names, exactly
// one object), the record is validated by core's own rules before anything is sent, and then
// signed by the given keys. A problem is a usage error naming the flag or the record's field.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "stemedb/core/ed25519.h"
#include "stemedb/core/records.h"

namespace stemedb::cli {

struct AssertionFlags {
  std::string subject;
  std::string predicate;
  // The object: exactly one of these.
  std::optional<std::string> text;
  std::optional<double> number;
  std::optional<std::string> boolean;  // "true" or "false"
  std::optional<std::string> reference;
  double confidence = 0;
  std::optional<int64_t> timestamp;  // default: now
  std::optional<std::string> source_hash;
  std::string source_class = "community";
  std::string lifecycle = "proposed";
  std::optional<std::string> epoch;
  std::optional<std::string> parent;
  std::optional<std::string> narrative;
  std::optional<int64_t> valid_from;
  std::optional<int64_t> valid_until;
};

struct VoteFlags {
  std::string assertion;
  double weight = 0;
  std::optional<int64_t> timestamp;  // default: now
};

struct EpochFlags {
  std::string name;
  std::optional<std::string> description;
  std::optional<int64_t> started_at;  // default: now
  std::optional<std::string> supersedes;
  std::optional<std::string> supersession_type;  // default with --supersedes: replaces
};

struct SourceFlags {
  std::string uri;
  std::optional<std::string> title;
  std::string source_class = "community";
  std::optional<std::string> content;
};

// `signers` sign in order; the first is the author. `now_s` fills left-out times.
core::Assertion BuildAssertion(const AssertionFlags& flags, const std::vector<core::Ed25519KeyPair>& signers,
                               int64_t now_s);
core::Vote BuildVote(const VoteFlags& flags, const core::Ed25519KeyPair& voter, int64_t now_s);
core::Epoch BuildEpoch(const EpochFlags& flags, const std::vector<core::Ed25519KeyPair>& signers, int64_t now_s);
core::Source BuildSource(const SourceFlags& flags);

}  // namespace stemedb::cli
