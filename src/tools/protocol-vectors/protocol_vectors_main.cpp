// stemedb-protocol-vectors: generates the protocol test vectors (docs/protocol_vectors.json and
// the "Test vectors" section of docs/protocol.md) from fixed seeds, or checks that the copies in
// the repository are current. Not installed; a ctest test runs --check.
//
//   stemedb-protocol-vectors --json          print the vectors file
//   stemedb-protocol-vectors --markdown      print the protocol.md section
//   stemedb-protocol-vectors --write DOCS    update DOCS/protocol_vectors.json and DOCS/protocol.md
//   stemedb-protocol-vectors --check DOCS    exit 1 if either is out of date

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "vector_generation.h"
#include "vector_markdown.h"

namespace {

using stemedb::tools::kMarkdownBegin;
using stemedb::tools::kMarkdownEnd;

constexpr char kUsage[] =
    "usage: stemedb-protocol-vectors --json | --markdown | --write DOCS_DIR | --check DOCS_DIR\n";

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  *out = buffer.str();
  return !in.bad();
}

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  return static_cast<bool>(out);
}

// protocol.md with its generated section replaced by `section`; false when the markers are
// missing.
bool SpliceSection(const std::string& document, const std::string& section, std::string* out) {
  const size_t begin = document.find(kMarkdownBegin);
  const size_t end_marker = document.find(kMarkdownEnd);
  if (begin == std::string::npos || end_marker == std::string::npos || end_marker < begin) {
    return false;
  }
  size_t end = end_marker + std::string(kMarkdownEnd).size();
  if (end < document.size() && document[end] == '\n') ++end;
  *out = document.substr(0, begin) + section + document.substr(end);
  return true;
}

// Writes or checks both files; returns the exit code.
int Sync(const std::string& docs_dir, bool write) {
  const auto vectors = stemedb::tools::GenerateVectors();
  const std::string json_path = docs_dir + "/protocol_vectors.json";
  const std::string md_path = docs_dir + "/protocol.md";
  const std::string json_text = stemedb::tools::VectorsToJson(vectors).dump(2, ' ', false) + "\n";

  std::string document;
  std::string expected_document;
  if (!ReadFile(md_path, &document) ||
      !SpliceSection(document, stemedb::tools::VectorsToMarkdown(vectors), &expected_document)) {
    std::fprintf(stderr, "%s: cannot read it or it lacks the generated-vectors markers\n",
                 md_path.c_str());
    return 1;
  }
  if (write) {
    if (!WriteFile(json_path, json_text) || !WriteFile(md_path, expected_document)) {
      std::fprintf(stderr, "cannot write %s or %s\n", json_path.c_str(), md_path.c_str());
      return 1;
    }
    return 0;
  }
  std::string current_json;
  int stale = 0;
  if (!ReadFile(json_path, &current_json) || current_json != json_text) {
    std::fprintf(stderr, "%s is out of date\n", json_path.c_str());
    stale = 1;
  }
  if (document != expected_document) {
    std::fprintf(stderr, "%s: the generated vectors section is out of date\n", md_path.c_str());
    stale = 1;
  }
  if (stale) std::fprintf(stderr, "run: stemedb-protocol-vectors --write %s\n", docs_dir.c_str());
  return stale;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc >= 2 ? argv[1] : "";
  if (argc == 2 && mode == "--json") {
    std::fputs(
        (stemedb::tools::VectorsToJson(stemedb::tools::GenerateVectors()).dump(2, ' ', false) +
         "\n")
            .c_str(),
        stdout);
    return 0;
  }
  if (argc == 2 && mode == "--markdown") {
    std::fputs(stemedb::tools::VectorsToMarkdown(stemedb::tools::GenerateVectors()).c_str(),
               stdout);
    return 0;
  }
  if (argc == 3 && (mode == "--write" || mode == "--check"))
    return Sync(argv[2], mode == "--write");
  std::fputs(kUsage, stderr);
  return 2;
}
