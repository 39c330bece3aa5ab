#pragma once
// From Beast's request message to ours. Private to http/: shared by the sessions (server.cpp)
// and the socket-free parser (request_parser.cpp), the two translation units that compile Beast.

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "stemedb/http/message.h"

namespace stemedb::http {

// The request handlers see (header names in lower case); the message's body is moved out.
Request ToRequest(boost::beast::http::request<boost::beast::http::string_body>& msg);

}  // namespace stemedb::http
