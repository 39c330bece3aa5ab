#include <cstdio>

#include "stemedb/build_info.h"

int main() {
  std::printf("stemedb-api %s (%s)\n", stemedb::build::kVersion, stemedb::build::kCommit);
  return 0;
}
