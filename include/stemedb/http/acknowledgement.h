#pragma once
// The last check before a durable write is acknowledged (ReplicationHooks::acknowledge_refused):
// a primary that lost its leader lease while the write waited answers 503 not_primary instead,
// naming the ids so the client can retry them on the new primary (ids are content hashes, so a
// retry is idempotent).

#include <optional>
#include <string_view>
#include <vector>

#include "stemedb/http/message.h"
#include "stemedb/http/replication_hooks.h"
#include "stemedb/storage/store.h"

namespace stemedb::http {

std::optional<Response> AcknowledgeRefused(const ReplicationHooks& hooks,
                                           const std::vector<storage::WriteOutcome>& outcomes,
                                           std::string_view request_id);

}  // namespace stemedb::http
