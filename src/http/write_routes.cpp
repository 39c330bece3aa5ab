// POST /v1/assert, /v1/assert/batch, /v1/vote, /v1/epoch, /v1/sources,
// /v1/sources/{hash}/retract (http-api.md, Writes).
//
// Every write runs the same pipeline on a worker thread (worker_pool.h): gate (is the node taking
// writes?) -> parse and validate the body -> verify signatures -> check against stored records ->
// append to the WAL. The reply is sent from the journal's callback, after the record is durable and
// applied: a 2xx means durable, and a read after it sees the write.

#include "stemedb/http/acknowledgement.h"
#include "stemedb/http/write_routes.h"

#include <nlohmann/json.hpp>

#include "stemedb/core/assertion_body.h"
#include "stemedb/core/canonical_encoding.h"
#include "stemedb/core/hex.h"
#include "stemedb/core/json_body.h"
#include "stemedb/core/record_json.h"
#include "stemedb/core/signature_check.h"
#include "stemedb/http/api_errors.h"
#include "stemedb/ops/json_writer.h"
#include "stemedb/storage/write_checks.h"

namespace stemedb::http {
namespace {

using nlohmann::json;
using storage::PendingWrite;
using storage::WriteOutcome;
using storage::WriteStatus;

// A single write's body up to this size runs on the I/O thread that read it. A signature entry
// takes about 215 bytes of JSON, so such a body carries at most 9 signatures: under half a
// millisecond of checks on a core that verifies 25,000 a second, the cost of an in-place query of
// the lens routes (query_routes.cpp). A plain claim's body is 400 to 600 bytes.
constexpr size_t kInPlaceWriteBodyBytesMax = 2048;

// A write's outcome as members of its answer, keys in alphabetical order as the answers have
// always had them; `index` is a batch item's.
void WriteOutcomeMembers(ops::JsonWriter& w, const WriteOutcome& o, std::optional<size_t> index) {
  w.Key("id").String(core::IdHex(o.id));
  if (index) w.Key("index").UInt(*index);
  w.Key("ingested_at").UInt(o.ingested_at_ms);
  w.Key("position").UInt(o.position);
  w.Key("seq").UInt(o.seq);
  w.Key("status").String(storage::WriteStatusName(o.status));
}

std::string OutcomeBody(const WriteOutcome& o) {
  std::string body;
  ops::JsonWriter w(body);
  w.BeginObject();
  WriteOutcomeMembers(w, o, std::nullopt);
  w.EndObject();
  return body;
}

// The batch's answer: one result an item, in the items' order, each either its outcome or why
// it was refused. Written without a DOM: a batch of 100 answered through nlohmann::json cost
// about 2% of the server's CPU a claim (docs/benchmarks.md).
std::string BatchAnswer(const std::vector<std::optional<core::FieldError>>& errors,
                        const std::vector<size_t>& valid_index, const std::vector<WriteOutcome>& outcomes) {
  std::vector<const WriteOutcome*> by_item(errors.size(), nullptr);
  for (size_t k = 0; k < outcomes.size(); ++k) by_item[valid_index[k]] = &outcomes[k];
  std::string body;
  body.reserve(errors.size() * 160);
  ops::JsonWriter w(body);
  w.BeginObject().Key("results").BeginArray();
  for (size_t i = 0; i < errors.size(); ++i) {
    w.BeginObject();
    if (by_item[i]) {
      WriteOutcomeMembers(w, *by_item[i], i);
    } else if (errors[i]) {
      w.Key("error").BeginObject();
      w.Key("code").String(errors[i]->code).Key("field").String(errors[i]->field);
      w.Key("message").String(errors[i]->message);
      w.EndObject();
      w.Key("index").UInt(i);
    }
    w.EndObject();
  }
  w.EndArray().EndObject();
  return body;
}

class WriteHandlers {
 public:
  explicit WriteHandlers(ApiContext& ctx)
      : ctx_(ctx),
        ingested_(
            ctx.metrics.AddCounter("stemedb_assertions_ingested_total",
                                   "Assertions this process accepted as new (status created).")),
        rejected_(ctx.metrics.CounterFamily("stemedb_assertions_rejected_total",
                                            "Assertions refused, by reason (the error code).",
                                            {"reason"})) {}

