#pragma once
// Character rules for record strings: valid UTF-8 (RFC 3629: no overlong forms, no surrogates,
// nothing above U+10FFFF) and no control characters where a human could not see them.

#include <string_view>

#include "stemedb/ground/status.h"

namespace stemedb::core {

enum class TextRule : uint8_t {
  // Names and identifiers (subject, predicate, reference, epoch name, uri, title): no control
  // character at all (U+0000..U+001F, U+007F..U+009F).
  kSingleLine,
  // Free text (text object, narrative, description, source content, retraction reason): as
  // kSingleLine, except that tab, line feed and carriage return are allowed.
  kMultiLine,
  // Documents (source content): any character but NUL, which no text format uses and which
  // truncates the text in C tools. Form feeds and escapes occur in text extracted from files.
  kDocument,
};

// OK, or InvalidArgument naming the first problem and its byte offset:
// "invalid UTF-8 at byte 7", "control character U+0007 at byte 3".
Status CheckText(std::string_view text, TextRule rule);

}  // namespace stemedb::core
