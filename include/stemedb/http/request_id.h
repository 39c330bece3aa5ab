#pragma once
// Request ids: the client's X-Request-Id when it is sane, else a fresh random one.

#include <string>
#include <string_view>

namespace stemedb::http {

// 16 random bytes as 32 lowercase hex characters.
std::string NewRequestId();

// A client-supplied id is echoed when it is 1..128 characters of [A-Za-z0-9._:-]; anything
// else (it ends up in logs and headers) is replaced by a fresh id.
bool IsAcceptableRequestId(std::string_view id);

// The id of a request: the client's X-Request-Id value (null when absent) when acceptable, else
// a fresh one.
std::string ChooseRequestId(const std::string* client_id);

}  // namespace stemedb::http
