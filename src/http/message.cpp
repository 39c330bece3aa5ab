#include "stemedb/http/message.h"

namespace stemedb::http {

const char* MethodName(Method m) {
  switch (m) {
    case Method::kGet: return "GET";
    case Method::kHead: return "HEAD";
    case Method::kPost: return "POST";
    case Method::kPut: return "PUT";
    case Method::kDelete: return "DELETE";
    case Method::kPatch: return "PATCH";
    case Method::kOptions: return "OPTIONS";
    case Method::kOther: return "OTHER";
  }
  return "OTHER";
}

Method ParseMethod(std::string_view text) {
  if (text == "GET") return Method::kGet;
  if (text == "HEAD") return Method::kHead;
  if (text == "POST") return Method::kPost;
  if (text == "PUT") return Method::kPut;
  if (text == "DELETE") return Method::kDelete;
  if (text == "PATCH") return Method::kPatch;
  if (text == "OPTIONS") return Method::kOptions;
  return Method::kOther;
}

namespace {
const std::string* FindHeader(const HeaderList& headers, std::string_view name) {
  for (const auto& [n, value] : headers) {
    if (n == name) return &value;
  }
  return nullptr;
}
}  // namespace

const std::string* Request::Header(std::string_view lower_name) const { return FindHeader(headers, lower_name); }

const std::string* Response::Header(std::string_view name) const { return FindHeader(headers, name); }

void Response::SetHeader(std::string name, std::string value) {
  for (auto& [n, v] : headers) {
    if (n == name) {
      v = std::move(value);
      return;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
}

}  // namespace stemedb::http
