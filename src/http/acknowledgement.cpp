#include "stemedb/http/acknowledgement.h"

#include "stemedb/core/types.h"
#include "stemedb/http/error_response.h"

namespace stemedb::http {

std::optional<Response> AcknowledgeRefused(const ReplicationHooks& hooks,
                                           const std::vector<storage::WriteOutcome>& outcomes,
                                           std::string_view request_id) {
  if (!hooks.acknowledge_refused) return std::nullopt;
  std::optional<std::string> primary = hooks.acknowledge_refused();
  if (!primary) return std::nullopt;
  std::string ids;
  for (const storage::WriteOutcome& o : outcomes) ids += (ids.empty() ? "" : ",") + core::IdHex(o.id);
  return NotPrimaryResponse(*primary, request_id,
                            "this node lost its leader lease before acknowledging the write (durable here, possibly "
                            "not on the new primary); retry it there, same ids, idempotent: " + ids);
}

}  // namespace stemedb::http
