#include "stemedb/core/plain_assertion_reader.h"

#include <array>
#include <charconv>
#include <cmath>
#include <span>

#include "stemedb/core/hex.h"
#include "stemedb/core/limits.h"
#include "stemedb/core/utf8.h"

namespace stemedb::core {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// One value of an object's "value" member, kept as text until "type" says what it must be (the
// two members may come in either order).
struct Scalar {
  enum class Kind { kString, kNumber, kBoolean } kind = Kind::kString;
  std::string_view text;  // a string's bytes or a number's token
  bool integer = false;   // a number without fraction or exponent
  bool boolean = false;
};

// A cursor over JSON text that reads the tokens of the plain shape. Every read returns false when
// the text is not that shape; the reader then declines, and nothing read so far matters.
class PlainJson {
 public:
  explicit PlainJson(std::string_view text) : at_(text.data()), end_(text.data() + text.size()) {}

  // The next token is the single character `c`: consumed.
  bool Next(char c) {
    SkipSpace();
    if (at_ == end_ || *at_ != c) return false;
    ++at_;
    return true;
  }

  bool AtEnd() {
    SkipSpace();
    return at_ == end_;
  }

  // A string without escapes or control characters, valid UTF-8 (as the general reader's lexer
  // requires): its bytes, which are then its value.
  bool String(std::string_view* out) {
    if (!Next('"')) return false;
    const char* begin = at_;
    bool ascii = true;
    for (; at_ != end_ && *at_ != '"'; ++at_) {
      const auto c = static_cast<unsigned char>(*at_);
      if (c == '\\' || c < 0x20) return false;
      ascii = ascii && c < 0x80;
    }
    if (at_ == end_) return false;
    *out = std::string_view(begin, static_cast<size_t>(at_ - begin));
    ++at_;
    return ascii || CheckText(*out, TextRule::kDocument).ok();
  }

  bool Text(std::string* out) {
    std::string_view text;
    if (!String(&text)) return false;
    out->assign(text);
    return true;
  }

  bool OptionalText(std::optional<std::string>* out) { return Text(&out->emplace()); }

  template <size_t N>
  bool Hex(std::array<uint8_t, N>* out) {
    std::string_view text;
    return String(&text) && HexDecodeInto(text, *out).ok();
  }

  template <size_t N>
  bool OptionalHex(std::optional<std::array<uint8_t, N>>* out) {
    return Hex(&out->emplace());
  }

  // RFC 8259's number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
  bool NumberToken(std::string_view* token, bool* integer) {
    SkipSpace();
    const char* begin = at_;
    if (at_ != end_ && *at_ == '-') ++at_;
    if (at_ == end_ || !IsDigit(*at_)) return false;
    if (*at_ == '0') {
      ++at_;
    } else {
      SkipDigits();
    }
    *integer = true;
    if (at_ != end_ && *at_ == '.') {
      ++at_;
      *integer = false;
      if (!SkipDigits()) return false;
    }
    if (at_ != end_ && (*at_ == 'e' || *at_ == 'E')) {
      ++at_;
      *integer = false;
      if (at_ != end_ && (*at_ == '+' || *at_ == '-')) ++at_;
      if (!SkipDigits()) return false;
    }
    *token = std::string_view(begin, static_cast<size_t>(at_ - begin));
    return true;
  }

  // Any JSON number as a double, correctly rounded as strtod rounds it; finite; -0 as 0.
  bool Number(double* out) {
    std::string_view token;
    bool integer = false;
    return NumberToken(&token, &integer) && ToDouble(token, out);
  }