  void Assert(const Request& req, Responder respond);
  void AssertBatch(const Request& req, Responder respond);
  void Vote(const Request& req, Responder respond);
  void Epoch(const Request& req, Responder respond);
  void Source(const Request& req, Responder respond);
  void Retract(const Request& req, Responder respond);

 private:
  // Counts the request as an in-flight write until it is answered, then checks that the node
  // takes writes. Counting first closes the race with a drain: either the drain sees this write
  // and waits for it, or this write sees the drain and is refused. nullopt when refused
  // (already answered with 503).
  std::optional<Responder> Admit(const Request& req, Responder respond);
  std::optional<Response> Gate(const Request& req) const;
  // Parses the body as JSON and then as a record (assertions have their own reader:
  // assertion_body.h); on failure answers and returns nullopt.
  template <typename R>
  std::optional<R> Parse(const Request& req, const Responder& respond,
                         core::FieldResult<R> (*from_json)(const json&));
  // The record's signatures checked, unless signatures.skip_unsafe: then not even computed (the
  // engine's cost without them is what that mode is for); on failure answers and returns false.
  template <typename R>
  bool Verified(const Request& req, const Responder& respond, const R& record,
                const core::Hash32& id, bool is_assertion);
  // The signature check of one record, or nothing when skip_unsafe is on.
  template <typename R>
  std::optional<core::FieldError> SignatureProblem(const R& record, const core::Hash32& id) const {
    if (ctx_.skip_signatures) return std::nullopt;
    return core::VerifySignatures(record, id);
  }
  // Answers a failed check; true when the check passed.
  bool Checked(const Request& req, const Responder& respond, const storage::CheckResult& check,
               bool is_assertion);
  void Reject(const core::FieldError& e, bool is_assertion, const Request& req,
              const Responder& respond);
  // Appends and answers from the journal's callback with `reply`.
  void Commit(const Request& req, std::vector<PendingWrite> writes, Responder respond,
              std::function<Response(const std::vector<WriteOutcome>&)> reply);
  void CountIngested(const std::vector<WriteOutcome>& outcomes, size_t assertions);
  // Synchronous commit (ReplicationHooks::await_standbys): answers with `reply` once enough
  // standbys flushed the outcomes' last position, else 503 replication_timeout.
  void AwaitStandbys(const std::string& request_id, std::vector<WriteOutcome> outcomes, const Responder& respond,
                     const std::function<Response(const std::vector<WriteOutcome>&)>& reply);

