#include "stemedb/storage/memtable.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace stemedb::storage {
namespace {

struct Decoded {
  CfId cf;
  std::string_view key;
  uint64_t version;
  std::string_view value;
};

Decoded Decode(const char* p) {
  Decoded d;
  d.cf = static_cast<CfId>(p[0]);
  uint32_t key_len;
  std::memcpy(&key_len, p + 1, 4);
  d.key = std::string_view(p + 5, key_len);
  std::memcpy(&d.version, p + 5 + key_len, 8);
  uint32_t value_len;
  std::memcpy(&value_len, p + 13 + key_len, 4);
  d.value = std::string_view(p + 17 + key_len, value_len);
  return d;
}

}  // namespace

int MemTable::EntryCompare::operator()(const char* a, const char* b) const {
  // The hottest function of the write path (every insert and lookup walks the skip list with
  // it): reads only the cf, key and version, never the value's length.
  if (a[0] != b[0]) return static_cast<uint8_t>(a[0]) < static_cast<uint8_t>(b[0]) ? -1 : 1;
  uint32_t a_len, b_len;
  std::memcpy(&a_len, a + 1, 4);
  std::memcpy(&b_len, b + 1, 4);
  const int c = std::memcmp(a + 5, b + 5, std::min(a_len, b_len));
  if (c != 0) return c;
  if (a_len != b_len) return a_len < b_len ? -1 : 1;
  uint64_t a_version, b_version;
  std::memcpy(&a_version, a + 5 + a_len, 8);
  std::memcpy(&b_version, b + 5 + b_len, 8);
  if (a_version != b_version) return a_version > b_version ? -1 : 1;  // newest first
  return 0;
}

MemTable::MemTable() : table_(EntryCompare{}, &arena_) {}

const char* MemTable::Encode(CfId cf, std::string_view key, uint64_t version, std::string_view value) {
  const uint32_t key_len = static_cast<uint32_t>(key.size());
  const uint32_t value_len = static_cast<uint32_t>(value.size());
  char* p = arena_.AllocateAligned(17 + key.size() + value.size());
  p[0] = static_cast<char>(cf);
  std::memcpy(p + 1, &key_len, 4);
  std::memcpy(p + 5, key.data(), key.size());
  std::memcpy(p + 5 + key.size(), &version, 8);
  std::memcpy(p + 13 + key.size(), &value_len, 4);
  std::memcpy(p + 17 + key.size(), value.data(), value.size());
  return p;
}

void MemTable::Put(CfId cf, std::string_view key, std::string_view value) {
  table_.Insert(Encode(cf, key, next_version_++, value));
  entries_.fetch_add(1, std::memory_order_relaxed);
}

namespace {

// A lookup key that sorts before every stored version of (cf, key): the largest version comes
// first. Short keys (all of the store's) are built on the stack, so a lookup allocates nothing.
class Probe {
 public:
  Probe(CfId cf, std::string_view key) {
    const size_t size = 13 + key.size();
    char* p = stack_;
    if (size > sizeof stack_) {
      heap_.resize(size);
      p = heap_.data();
    }
    const uint32_t key_len = static_cast<uint32_t>(key.size());
    const uint64_t newest = std::numeric_limits<uint64_t>::max();
    p[0] = static_cast<char>(cf);
    std::memcpy(p + 1, &key_len, 4);
    std::memcpy(p + 5, key.data(), key.size());
    std::memcpy(p + 5 + key.size(), &newest, 8);
    data_ = p;
  }
  Probe(const Probe&) = delete;
  Probe& operator=(const Probe&) = delete;
  const char* data() const { return data_; }

 private:
  char stack_[256];
  std::string heap_;
  const char* data_;
};

}  // namespace

std::optional<std::string_view> MemTable::Get(CfId cf, std::string_view key) const {
  const Probe probe(cf, key);
  Table::Iterator it(&table_);
  it.Seek(probe.data());
  if (!it.Valid()) return std::nullopt;
  Decoded d = Decode(it.key());
  if (d.cf != cf || d.key != key) return std::nullopt;
  return d.value;
}

void MemTable::Scan(CfId cf, std::string_view start, std::string_view end,
                    const std::function<bool(std::string_view, std::string_view)>& fn) const {
  const Probe probe(cf, start);
  Table::Iterator it(&table_);
  std::string_view last_key;
  bool have_last = false;
  for (it.Seek(probe.data()); it.Valid(); it.Next()) {
    Decoded d = Decode(it.key());
    if (d.cf != cf || (!end.empty() && d.key >= end)) break;
    if (have_last && d.key == last_key) continue;  // an older version
    last_key = d.key;
    have_last = true;
    if (!fn(d.key, d.value)) break;
  }
}

void MemTable::ForEach(const std::function<void(CfId, std::string_view, std::string_view)>& fn) const {
  Table::Iterator it(&table_);
  CfId last_cf = 0;
  std::string_view last_key;
  bool have_last = false;
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    Decoded d = Decode(it.key());
    if (have_last && d.cf == last_cf && d.key == last_key) continue;
    last_cf = d.cf;
    last_key = d.key;
    have_last = true;
    fn(d.cf, d.key, d.value);
  }
}

}  // namespace stemedb::storage
