#include "stemedb/http/request_parser.h"

#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <cctype>

#include "beast_request.h"

namespace stemedb::http {

namespace bhttp = boost::beast::http;

Request ToRequest(bhttp::request<bhttp::string_body>& msg) {
  Request r;
  r.method_text = std::string(msg.method_string());
  r.method = ParseMethod(r.method_text);
  r.target = std::string(msg.target());
  auto q = r.target.find('?');
  r.path = r.target.substr(0, q);
  if (q != std::string::npos) r.query_string = r.target.substr(q + 1);
  for (const auto& field : msg) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  r.body = std::move(msg.body());
  return r;
}

ParsedRequest ParseRequest(std::string_view bytes, const RequestLimits& limits) {
  ParsedRequest out;
  const auto refuse = [&out](int status) {
    out.refused_status = status;
    return out;
  };
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(limits.max_header_bytes);
  parser.body_limit(limits.max_body_bytes);
  parser.eager(true);
  boost::beast::error_code ec;
  bool header_checked = false;
  while (!parser.is_done()) {
    const std::string_view rest = bytes.substr(out.bytes_used);
    const size_t used = parser.put(boost::asio::const_buffer(rest.data(), rest.size()), ec);
    out.bytes_used += used;
    if (ec == bhttp::error::need_more) {
      if (out.bytes_used == bytes.size()) return out;  // the session would wait for more bytes
      ec = {};
    }
    // As the session answers in OnHeader and OnReadError (server.cpp).
    if (ec == bhttp::error::body_limit) return refuse(413);
    if (ec == bhttp::error::header_limit) return refuse(431);
    if (ec) return refuse(400);
    if (parser.is_header_done() && !header_checked) {
      header_checked = true;
      const auto length = parser.content_length();
      if (length && *length > limits.max_body_bytes) return refuse(413);
    }
    if (used == 0 && !parser.is_done()) return out;
  }
  bhttp::request<bhttp::string_body> msg = parser.release();
  out.request = ToRequest(msg);
  return out;
}

}  // namespace stemedb::http
