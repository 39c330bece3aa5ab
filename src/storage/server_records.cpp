#include "stemedb/storage/server_records.h"

#include <cmath>
#include <cstring>

#include "stemedb/core/canonical_encoding.h"
#include "stemedb/core/sha256.h"
#include "stemedb/core/stored_record.h"

namespace stemedb::storage {
namespace {

constexpr uint8_t kFirstServerType = 6;
constexpr size_t kKeyIdBytesMax = 64;
constexpr size_t kNameBytesMax = 256;

// Server record bodies: u8 version (1), then fields in a fixed order; strings as u16le length +
// bytes. Small and strict: any length or size that does not add up is corruption.
class BodyWriter {
 public:
  BodyWriter() { out_.push_back(1); }
  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void I64(int64_t v) { Raw(&v, 8); }
  void F64(double v) { Raw(&v, 8); }
  void Bytes(const uint8_t* p, size_t n) { out_.append(reinterpret_cast<const char*>(p), n); }
  void Str(std::string_view s) {
    uint16_t n = static_cast<uint16_t>(s.size());
    Raw(&n, 2);
    out_.append(s);
  }
  std::string Take() { return std::move(out_); }

 private:
  void Raw(const void* p, size_t n) { out_.append(static_cast<const char*>(p), n); }
  std::string out_;
};

class BodyReader {
 public:
  explicit BodyReader(std::string_view b) : b_(b) {}
  bool Version() { return U8() == 1; }
  uint8_t U8() {
    uint8_t v = 0;
    Raw(&v, 1);
    return v;
  }
  int64_t I64() {
    int64_t v = 0;
    Raw(&v, 8);
    return v;
  }
  double F64() {
    double v = 0;
    Raw(&v, 8);
    return v;
  }
  template <size_t N>
  void Bytes(std::array<uint8_t, N>& a) { Raw(a.data(), N); }
  std::string Str(size_t max) {
    uint16_t n = 0;
    Raw(&n, 2);
    if (n > max || n > b_.size() - pos_) {
      ok_ = false;
      return {};
    }
    std::string s(b_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  bool Done() const { return ok_ && pos_ == b_.size(); }

 private:
  void Raw(void* p, size_t n) {
    if (!ok_ || n > b_.size() - pos_) {
      ok_ = false;
      return;
    }
    std::memcpy(p, b_.data() + pos_, n);
    pos_ += n;
  }
  std::string_view b_;
  size_t pos_ = 0;
  bool ok_ = true;
};

Status Corrupt(const char* what) { return Status::Corruption(std::string("malformed ") + what + " record"); }

}  // namespace

uint8_t WalType(const AnyRecord& record) { return static_cast<uint8_t>(record.index() + 1); }

AnyRecord FromCore(core::Record record) {
  return std::visit([](auto&& r) -> AnyRecord { return std::move(r); }, std::move(record));
}

std::string EncodeBody(const AnyRecord& record) {
  if (record.index() < kFirstServerType - 1) {
    return std::visit(
        [](const auto& r) -> std::string {
          using T = std::decay_t<decltype(r)>;
          if constexpr (std::is_constructible_v<core::Record, T>) return core::EncodeStored(core::Record(r));
          else return {};
        },
        record);
  }
  BodyWriter w;
  if (const auto* k = std::get_if<ApiKeyCreated>(&record)) {
    w.Str(k->key_id);
    w.Str(k->role);
    w.Bytes(k->secret_hash.data(), k->secret_hash.size());
    w.Str(k->name);
    w.I64(k->created_at_s);
  } else if (const auto* r = std::get_if<ApiKeyRevoked>(&record)) {
    w.Str(r->key_id);
    w.I64(r->revoked_at_s);
  } else if (const auto* t = std::get_if<TrustOverride>(&record)) {
    w.Bytes(t->agent.data(), t->agent.size());
    w.U8(t->score.has_value());
    w.F64(t->score.value_or(0));
  } else if (const auto* term = std::get_if<TermStarted>(&record)) {
    w.I64(static_cast<int64_t>(term->term));
    w.Str(term->leader);
    w.I64(term->started_at_ms);
  }
  return w.Take();
}

Result<AnyRecord> DecodeBody(uint8_t wal_type, std::string_view body) {
  if (wal_type >= 1 && wal_type < kFirstServerType) {
    auto kind = core::RecordKindFromByte(wal_type);
    if (!kind) return Status::Corruption("unknown record type " + std::to_string(wal_type));
    auto r = core::DecodeStored(*kind, body);
    if (!r.ok()) return r.status();
    return FromCore(std::move(r).value());
  }
  BodyReader in(body);
  if (!in.Version()) return Status::Corruption("server record of unknown version");
  switch (wal_type) {
    case 6: {
      ApiKeyCreated k;
      k.key_id = in.Str(kKeyIdBytesMax);
      k.role = in.Str(16);
      in.Bytes(k.secret_hash);
      k.name = in.Str(kNameBytesMax);
      k.created_at_s = in.I64();
      if (!in.Done() || k.key_id.empty()) return Corrupt("api_key_created");
      return AnyRecord(std::move(k));
    }
    case 7: {
      ApiKeyRevoked r;
      r.key_id = in.Str(kKeyIdBytesMax);
      r.revoked_at_s = in.I64();
      if (!in.Done() || r.key_id.empty()) return Corrupt("api_key_revoked");
      return AnyRecord(std::move(r));
    }
    case 8: {
      TrustOverride t;
      in.Bytes(t.agent);
      bool has = in.U8() != 0;
      double score = in.F64();
      if (!in.Done() || (has && !(score >= 0 && score <= 1))) return Corrupt("trust_override");
      if (has) t.score = score;
      return AnyRecord(std::move(t));
    }
    case kTermStartedWalType: {
      TermStarted t;
      const int64_t term = in.I64();
      t.leader = in.Str(kNameBytesMax);
      t.started_at_ms = in.I64();
      if (!in.Done() || term <= 0 || t.leader.empty()) return Corrupt("term_started");
      t.term = static_cast<uint64_t>(term);
      return AnyRecord(std::move(t));
    }
    default:
      return Status::Corruption("unknown record type " + std::to_string(wal_type));
  }
}

core::Hash32 RecordId(const AnyRecord& record) {
  if (record.index() < kFirstServerType - 1) {
    return std::visit(
        [](const auto& r) -> core::Hash32 {
          using T = std::decay_t<decltype(r)>;
          if constexpr (std::is_constructible_v<core::Record, T>) return core::ContentId(r);
          else return {};
        },
        record);
  }
  return core::Sha256(EncodeBody(record));
}

}  // namespace stemedb::storage
