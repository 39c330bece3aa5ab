#pragma once
// The vectors as the "Test vectors" section of docs/protocol.md: for each, the JSON body, the
// canonical bytes field by field and in one block, the id, the signing message and the signers.

#include <string>
#include <vector>

#include "vector_generation.h"

namespace stemedb::tools {

// The generated section, between (and including) these marker lines.
inline constexpr char kMarkdownBegin[] =
    "<!-- BEGIN GENERATED VECTORS: stemedb-protocol-vectors --write docs; do not edit -->";
inline constexpr char kMarkdownEnd[] = "<!-- END GENERATED VECTORS -->";

std::string VectorsToMarkdown(const std::vector<Vector>& vectors);

}  // namespace stemedb::tools
