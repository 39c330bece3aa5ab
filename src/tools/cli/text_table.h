#pragma once
// Aligned plain-text tables for the readable output: columns padded to their widest cell
// (counted in UTF-8 code points), two spaces apart, the last column left unpadded.

#include <string>
#include <string_view>
#include <vector>

namespace stemedb::cli {

class TextTable {
 public:
  // An empty header gives a table without a header line (key/value listings).
  explicit TextTable(std::vector<std::string> header = {}) : header_(std::move(header)) {}

  void AddRow(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  bool empty() const { return rows_.empty(); }
  std::string Render() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// `text` cut to at most `max_chars` code points, ending in "..." when cut; control characters
// (a multi-line narrative, say) shown as spaces so a row stays one line.
std::string Clip(std::string_view text, size_t max_chars);

}  // namespace stemedb::cli
