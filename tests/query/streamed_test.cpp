// The streamed resolution (streamed.h) against the engine over the whole pair loaded at once: on
// random pairs spanning several chunks, with lineage, epochs, votes, co-signers, retracted
// sources and every filter, every lens and view must give the same JSON, byte for byte, the
// page of ranked candidates included.

#include "stemedb/query/streamed.h"

#include <gtest/gtest.h>

#include <future>
#include <random>

#include "stemedb/core/canonical_encoding.h"
#include "stemedb/ops/json_writer.h"
#include "stemedb/query/result_json.h"
#include "stemedb/query/store_candidates.h"
#include "support/records.h"
#include "support/temp_dir.h"

namespace stemedb::query {
namespace {

using stemedb::testing::AssertionSpec;
using stemedb::testing::SignedAssertion;
using stemedb::testing::SignedEpoch;
using stemedb::testing::SignedVote;
using stemedb::testing::TempDir;

constexpr const char* kSubject = "s";
constexpr const char* kPredicate = "p";
constexpr int64_t kNowS = 1700100000;

class StreamedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::StoreOptions o;
    o.data_dir = dir_.Sub("data");
    o.journal.dir = dir_.Sub("data/wal");
    auto store = storage::Store::Open(std::move(o), metrics_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }

  void Write(std::vector<storage::AnyRecord> records) {
    std::vector<storage::PendingWrite> writes;
    for (auto& r : records) {
      core::Hash32 id = storage::RecordId(r);
      writes.push_back({std::move(r), id});
    }
    std::promise<Status> done;
    store_->Write(std::move(writes), [&](const Status& s, std::vector<storage::WriteOutcome>) { done.set_value(s); });
    Status s = done.get_future().get();
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  // A random pair of `count` assertions by `agents` agents over `values` objects, with lineage
  // children, epochs (one superseded, one never written), votes, co-signers and a retracted source.
  void Populate(int count, int agents, int values, uint32_t seed) {
    std::mt19937 rng(seed);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
    const core::Epoch old_epoch = SignedEpoch("old");
    const core::Epoch new_epoch = SignedEpoch("new", core::ContentId(old_epoch), 2);
    const core::Epoch never_written = SignedEpoch("ghost", std::nullopt, 3);
    const core::Source kept{.uri = "https://kept.example"};
    const core::Source retracted{.uri = "https://retracted.example"};
    Write({old_epoch, new_epoch, kept, retracted});
    std::vector<core::Hash32> epochs = {core::ContentId(old_epoch), core::ContentId(new_epoch),
                                        core::ContentId(never_written)};
    std::vector<core::Assertion> written;
    std::vector<storage::AnyRecord> batch;
    auto flush = [&] {
      Write(std::move(batch));
      batch.clear();
    };
    for (int i = 0; i < count; ++i) {
      AssertionSpec spec{.subject = kSubject, .predicate = kPredicate};
      spec.text = "v" + std::to_string(pick(values));
      spec.confidence = 0.05 + 0.9 * pick(100) / 100.0;
      spec.timestamp = kNowS - 86400 * 30 + pick(86400 * 30);
      spec.source_class = static_cast<core::SourceClass>(pick(6));
      if (pick(10) == 0) spec.epoch = epochs[pick(3)];
      if (pick(20) == 0) spec.source_hash = core::ContentId(pick(2) ? retracted : kept);
      if (pick(4) == 0) spec.valid_from = kNowS - 86400 * pick(40);
      if (!written.empty() && pick(25) == 0) {
        // A later lifecycle stage of an earlier claim: lineage (or, at the same stage, a rival).
        const core::Assertion& parent = written[pick(static_cast<int>(written.size()))];
        spec.parent_hash = core::ContentId(parent);
        spec.text = parent.object.index() == 0 ? std::get<core::TextObject>(parent.object).value : spec.text;
        spec.lifecycle = static_cast<core::Lifecycle>(std::min(4, static_cast<int>(parent.lifecycle) + pick(3)));
      }
      std::vector<int> signers = {1 + pick(agents)};
      if (pick(8) == 0) signers.push_back(signers[0] % agents + 1);
      written.push_back(SignedAssertion(spec, signers));
      batch.push_back(written.back());
      if (pick(6) == 0) {
        const core::Hash32 target = core::ContentId(written[pick(static_cast<int>(written.size()))]);
        batch.push_back(SignedVote(target, 1 + pick(agents), pick(2) ? 1.0 : -0.5, kNowS - pick(1000)));
      }
      if (batch.size() >= 200) flush();
    }
    flush();
    Write({core::SourceRetraction{.source_hash = core::ContentId(retracted), .reason = "test"}});
  }

  // Every candidate of the pair, loaded whole: the engine's input.
  std::vector<Candidate> All() {
    auto records = store_->CandidateRecordsAfter(kSubject, kPredicate, 0, SIZE_MAX);
    EXPECT_TRUE(records.ok());
    std::vector<Candidate> all;
    for (const auto& r : *records) all.push_back(ToCandidate(*store_, r));
    return all;
  }

  Context Ctx(bool decay = true) {
    Context c{.now_s = kNowS, .decay = decay};
    c.trust = [this](const AgentId& a) { return *store_->Trust(a); };
    c.epoch_state = [this](const EpochId& e) {
      if (!store_->catalog().EpochKnown(e)) return EpochState::kUnknown;
      return store_->catalog().EpochSuperseded(e) ? EpochState::kSuperseded : EpochState::kCurrent;
    };
    return c;
  }

  // The pair read in chunks of 100, so a test pair of a thousand claims spans ten of them.
  static PairRead Pair(uint64_t seq_max = UINT64_MAX) {
    PairRead pair{kSubject, kPredicate, seq_max};
    pair.chunk_candidates = 100;
    return pair;
  }

  template <typename Result>
  static std::string Json(const Result& r, std::span<const Candidate> candidates) {
    std::string out;
    ops::JsonWriter w(out);
    w.BeginObject();
    WriteJsonMembers(w, r, candidates);
    w.EndObject();
    return out;
  }

  // The streamed page [offset, offset + limit) against the whole ranking's.
  void ExpectSameLens(const LensRequest& request, size_t offset, size_t limit, bool decay = true) {
    const std::vector<Candidate> all = All();
    const Context ctx = Ctx(decay);
    auto whole = Resolve(all, request, ctx);
    ASSERT_TRUE(whole.ok()) << whole.status().ToString();
    auto streamed = ResolveStreamed(*store_, Pair(), request, ctx, offset, limit);
    ASSERT_TRUE(streamed.ok()) << streamed.status().ToString();
    EXPECT_EQ(streamed->more, offset + limit < whole->ranked.size());
    auto& ranked = whole->ranked;
    ranked.erase(ranked.begin(), ranked.begin() + std::min(offset, ranked.size()));
    if (ranked.size() > limit) ranked.resize(limit);
    EXPECT_EQ(Json(streamed->result, streamed->candidates), Json(*whole, all))
        << "lens " << LensName(request.lens) << " inner " << LensName(request.inner);
  }

  TempDir dir_;
  ops::Registry metrics_;
  std::unique_ptr<storage::Store> store_;
};

TEST_F(StreamedTest, EveryLensAndFilterMatchesTheWholePair) {
  Populate(1000, 40, 6, 7);
  // The data exercises what needs the whole pair: lineage replaces claims, sources are retracted.
  auto any = Resolve(All(), {.filter = {.lifecycles = LifecycleSet::Any(), .include_retracted = true}}, Ctx());
  auto all_but_retracted = Resolve(All(), {.filter = {.lifecycles = LifecycleSet::Any()}}, Ctx());
  ASSERT_TRUE(any.ok() && all_but_retracted.ok());
  EXPECT_LT(any->candidates_count, All().size());
  EXPECT_LT(all_but_retracted->candidates_count, any->candidates_count);
  for (LensKind lens : {LensKind::kRecency, LensKind::kConfidence, LensKind::kConsensus, LensKind::kVote,
                        LensKind::kAuthority}) {
    ExpectSameLens({.lens = lens}, 0, 100);
    ExpectSameLens({.lens = lens}, 250, 40);
    ExpectSameLens({.lens = lens}, 0, 1000);
    ExpectSameLens({.lens = LensKind::kEpoch, .inner = lens}, 0, 100);
    ExpectSameLens({.lens = lens, .filter = {.lifecycles = LifecycleSet::Any(), .include_retracted = true}}, 0, 100,
                   false);
    ExpectSameLens({.lens = lens, .filter = {.source_class = Tier::kExpert, .valid_at_s = kNowS - 86400 * 10}}, 5,
                   20);
  }
}

TEST_F(StreamedTest, AsOfSeesTheSnapshotOfThatTime) {
  Populate(600, 20, 4, 11);
  const std::vector<Candidate> all = All();
  const uint64_t middle = all[all.size() / 2].ingested_at_ms;
  ExpectSameLens({.lens = LensKind::kAuthority, .filter = {.as_of_ms = middle}}, 0, 100);
  ExpectSameLens({.lens = LensKind::kRecency, .filter = {.as_of_ms = middle}}, 0, 100);
}

TEST_F(StreamedTest, SkepticAndLayeredMatchTheWholePair) {
  Populate(1000, 40, 6, 13);
  const std::vector<Candidate> all = All();
  for (const Filter& filter : {Filter{}, Filter{.lifecycles = LifecycleSet::Any(), .include_retracted = true}}) {
    auto whole = ResolveSkeptic(all, filter, Ctx());
    ASSERT_TRUE(whole.ok());
    // The streamed view lists each claim's first kStreamedClaimAssertionsListedMax assertions.
    for (SkepticClaim& claim : whole->claims) {
      if (claim.assertions.size() > kStreamedClaimAssertionsListedMax) {
        claim.assertions.resize(kStreamedClaimAssertionsListedMax);
      }
    }
    auto streamed = ResolveSkepticStreamed(*store_, Pair(), filter, Ctx());
    ASSERT_TRUE(streamed.ok()) << streamed.status().ToString();
    EXPECT_EQ(Json(streamed->view, streamed->candidates), Json(*whole, all));

    auto whole_layers = ResolveLayered(all, filter, Ctx());
    ASSERT_TRUE(whole_layers.ok());
    auto streamed_layers = ResolveLayeredStreamed(*store_, Pair(), filter, Ctx());
    ASSERT_TRUE(streamed_layers.ok()) << streamed_layers.status().ToString();
    EXPECT_EQ(Json(streamed_layers->view, streamed_layers->candidates), Json(*whole_layers, all));
  }
}

// Over many distinct values the per-group pages give up and the listing reads the pair again:
// the same answers.
TEST_F(StreamedTest, ManyValuesMatchTheWholePairToo) {
  Populate(2000, 40, 5000, 23);
  for (LensKind lens : {LensKind::kConsensus, LensKind::kVote, LensKind::kAuthority}) {
    ExpectSameLens({.lens = lens}, 0, 100);
    ExpectSameLens({.lens = lens}, 900, 100);
  }
  const std::vector<Candidate> all = All();
  auto whole = ResolveSkeptic(all, {}, Ctx());
  ASSERT_TRUE(whole.ok());
  ASSERT_GT(whole->claims.size(), 1000u);  // past kStreamedClaimsListedMax: the first 1000 are listed
  whole->claims.resize(kStreamedClaimsListedMax);
  auto streamed = ResolveSkepticStreamed(*store_, Pair(), {}, Ctx());
  ASSERT_TRUE(streamed.ok()) << streamed.status().ToString();
  EXPECT_EQ(streamed->view.claims_count, whole->claims_count);
  EXPECT_EQ(Json(streamed->view, streamed->candidates), Json(*whole, all));
}

// Past its bound the condensed set is refused by name, never resolved in unbounded memory.
TEST_F(StreamedTest, TooManyDistinctClaimsAreRefusedByName) {
  Populate(500, 40, 6, 29);
  PairRead pair = Pair();
  pair.condensed_max = 50;
  auto lens = ResolveStreamed(*store_, pair, {.lens = LensKind::kAuthority}, Ctx(), 0, 10);
  ASSERT_FALSE(lens.ok());
  EXPECT_EQ(lens.status().code(), StatusCode::kOverloaded);
  EXPECT_EQ(lens.status().message().rfind("query_too_large: s / p holds more than 50 ", 0), 0u) << lens.status().ToString();
  EXPECT_NE(lens.status().message().find("source_class"), std::string::npos);
  EXPECT_FALSE(ResolveSkepticStreamed(*store_, pair, {}, Ctx()).ok());
  EXPECT_FALSE(ResolveLayeredStreamed(*store_, pair, {}, Ctx()).ok());
  pair.condensed_max = kCondensedMax;
  EXPECT_TRUE(ResolveStreamed(*store_, pair, {.lens = LensKind::kAuthority}, Ctx(), 0, 10).ok());
}

// An agent repeating itself costs the condensed set nothing: its size follows the distinct
// (tier, object, author) triples, not the claims.
TEST_F(StreamedTest, RepeatsDoNotGrowWhatIsHeld) {
  Populate(800, 3, 2, 17);
  auto streamed = ResolveStreamed(*store_, Pair(), {.lens = LensKind::kAuthority}, Ctx(), 0, 10);
  ASSERT_TRUE(streamed.ok());
  EXPECT_EQ(streamed->result.ranked.size(), 10u);
  // 3 authors x 2 objects x 6 tiers, plus each object's newest.
  EXPECT_LE(streamed->condensed_count, 3u * 2u * 6u + 2u);
  EXPECT_LE(streamed->candidates.size(), 11u);  // what is written: the page and the winner
}

TEST_F(StreamedTest, ASnapshotLeavesOutWhatCameAfter) {
  Populate(600, 10, 3, 19);
  const std::vector<Candidate> all = All();
  const uint64_t seq_max = all[350].seq;
  std::vector<Candidate> before(all.begin(), all.begin() + 351);
  auto whole = Resolve(before, {.lens = LensKind::kConsensus}, Ctx());
  ASSERT_TRUE(whole.ok());
  auto streamed = ResolveStreamed(*store_, Pair(seq_max), {.lens = LensKind::kConsensus}, Ctx(), 0,
                                  5000);
  ASSERT_TRUE(streamed.ok());
  EXPECT_EQ(Json(streamed->result, streamed->candidates), Json(*whole, before));
}

}  // namespace
}  // namespace stemedb::query
