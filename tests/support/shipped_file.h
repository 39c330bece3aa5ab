#pragma once
// Tests that run a shipped configuration (deploy/nginx, deploy/prometheus) rewrite only the
// parts a test host must change: ports, paths, intervals. Each rewrite must match, so a test
// notices when the shipped file changes shape instead of silently testing something else.

#include <string>

namespace stemedb::testing {

// Replaces every `from` in `text` by `to`; a test failure naming `file` when there is none.
void ReplaceInShippedFile(std::string& text, const std::string& from, const std::string& to, const std::string& file);

// A throwaway self-signed certificate for localhost and 127.0.0.1 (openssl req), valid a day.
// A test failure when openssl fails.
void WriteSelfSignedCertificate(const std::string& cert_path, const std::string& key_path);

}  // namespace stemedb::testing
