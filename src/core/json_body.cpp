#include "stemedb/core/json_body.h"

#include <set>
#include <string>
#include <vector>

#include "stemedb/core/limits.h"

namespace stemedb::core {
namespace {

using json = nlohmann::json;

// Thrown from the parser callback to stop parsing; caught in ParseJsonBody only.
struct Refusal {
  FieldError error;
};

// Follows the parser through the document so that errors can name the JSON path where they
// happened ("object.value", "signatures[1]"), and catches what nlohmann lets through.
class PathTracker {
 public:
  // The parser callback; true keeps every value.
  bool OnEvent(json::parse_event_t event, const json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        if (frames_.size() >= kJsonDepthMax) {
          throw Refusal{
              Malformed(error_code::kMalformedJson, Path(),
                        "nesting deeper than " + std::to_string(kJsonDepthMax) + " levels")};
        }
        frames_.push_back(Frame{event == json::parse_event_t::object_start, {}, {}, 0});
        break;
      case json::parse_event_t::key:
        OnKey(parsed.get_ref<const std::string&>());
        break;
      case json::parse_event_t::value:
        CountElement();
        break;
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        frames_.pop_back();
        CountElement();
        break;
    }
    return true;
  }

  // The path of the value being parsed now.
  std::string Path() const {
    std::string path;
    for (const Frame& frame : frames_) {
      if (!frame.is_object) {
        path += "[" + std::to_string(frame.elements) + "]";
      } else if (!frame.key.empty() || !frame.keys.empty()) {
        if (!path.empty()) path += ".";
        path += AsciiForMessage(frame.key);
      }
    }
    return path;
  }

 private:
  struct Frame {
    bool is_object;
    std::string key;             // objects: the key whose value is being parsed
    std::set<std::string> keys;  // objects: every key seen so far
    size_t elements;             // arrays: elements completed so far
  };

  void OnKey(const std::string& key) {
    Frame& frame = frames_.back();
    frame.key = key;
    if (!frame.keys.insert(key).second) {
      throw Refusal{Malformed(error_code::kMalformedJson, Path(), "duplicate key in object")};
    }
  }

  void CountElement() {
    if (!frames_.empty() && !frames_.back().is_object) ++frames_.back().elements;
  }

  std::vector<Frame> frames_;
};

// nlohmann's parse_error text is "[json.exception.parse_error.101] parse error at line 1,
// column 6: syntax error while parsing value - invalid literal; last read: '...'". Keep the
// reason and drop the echo of the input (it may hold invalid UTF-8).
std::string SyntaxErrorReason(const std::string& what) {
  size_t begin = what.find("column ");
  begin = begin == std::string::npos ? 0 : what.find(": ", begin);
  begin = begin == std::string::npos ? 0 : begin + 2;
  std::string reason = what.substr(begin, what.find("; last read", begin) - begin);
  size_t expected = what.rfind("; expected ");
  if (expected != std::string::npos && expected > begin + reason.size()) {
    reason += what.substr(expected);
  }
  return AsciiForMessage(reason, 200);
}

FieldError SyntaxError(std::string_view body, const json::parse_error& e) {
  std::string problem =
      "malformed JSON at byte " + std::to_string(e.byte) + ": " + SyntaxErrorReason(e.what());
  // e.byte counts from 1 and points at the byte that stopped the lexer.
  const size_t at = e.byte == 0 ? 0 : e.byte - 1;
  if (at < body.size() && (body[at] == 'N' || body[at] == 'I')) {
    problem += " (NaN and Infinity are not JSON numbers; numbers must be finite)";
  }
  return Malformed(error_code::kMalformedJson, "", problem);
}

}  // namespace

std::optional<FieldError> BodyTooLarge(std::string_view body, size_t body_bytes_max) {
  if (body.size() <= body_bytes_max) return std::nullopt;
  return MakeFieldError(FieldError::Kind::kTooLarge, error_code::kBodyTooLarge, "",
                        std::to_string(body.size()) + " bytes exceeds the limit of " +
                            std::to_string(body_bytes_max));
}

FieldResult<json> ParseJsonBody(std::string_view body, size_t body_bytes_max) {
  if (std::optional<FieldError> too_large = BodyTooLarge(body, body_bytes_max)) return *std::move(too_large);
  PathTracker tracker;
  try {
    return json::parse(body, [&tracker](int /*depth*/, json::parse_event_t event, json& parsed) {
      return tracker.OnEvent(event, parsed);
    });
  } catch (const Refusal& refusal) {
    return refusal.error;
  } catch (const json::parse_error& e) {
    return SyntaxError(body, e);
  } catch (const json::out_of_range&) {
    // 406: a number that does not fit a double (1e400); thrown before its value event, so the
    // tracker still points at it.
    return Malformed(error_code::kInvalidNumber, tracker.Path(),
                     "number overflows a 64-bit float (numbers must be finite)");
  } catch (const json::exception& e) {
    return Malformed(error_code::kMalformedJson, "",
                     std::string("malformed JSON: ") + AsciiForMessage(e.what(), 200));
  }
}

}  // namespace stemedb::core
