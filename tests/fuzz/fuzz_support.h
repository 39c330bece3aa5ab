#pragma once
// What the fuzz targets share (docs/fuzzing.md): scratch files on tmpfs and a way to cut one
// input into parts.
//
// Every target is deterministic and keeps no state from one input to the next: what a target
// builds once (a store, a scratch directory) is either never changed by an input or rebuilt
// after one that changed it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace stemedb::fuzz {

// A directory for the whole run, on tmpfs (/dev/shm) when there is one, so inputs that go through
// files cost no disk I/O; removed when the process exits normally.
const std::string& ScratchDir();

// Writes `bytes` to ScratchDir()/name (replacing it) with `mode`; returns the path.
std::string WriteScratchFile(const std::string& name, std::string_view bytes, unsigned mode = 0600);

// The input as text.
inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// `text` cut at every `separator` (a separator never appears in a part): how a target that needs
// several inputs (a file and environment entries, chunks of a stream) reads one fuzz input. The
// separators are in the targets' dictionaries.
std::vector<std::string_view> SplitAt(std::string_view text, std::string_view separator);

}  // namespace stemedb::fuzz