  // Unix seconds: a JSON integer. One past kTimestampMax is declined: the general reader names
  // the range; a negative one is validation's to refuse, as there.
  bool Time(int64_t* out) {
    std::string_view token;
    bool integer = false;
    if (!NumberToken(&token, &integer) || !integer) return false;
    const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), *out);
    return ec == std::errc() && end == token.data() + token.size() && *out <= kTimestampMax;
  }

  bool OptionalTime(std::optional<int64_t>* out) { return Time(&out->emplace()); }

  bool Boolean(bool* out) {
    SkipSpace();
    if (Literal("true")) return *out = true, true;
    if (Literal("false")) return *out = false, true;
    return false;
  }

  bool Value(Scalar* out) {
    SkipSpace();
    if (at_ == end_) return false;
    if (*at_ == '"') return out->kind = Scalar::Kind::kString, String(&out->text);
    if (*at_ == 't' || *at_ == 'f')
      return out->kind = Scalar::Kind::kBoolean, Boolean(&out->boolean);
    out->kind = Scalar::Kind::kNumber;
    return NumberToken(&out->text, &out->integer);
  }

  static bool ToDouble(std::string_view token, double* out) {
    double value = 0;
    const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
    if (ec != std::errc() || end != token.data() + token.size() || !std::isfinite(value))
      return false;
    *out = value == 0.0 ? 0.0 : value;
    return true;
  }

 private:
  void SkipSpace() {
    while (at_ != end_ && (*at_ == ' ' || *at_ == '\n' || *at_ == '\r' || *at_ == '\t')) ++at_;
  }

  bool SkipDigits() {
    const char* begin = at_;
    while (at_ != end_ && IsDigit(*at_)) ++at_;
    return at_ != begin;
  }

  bool Literal(std::string_view word) {
    if (static_cast<size_t>(end_ - at_) < word.size() || std::string_view(at_, word.size()) != word)
      return false;
    at_ += word.size();
    return true;
  }

  const char* at_;
  const char* end_;
};

// Reads an object's members: `read(key)` reads the value after the key's ':'. An object's
// members must differ, so each reader marks the ones it has read (FirstTime).
template <typename ReadMember>
bool Members(PlainJson& in, ReadMember read) {
  if (!in.Next('{')) return false;
  if (in.Next('}')) return true;
  do {
    std::string_view key;
    if (!in.String(&key) || !in.Next(':') || !read(key)) return false;
  } while (in.Next(','));
  return in.Next('}');
}

// Marks member `bit` as read; false when it already was: a duplicate key.
bool FirstTime(uint32_t* seen, int bit) {
  const uint32_t mask = uint32_t{1} << bit;
  if (*seen & mask) return false;
  *seen |= mask;
  return true;
}

template <size_t N>
int IndexOf(const std::array<std::string_view, N>& names, std::string_view key) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == key) return static_cast<int>(i);
  }
  return -1;
}

bool ReadObjectValue(PlainJson& in, ObjectValue* out) {
  std::string_view type_name;
  Scalar value;
  uint32_t seen = 0;
  const bool read = Members(in, [&](std::string_view key) {
    if (key == "type") return FirstTime(&seen, 0) && in.String(&type_name);
    if (key == "value") return FirstTime(&seen, 1) && in.Value(&value);
    return false;
  });
  if (!read || seen != 3) return false;
  const std::optional<ObjectType> type = ObjectTypeFromName(type_name);
  if (!type) return false;
  const bool is_string = value.kind == Scalar::Kind::kString;
  switch (*type) {
    case ObjectType::kText:
      return is_string && (*out = TextObject{std::string(value.text)}, true);
    case ObjectType::kReference:
      return is_string && (*out = ReferenceObject{std::string(value.text)}, true);
    case ObjectType::kBoolean:
      return value.kind == Scalar::Kind::kBoolean && (*out = BooleanObject{value.boolean}, true);
    case ObjectType::kNumber: {
      double number = 0;
      return value.kind == Scalar::Kind::kNumber && PlainJson::ToDouble(value.text, &number) &&
             (*out = NumberObject{number}, true);
    }
  }
  return false;
}

bool ReadSignatures(PlainJson& in, std::vector<SignatureEntry>* out) {
  if (!in.Next('[')) return false;
  if (in.Next(']')) return true;
  do {
    SignatureEntry entry;
    uint32_t seen = 0;
    const bool read = Members(in, [&](std::string_view key) {
      if (key == "agent_id") return FirstTime(&seen, 0) && in.Hex(&entry.agent_id);
      if (key == "signature") return FirstTime(&seen, 1) && in.Hex(&entry.signature);
      return false;
    });
    if (!read || seen != 3) return false;
    out->push_back(entry);
  } while (in.Next(','));
  return in.Next(']');
}

