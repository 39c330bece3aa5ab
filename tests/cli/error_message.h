#pragma once
// The message of the CliError a piece of the CLI throws, checked to carry the expected exit code.

#include <gtest/gtest.h>

#include <string>

#include "cli/cli_error.h"

namespace stemedb::cli {

template <typename Fn>
std::string ErrorMessage(Fn fn, ExitCode expected = kExitUsage) {
  try {
    fn();
  } catch (const CliError& e) {
    EXPECT_EQ(e.code(), expected) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

}  // namespace stemedb::cli