  ApiContext& ctx_;
  ops::Counter& ingested_;
  ops::Family<ops::Counter>& rejected_;
};

std::optional<Response> WriteHandlers::Gate(const Request& req) const {
  if (ctx_.node.journal_failed()) {
    return StatusResponse(
        Status::Unavailable("journal_failed: " + ctx_.store.journal().failure().ToString()),
        req.request_id);
  }
  if (ctx_.node.disk_full()) {
    return StatusResponse(
        Status::DiskFull("disk_full: the disk of the WAL or of RocksDB is full; writes resume by "
                         "themselves once space is freed"),
        req.request_id);
  }
  if (ctx_.node.mode() != NodeMode::kServing) {
    std::string state = ctx_.node.Readiness();
    return RetryLaterResponse(
        {503, state == "recovering" ? "recovering" : "draining",
         "the node is " + state + " and takes no writes; retry on another node or later", ""},
        req.request_id, 5);
  }
  if (ctx_.replication.not_primary) {
    if (auto primary = ctx_.replication.not_primary()) return NotPrimaryResponse(*primary, req.request_id);
  }
  if (ctx_.store.degraded()) {
    return RetryLaterResponse(
        {503, "storage_degraded",
         "the storage tier is failing and the memory tier is full; writes resume when it recovers",
         ""},
        req.request_id, 5);
  }
  return std::nullopt;
}

std::optional<Responder> WriteHandlers::Admit(const Request& req, Responder respond) {
  ctx_.node.WriteStarted();
  NodeState* node = &ctx_.node;
  Responder tracked = [node, respond = std::move(respond)](Response r) {
    node->WriteFinished();
    respond(std::move(r));
  };
  if (auto refusal = Gate(req)) {
    tracked(std::move(*refusal));
    return std::nullopt;
  }
  return tracked;
}

void WriteHandlers::Reject(const core::FieldError& e, bool is_assertion, const Request& req,
                           const Responder& respond) {
  if (is_assertion) rejected_.WithLabels({e.code}).Inc();
  respond(FieldErrorResponse(e, req.request_id));
}

template <typename R>
std::optional<R> WriteHandlers::Parse(const Request& req, const Responder& respond,
                                      core::FieldResult<R> (*from_json)(const json&)) {
  auto body = core::ParseJsonBody(req.body, ctx_.max_body_bytes);
  if (!body.ok()) {
    Reject(body.error(), false, req, respond);
    return std::nullopt;
  }
  auto record = from_json(*body);
  if (!record.ok()) {
    Reject(record.error(), false, req, respond);
    return std::nullopt;
  }
  return std::move(record).value();
}

template <typename R>
bool WriteHandlers::Verified(const Request& req, const Responder& respond, const R& record,
                             const core::Hash32& id, bool is_assertion) {
  const std::optional<core::FieldError> error = SignatureProblem(record, id);
  if (!error) return true;
  Reject(*error, is_assertion, req, respond);
  return false;
}

bool WriteHandlers::Checked(const Request& req, const Responder& respond,
                            const storage::CheckResult& check, bool is_assertion) {
  if (!check.ok()) {
    respond(StatusResponse(check.status(), req.request_id));
    return false;
  }
  if (!check->has_value()) return true;
  Reject(**check, is_assertion, req, respond);
  return false;
}

void WriteHandlers::CountIngested(const std::vector<WriteOutcome>& outcomes, size_t assertions) {
  for (size_t i = 0; i < assertions && i < outcomes.size(); ++i) {
    if (outcomes[i].status == WriteStatus::kCreated) ingested_.Inc();
  }
}

void WriteHandlers::Commit(const Request& req, std::vector<PendingWrite> writes, Responder respond,
                           std::function<Response(const std::vector<WriteOutcome>&)> reply) {
  std::string request_id = req.request_id;
  // Runs on the WAL writer's thread: a throw there would end the process, so it answers 500.
  ctx_.store.Write(std::move(writes), [this, respond, request_id, reply = std::move(reply)](
                                          const Status& s, std::vector<WriteOutcome> outcomes) {
    if (!s.ok() || !ctx_.replication.await_standbys) {
      return AnswerGuarded(respond, request_id, "write callback", [&] {
        if (!s.ok()) return StatusResponse(s, request_id);
        if (auto refused = AcknowledgeRefused(ctx_.replication, outcomes, request_id)) return *refused;
        return reply(outcomes);
      });
    }
    AwaitStandbys(request_id, std::move(outcomes), respond, reply);
  });
}

void WriteHandlers::AwaitStandbys(const std::string& request_id, std::vector<WriteOutcome> outcomes,
                                  const Responder& respond,
                                  const std::function<Response(const std::vector<WriteOutcome>&)>& reply) {
  uint64_t position = 0;
  for (const WriteOutcome& o : outcomes) position = std::max(position, o.position);
  auto shared = std::make_shared<std::vector<WriteOutcome>>(std::move(outcomes));
  // Synchronous commit: durable here, answered once enough standbys have it too. After the
  // timeout the client learns the ids (a retry is idempotent: ids are content hashes).
  ctx_.replication.await_standbys(position, [this, respond, request_id, reply, shared, position](bool reached) {
    AnswerGuarded(respond, request_id, "synchronous commit", [&] {
      if (auto refused = AcknowledgeRefused(ctx_.replication, *shared, request_id)) return *refused;
      if (reached) return reply(*shared);
      std::string ids;
      for (const WriteOutcome& o : *shared) ids += (ids.empty() ? "" : ",") + core::IdHex(o.id);
      return RetryLaterResponse({503, "replication_timeout",
                                 "durable on the primary at position " + std::to_string(position) +
                                     " but not yet flushed by enough synchronous standbys; retrying is safe "
                                     "(same ids): " + ids,
                                 ""},
                                request_id, 1);
    });
  });
}

void WriteHandlers::Assert(const Request& req, Responder respond) {
  auto admitted = Admit(req, std::move(respond));
  if (!admitted) return;
  respond = std::move(*admitted);
  auto a = core::AssertionFromBody(req.body, ctx_.max_body_bytes);
  if (!a.ok()) return Reject(a.error(), true, req, respond);
  const core::Hash32 id = core::ContentId(*a);
  if (!Verified(req, respond, *a, id, true)) return;
  bool absent = false;
  if (!Checked(req, respond, storage::CheckAssertion(ctx_.store, *a, id, nullptr, "", &absent), true)) return;
  std::vector<PendingWrite> writes;
  writes.push_back({std::move(*a), id, absent});
  Commit(req, std::move(writes), std::move(respond), [this](const std::vector<WriteOutcome>& o) {
    CountIngested(o, 1);
    return JsonResponse(o[0].status == WriteStatus::kCreated ? 201 : 200, OutcomeBody(o[0]));
  });
}

void WriteHandlers::AssertBatch(const Request& req, Responder respond) {
  auto admitted = Admit(req, std::move(respond));
  if (!admitted) return;
  respond = std::move(*admitted);
  auto items = core::AssertionBatchFromBody(req.body, ctx_.max_body_bytes);
  if (!items.ok()) return Reject(items.error(), true, req, respond);

  // Each item is judged on its own; valid ones go to the WAL together (one group commit).
  const size_t n = items->size();
  std::vector<std::optional<core::FieldError>> errors(n);
  std::vector<core::Assertion> valid;
  std::vector<size_t> valid_index;
  std::vector<core::Hash32> valid_ids;
  std::vector<bool> valid_absent;
  valid.reserve(n);  // the overlay points into it: no reallocation
  storage::BatchOverlay overlay;
  for (size_t i = 0; i < n; ++i) {
    const std::string prefix = "assertions[" + std::to_string(i) + "].";
    auto item_error = [&](const core::FieldError& e) {
      core::FieldError p = Prefixed(e, prefix);
      rejected_.WithLabels({p.code}).Inc();
      errors[i] = std::move(p);
    };
    core::FieldResult<core::Assertion>& a = (*items)[i];
    if (!a.ok()) {
      item_error(a.error());
      continue;
    }
    const core::Hash32 id = core::ContentId(*a);
    if (auto sig = SignatureProblem(*a, id)) {
      item_error(*sig);
      continue;
    }
    bool absent = false;
    auto check = storage::CheckAssertion(ctx_.store, *a, id, &overlay, "", &absent);
    if (!check.ok()) return respond(StatusResponse(check.status(), req.request_id));
    if (check->has_value()) {
      item_error(**check);
      continue;
    }
    valid.push_back(std::move(*a));
    valid_index.push_back(i);
    valid_ids.push_back(id);
    valid_absent.push_back(absent);
    overlay.emplace(id, &valid.back());
  }
  auto reply = [this, errors = std::move(errors), valid_index](const std::vector<WriteOutcome>& o) {
    CountIngested(o, o.size());
    return JsonResponse(200, BatchAnswer(errors, valid_index, o));
  };
  if (valid.empty()) return respond(reply({}));
  std::vector<PendingWrite> writes;
  for (size_t k = 0; k < valid.size(); ++k) writes.push_back({std::move(valid[k]), valid_ids[k], valid_absent[k]});
  Commit(req, std::move(writes), std::move(respond), std::move(reply));
}

void WriteHandlers::Vote(const Request& req, Responder respond) {
  auto admitted = Admit(req, std::move(respond));
  if (!admitted) return;
  respond = std::move(*admitted);
  auto v = Parse<core::Vote>(req, respond, &core::VoteFromJson);
  if (!v) return;
  const core::Hash32 id = core::ContentId(*v);
  if (!Verified(req, respond, *v, id, false)) return;
  if (!Checked(req, respond, storage::CheckVote(ctx_.store, *v), false)) return;
  std::vector<PendingWrite> writes;
  writes.push_back({std::move(*v), id});
  Commit(req, std::move(writes), std::move(respond), [](const std::vector<WriteOutcome>& o) {
    return JsonResponse(o[0].status == WriteStatus::kCreated ? 201 : 200, OutcomeBody(o[0]));
  });
}

void WriteHandlers::Epoch(const Request& req, Responder respond) {
  auto admitted = Admit(req, std::move(respond));
  if (!admitted) return;
  respond = std::move(*admitted);
  auto e = Parse<core::Epoch>(req, respond, &core::EpochFromJson);
  if (!e) return;
  const core::Hash32 id = core::ContentId(*e);
  if (!Verified(req, respond, *e, id, false)) return;
  if (!Checked(req, respond, storage::CheckEpoch(ctx_.store.catalog(), *e, id), false)) return;
  std::vector<PendingWrite> writes;
  writes.push_back({std::move(*e), id});
  Commit(req, std::move(writes), std::move(respond), [](const std::vector<WriteOutcome>& o) {
    return JsonResponse(o[0].status == WriteStatus::kCreated ? 201 : 200, OutcomeBody(o[0]));
  });
}

void WriteHandlers::Source(const Request& req, Responder respond) {
  auto admitted = Admit(req, std::move(respond));
  if (!admitted) return;
  respond = std::move(*admitted);
  auto s = Parse<core::Source>(req, respond, &core::SourceFromJson);
  if (!s) return;
  const core::Hash32 id = core::ContentId(*s);
  std::vector<PendingWrite> writes;
  writes.push_back({std::move(*s), id});
  Commit(req, std::move(writes), std::move(respond), [](const std::vector<WriteOutcome>& o) {
    return JsonResponse(
        o[0].status == WriteStatus::kCreated ? 201 : 200,
        json{{"id", core::IdHex(o[0].id)},
             {"position", o[0].position},
             {"status", storage::WriteStatusName(o[0].status)}}
            .dump());
  });
}

void WriteHandlers::Retract(const Request& req, Responder respond) {
  auto admitted = Admit(req, std::move(respond));
  if (!admitted) return;
  respond = std::move(*admitted);
  auto hash = core::HexDecodeArray<32>(req.path_params.at("hash"));
  if (!hash.ok()) {
    return Reject(core::Malformed(core::error_code::kInvalidHex, "hash", hash.status().message()),
                  false, req, respond);
  }
  auto body = core::ParseJsonBody(req.body, ctx_.max_body_bytes);
  if (!body.ok()) return Reject(body.error(), false, req, respond);
  auto r = core::SourceRetractionFromJson(*body, *hash);
  if (!r.ok()) return Reject(r.error(), false, req, respond);
  if (!Checked(req, respond, storage::CheckRetraction(ctx_.store, *r), false)) return;
  const core::Hash32 id = core::ContentId(*r);
  const core::Hash32 source = r->source_hash;
  std::vector<PendingWrite> writes;
  writes.push_back({std::move(*r), id});
  Commit(req, std::move(writes), std::move(respond), [source](const std::vector<WriteOutcome>& o) {
    return JsonResponse(
        200, json{{"id", core::IdHex(source)},
                  {"position", o[0].position},
                  {"status", o[0].status == WriteStatus::kCreated ? "retracted" : "exists"},
                  {"seq", o[0].seq}}
                 .dump());
  });
}

}  // namespace

void AddWriteRoutes(Router& router, ApiContext& ctx) {
  auto h = std::make_shared<WriteHandlers>(ctx);
  auto bind = [h](void (WriteHandlers::*fn)(const Request&, Responder)) {
    return [h, fn](const Request& req, Responder respond) { ((*h).*fn)(req, std::move(respond)); };
  };
  // Each parses a body of up to server.max_body_bytes and checks its signatures (a batch: up to
  // 1,000 items of 16 signers): CPU work for the worker pool, off the I/O threads. A small body
  // is checked where it was read: the two hand-offs to a worker and back cost more than its
  // one or two signatures (runs_in_place).
  constexpr RouteExecution kPool = RouteExecution::kWorkerPool;
  const RunsInPlace small = [](const Request& req) {
    return req.body.size() <= kInPlaceWriteBodyBytesMax;
  };
  router.Add(Method::kPost, "/v1/assert", RouteClass::kWrite, bind(&WriteHandlers::Assert), kPool,
             small);
  router.Add(Method::kPost, "/v1/assert/batch", RouteClass::kWrite,
             bind(&WriteHandlers::AssertBatch), kPool);
  router.Add(Method::kPost, "/v1/vote", RouteClass::kWrite, bind(&WriteHandlers::Vote), kPool,
             small);
  router.Add(Method::kPost, "/v1/epoch", RouteClass::kWrite, bind(&WriteHandlers::Epoch), kPool,
             small);
  router.Add(Method::kPost, "/v1/sources", RouteClass::kWrite, bind(&WriteHandlers::Source), kPool,
             small);
  router.Add(Method::kPost, "/v1/sources/{hash}/retract", RouteClass::kAdmin,
             bind(&WriteHandlers::Retract), kPool);
}

}  // namespace stemedb::http