template <typename E, typename FromName>
bool Enum(PlainJson& in, E* out, FromName from_name) {
  std::string_view name;
  if (!in.String(&name)) return false;
  const std::optional<E> value = from_name(name);
  if (value) *out = *value;
  return value.has_value();
}

enum AssertionMember : int {
  kSubject,
  kPredicate,
  kObject,
  kConfidence,
  kTimestamp,
  kSourceHash,
  kSourceClass,
  kLifecycle,
  kEpoch,
  kParentHash,
  kNarrative,
  kValidFrom,
  kValidUntil,
  kSignatures,
  kAssertionMembers
};

constexpr std::array<std::string_view, kAssertionMembers> kAssertionMemberNames = {
    "subject",     "predicate",    "object",      "confidence", "timestamp",
    "source_hash", "source_class", "lifecycle",   "epoch",      "parent_hash",
    "narrative",   "valid_from",   "valid_until", "signatures"};

constexpr uint32_t kRequiredAssertionMembers = (1u << kSubject) | (1u << kPredicate) |
                                               (1u << kObject) | (1u << kConfidence) |
                                               (1u << kTimestamp) | (1u << kSignatures);

bool ReadAssertionMember(PlainJson& in, int member, Assertion* a) {
  switch (member) {
    case kSubject:
      return in.Text(&a->subject);
    case kPredicate:
      return in.Text(&a->predicate);
    case kObject:
      return ReadObjectValue(in, &a->object);
    case kConfidence:
      return in.Number(&a->confidence);
    case kTimestamp:
      return in.Time(&a->timestamp);
    case kSourceHash:
      return in.OptionalHex(&a->source_hash);
    case kSourceClass:
      return Enum(in, &a->source_class, SourceClassFromName);
    case kLifecycle:
      return Enum(in, &a->lifecycle, LifecycleFromName);
    case kEpoch:
      return in.OptionalHex(&a->epoch);
    case kParentHash:
      return in.OptionalHex(&a->parent_hash);
    case kNarrative:
      return in.OptionalText(&a->narrative);
    case kValidFrom:
      return in.OptionalTime(&a->valid_from);
    case kValidUntil:
      return in.OptionalTime(&a->valid_until);
    case kSignatures:
      return ReadSignatures(in, &a->signatures);
    default:
      return false;
  }
}

bool ReadAssertion(PlainJson& in, Assertion* a) {
  uint32_t seen = 0;
  const bool read = Members(in, [&](std::string_view key) {
    const int member = IndexOf(kAssertionMemberNames, key);
    return member >= 0 && FirstTime(&seen, member) && ReadAssertionMember(in, member, a);
  });
  return read && (seen & kRequiredAssertionMembers) == kRequiredAssertionMembers;
}

// The items of a batch; more than kBatchRecordsMax is declined (the general reader names the
// limit), so the work stays bounded by the item limit as well as by the body's size.
bool ReadBatchItems(PlainJson& in, std::vector<Assertion>* items) {
  if (!in.Next('[')) return false;
  if (in.Next(']')) return false;  // an empty batch: the general reader names the problem
  do {
    if (items->size() >= kBatchRecordsMax) return false;
    if (!ReadAssertion(in, &items->emplace_back())) return false;
  } while (in.Next(','));
  return in.Next(']');
}

}  // namespace

std::optional<Assertion> ReadPlainAssertion(std::string_view json_text) {
  PlainJson in(json_text);
  Assertion a;
  if (!ReadAssertion(in, &a) || !in.AtEnd()) return std::nullopt;
  return a;
}

std::optional<std::vector<Assertion>> ReadPlainAssertionBatch(std::string_view json_text) {
  PlainJson in(json_text);
  std::vector<Assertion> items;
  uint32_t seen = 0;
  const bool read = Members(in, [&](std::string_view key) {
    return key == "assertions" && FirstTime(&seen, 0) && ReadBatchItems(in, &items);
  });
  if (!read || seen != 1 || !in.AtEnd()) return std::nullopt;
  return items;
}

}  // namespace stemedb::core
