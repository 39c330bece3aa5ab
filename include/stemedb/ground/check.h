#pragma once
// STEMEDB_CHECK: an invariant that stays on in every build type (TIGER_STYLE: assertions are a
// force multiplier for finding bugs, and release builds are where the bugs we care about run).
// A failed check means our own code is wrong or a library broke its contract (e.g. OpenSSL could
// not allocate a digest context): there is no sane way to continue, so the process stops with
// the location and the condition. Input errors are never checked this way; they return a Status.

#include <cstdio>
#include <cstdlib>

#define STEMEDB_CHECK(condition)                                                         \
  do {                                                                                   \
    if (!(condition)) [[unlikely]] {                                                     \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)
