#include "stemedb/index/keys.h"

#include <cstring>

namespace stemedb::index {
namespace {

void AppendId(std::string& out, const Id& id) { out.append(reinterpret_cast<const char*>(id.data()), id.size()); }

}  // namespace

void PutBigEndian64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

uint64_t GetBigEndian64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

std::string RecordKey(core::RecordKind kind, const Id& id) {
  std::string k(1, static_cast<char>(kind));
  AppendId(k, id);
  return k;
}

std::string SubjectPredicatePrefix(std::string_view subject, std::string_view predicate) {
  std::string k;
  k.reserve(subject.size() + predicate.size() + 10);
  k.append(subject);
  k.push_back('\0');
  k.append(predicate);
  k.push_back('\0');
  return k;
}

std::string SubjectPredicateKey(std::string_view subject, std::string_view predicate, uint64_t seq) {
  std::string k = SubjectPredicatePrefix(subject, predicate);
  PutBigEndian64(k, seq);
  return k;
}

std::string SubjectPrefix(std::string_view subject) {
  std::string k(subject);
  k.push_back('\0');
  return k;
}

std::string SubjectPredicatesKey(std::string_view subject, std::string_view predicate) {
  std::string k = SubjectPrefix(subject);
  k.append(predicate);
  return k;
}

std::string IdSeqKey(const Id& id, uint64_t seq) {
  std::string k;
  AppendId(k, id);
  PutBigEndian64(k, seq);
  return k;
}

std::string IdPrefix(const Id& id) {
  std::string k;
  AppendId(k, id);
  return k;
}

std::string IdPairKey(const Id& first, const Id& second) {
  std::string k;
  AppendId(k, first);
  AppendId(k, second);
  return k;
}

std::string SeqKey(uint64_t seq) {
  std::string k;
  PutBigEndian64(k, seq);
  return k;
}

std::string PrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(end.back());
    if (last != 0xff) {
      ++last;
      return end;
    }
    end.pop_back();
  }
  return end;
}

uint64_t SeqOfKey(std::string_view key) { return GetBigEndian64(key.data() + key.size() - 8); }

Id TrailingId(std::string_view key) {
  Id id;
  std::memcpy(id.data(), key.data() + key.size() - id.size(), id.size());
  return id;
}

std::string_view PredicateOfKey(std::string_view key, size_t subject_prefix_bytes) {
  return key.substr(subject_prefix_bytes);
}

std::string KindIdValue(core::RecordKind kind, const Id& id) { return RecordKey(kind, id); }

Result<KindAndId> DecodeKindIdValue(std::string_view value) {
  if (value.size() != 33) return Status::Corruption("index value of " + std::to_string(value.size()) + " bytes, expected 33");
  auto kind = core::RecordKindFromByte(static_cast<uint8_t>(value[0]));
  if (!kind) return Status::Corruption("index value names unknown record kind " + std::to_string(static_cast<uint8_t>(value[0])));
  KindAndId out{*kind, {}};
  std::memcpy(out.id.data(), value.data() + 1, 32);
  return out;
}

Result<Id> DecodeIdValue(std::string_view value) {
  if (value.size() != 32) return Status::Corruption("index value of " + std::to_string(value.size()) + " bytes, expected 32");
  Id id;
  std::memcpy(id.data(), value.data(), 32);
  return id;
}

}  // namespace stemedb::index
