#include "text_table.h"

#include <algorithm>

namespace stemedb::cli {
namespace {

bool ContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

size_t CodePoints(std::string_view s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return !ContinuationByte(c); }));
}

void AppendRow(std::string& out, const std::vector<std::string>& cells, const std::vector<size_t>& widths) {
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) {
    line += cells[i];
    if (i + 1 < cells.size()) line.append(widths[i] - CodePoints(cells[i]) + 2, ' ');
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  out += line + "\n";
}

}  // namespace

std::string TextTable::Render() const {
  std::vector<size_t> widths(header_.size(), 0);
  auto widen = [&widths](const std::vector<std::string>& cells) {
    if (widths.size() < cells.size()) widths.resize(cells.size(), 0);
    for (size_t i = 0; i < cells.size(); ++i) widths[i] = std::max(widths[i], CodePoints(cells[i]));
  };
  widen(header_);
  for (const auto& row : rows_) widen(row);
  std::string out;
  if (!header_.empty()) AppendRow(out, header_, widths);
  for (const auto& row : rows_) AppendRow(out, row, widths);
  return out;
}

std::string Clip(std::string_view text, size_t max_chars) {
  const bool cut = CodePoints(text) > max_chars;
  const size_t keep = cut ? max_chars - std::min<size_t>(3, max_chars) : max_chars;
  std::string out;
  size_t chars = 0;
  for (char c : text) {
    if (!ContinuationByte(c) && chars++ == keep) break;
    out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c;
  }
  return cut ? out + "..." : out;
}

}  // namespace stemedb::cli
