#include "export_stream.h"

#include <nlohmann/json.hpp>

#include "stemedb/core/record_json.h"

namespace stemedb::http {
namespace {

// Log entries one page reads: a chunk of some hundreds of KiB.
constexpr size_t kPageEntriesMax = 1000;

// The record an entry introduced, as a client posts it; nullopt for an entry that does not
// introduce one (a co-signing write) or a kind that is not exported.
Result<std::optional<core::Record>> ExportedRecord(storage::Store& store, const storage::LogEntry& e) {
  using Out = std::optional<core::Record>;
  auto take = [&e](auto got) -> Result<Out> {
    if (!got.ok()) return got.status();
    if (!got->has_value() || (*got)->meta.seq != e.seq) return Out{};
    return Out{core::Record{std::move((*got)->record)}};
  };
  switch (e.kind) {
    case core::RecordKind::kAssertion: return take(store.GetAssertion(e.id));
    case core::RecordKind::kVote: return take(store.GetVote(e.id));
    case core::RecordKind::kEpoch: return take(store.GetEpoch(e.id));
    case core::RecordKind::kSource: return take(store.GetSource(e.id));
    default: return Out{};
  }
}

std::string ErrorLine(const std::string& message) {
  return nlohmann::json{{"error", {{"code", "export_failed"}, {"message", message}}}}.dump() + "\n";
}

}  // namespace

struct ExportHub::Export {
  uint64_t after_seq;
  uint64_t to_seq;
  bool ended = false;  // the last chunk (or the error line) was delivered
  std::atomic<bool> cancelled{false};

  // What a stopping server sends: the error line once (the export is cut short), then the end.
  std::optional<std::string> StoppingChunk() {
    if (ended) return std::nullopt;
    ended = true;
    return ErrorLine("the server is stopping");
  }
};

class ExportHub::Stream final : public ResponseStream {
 public:
  Stream(ExportHub& hub, std::shared_ptr<Export> e) : hub_(hub), e_(std::move(e)) {}
  ~Stream() override { hub_.open_.fetch_sub(1); }

  void Next(std::function<void(std::optional<std::string>)> deliver) override {
    {
      std::lock_guard lock(hub_.mu_);
      if (!hub_.stop_) {
        hub_.asks_.push_back({e_, std::move(deliver)});
        hub_.cv_.notify_one();
        return;
      }
    }
    deliver(e_->StoppingChunk());
  }
  void Cancel() override { e_->cancelled.store(true); }

 private:
  ExportHub& hub_;
  std::shared_ptr<Export> e_;
};

ExportHub::ExportHub(storage::Store& store) : store_(store), thread_([this] { Loop(); }) {}

ExportHub::~ExportHub() { Stop(); }

std::shared_ptr<ResponseStream> ExportHub::Open(uint64_t after_seq, uint64_t to_seq) {
  if (open_.fetch_add(1) >= kExportsMax) {
    open_.fetch_sub(1);
    return nullptr;
  }
  auto e = std::make_shared<Export>();
  e->after_seq = after_seq;
  e->to_seq = to_seq;
  return std::make_shared<Stream>(*this, std::move(e));
}

void ExportHub::Stop() {
  std::deque<Ask> left;
  {
    std::lock_guard lock(mu_);
    if (stop_) return;
    stop_ = true;
    left.swap(asks_);
    cv_.notify_one();
  }
  thread_.join();
  for (Ask& a : left) a.deliver(a.which->StoppingChunk());
}

void ExportHub::Loop() {
  for (;;) {
    Ask ask;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !asks_.empty(); });
      if (stop_) return;  // Stop answers what is queued
      ask = std::move(asks_.front());
      asks_.pop_front();
    }
    Export& e = *ask.which;
    std::optional<std::string> chunk = e.cancelled.load() || e.ended ? std::nullopt : ReadPage(e);
    if (!chunk) e.ended = true;
    ask.deliver(std::move(chunk));
  }
}

std::optional<std::string> ExportHub::ReadPage(Export& e) {
  std::string chunk;
  // Never an empty chunk: in chunked encoding it would end the body.
  while (chunk.empty() && e.after_seq < e.to_seq) {
    auto entries = store_.LogAfter(e.after_seq, kPageEntriesMax);
    if (!entries.ok()) {
      e.after_seq = e.to_seq;  // the error line is the last
      return ErrorLine(entries.status().ToString());
    }
    if (entries->empty()) break;
    for (const auto& entry : *entries) {
      if (entry.seq > e.to_seq) {
        e.after_seq = e.to_seq;
        break;
      }
      e.after_seq = entry.seq;
      auto record = ExportedRecord(store_, entry);
      if (!record.ok()) {
        e.after_seq = e.to_seq;
        return chunk + ErrorLine(record.status().ToString());
      }
      if (*record) chunk += core::ToJson(**record).dump() + "\n";
    }
  }
  if (chunk.empty()) return std::nullopt;
  return chunk;
}

}  // namespace stemedb::http
