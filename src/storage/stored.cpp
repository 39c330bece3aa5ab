#include "stemedb/storage/stored.h"

namespace stemedb::storage {

const char* WriteStatusName(WriteStatus s) {
  switch (s) {
    case WriteStatus::kCreated: return "created";
    case WriteStatus::kExists: return "exists";
    case WriteStatus::kCosigned: return "cosigned";
  }
  return "unknown";
}

}  // namespace stemedb::storage
