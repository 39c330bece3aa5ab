#pragma once
// How `stemedb` fails: a one-line message naming the problem and an exit code a script can act
// on. Commands throw CliError; main prints "stemedb: <message>" on stderr and exits with it.

#include <stdexcept>
#include <string>

namespace stemedb::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitRefused = 1,      // the server answered with an error (its code and message are printed)
  kExitUsage = 2,        // bad flag or value, unreadable or unsafe key file, key file exists
  kExitUnreachable = 3,  // no connection, a timeout, or an answer that is not HTTP/JSON
};

// For --help.
inline constexpr const char* kExitCodesHelp =
    "Exit codes:\n"
    "  0  success\n"
    "  1  the server refused the request (its HTTP status, error code, message and field are printed)\n"
    "  2  usage: a bad flag or value, an unreadable, malformed or group/world-readable key file,\n"
    "     or keygen's target exists (without --force)\n"
    "  3  the server could not be reached, timed out, closed a stream, or answered with something\n"
    "     other than HTTP/JSON";

class CliError : public std::runtime_error {
 public:
  CliError(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ExitCode code() const { return code_; }

 private:
  ExitCode code_;
};

[[noreturn]] inline void UsageError(const std::string& message) { throw CliError(kExitUsage, message); }

}  // namespace stemedb::cli
