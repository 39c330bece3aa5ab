// The daemon's configuration as an operator (or a template, or a mistake) writes it: a TOML file
// and STEMEDB_* environment entries, through ConfigLoader as stemedb-api's command line uses it
// (src/tools/api/command_line.cpp).
//
// The input is the file's text, then optionally the separator line "%%env" and environment
// entries, one per line. Bad input must end in an InvalidArgument status whose message starts
// "config: " (what start-up prints); an exception or a crash is a finding. A configuration that loads renders as TOML
// (--check-config) that loads again to the same configuration, unless a value holds bytes that
// are not UTF-8 (a path may, through the environment; TOML cannot).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "stemedb/core/utf8.h"
#include "stemedb/ground/check.h"
#include "stemedb/ops/config.h"

namespace stemedb::ops {
namespace {

constexpr std::string_view kEnvSeparator = "\n%%env\n";

std::optional<Config> Load(const std::string& path, const std::vector<std::string>& environment) {
  ConfigLoader loader;
  auto refused = [](const Status& s) {
    STEMEDB_CHECK(s.code() == StatusCode::kInvalidArgument && s.message().starts_with("config: "));
    return std::nullopt;
  };
  if (Status s = loader.LoadFile(path); !s.ok()) return refused(s);
  if (auto env = loader.LoadEnvironment(environment); !env.ok()) return refused(env.status());
  Result<Config> config = loader.Finish();
  if (!config.ok()) return refused(config.status());
  (void)RenderConfig(*config, loader.origin());
  return std::move(config).value();
}

// Whether TOML can hold `text` in a string at all: valid UTF-8 (control characters are escaped).
bool TomlCanHold(std::string_view text) {
  std::string copy(text);
  std::replace(copy.begin(), copy.end(), '\0', ' ');  // the rule below refuses NUL, TOML escapes it
  return core::CheckText(copy, core::TextRule::kDocument).ok();
}

}  // namespace
}  // namespace stemedb::ops

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace stemedb;
  const std::string_view text = fuzz::AsText(data, size);
  const size_t cut = text.find(ops::kEnvSeparator);
  const std::string path = fuzz::WriteScratchFile("api.toml", text.substr(0, cut));
  std::vector<std::string> environment;
  if (cut != std::string_view::npos) {
    for (std::string_view line : fuzz::SplitAt(text.substr(cut + ops::kEnvSeparator.size()), "\n")) {
      environment.emplace_back(line);
    }
  }
  std::optional<ops::Config> config = ops::Load(path, environment);
  if (!config) return 0;
  for (const std::string& entry : environment) {
    if (!ops::TomlCanHold(entry)) return 0;
  }

  // --check-config's output is TOML for the same configuration (origins aside: they are
  // comments, and secrets are masked in both renderings alike).
  const ops::ConfigOrigin no_origin;
  const std::string rendered = ops::RenderConfig(*config, no_origin);
  const std::string again_path = fuzz::WriteScratchFile("rendered.toml", rendered);
  std::optional<ops::Config> again = ops::Load(again_path, {});
  STEMEDB_CHECK(again.has_value());
  STEMEDB_CHECK(ops::RenderConfig(*again, no_origin) == rendered);
  return 0;
}
