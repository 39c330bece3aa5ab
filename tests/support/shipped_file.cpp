#include "support/shipped_file.h"

#include <gtest/gtest.h>

#include "support/process.h"

namespace stemedb::testing {

void ReplaceInShippedFile(std::string& text, const std::string& from, const std::string& to, const std::string& file) {
  size_t at = text.find(from);
  if (at == std::string::npos) {
    ADD_FAILURE() << file << " no longer contains: " << from;
    return;
  }
  for (; at != std::string::npos; at = text.find(from, at + to.size())) text.replace(at, from.size(), to);
}

void WriteSelfSignedCertificate(const std::string& cert_path, const std::string& key_path) {
  auto gen = RunProcess({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                         "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key_path,
                         "-out", cert_path});
  EXPECT_EQ(gen.exit_code, 0) << gen.out;
}

}  // namespace stemedb::testing
