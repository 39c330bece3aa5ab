#include "log_sink.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>

namespace stemedb::ops {
namespace {

void AppendJsonEscaped(std::string& out, std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
}

std::string Iso8601Utc(std::chrono::system_clock::time_point tp) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(tp.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms % 1000));
  return buf;
}

}  // namespace

Result<std::shared_ptr<LogSink>> LogSink::Open(Format format, std::string path) {
  std::FILE* out = stderr;
  if (!path.empty()) {
    Result<std::FILE*> file = OpenFile(path);
    if (!file.ok()) return file.status();
    out = *file;
  }
  return std::shared_ptr<LogSink>(new LogSink(format, std::move(path), out));
}

LogSink::LogSink(Format format, std::string path, std::FILE* out)
    : format_(format), path_(std::move(path)), out_(out) {
  set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ [%t] %v");
}

LogSink::~LogSink() {
  if (out_ != stderr) std::fclose(out_);
}

// The log is a stream of lines appended through stdio and never fsynced: it is not state the
// daemon recovers from, so it does not go through the Env.
Result<std::FILE*> LogSink::OpenFile(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "a");
  if (!f) return Status::InvalidArgument("config: log.file: cannot open " + path + ": " + std::strerror(errno));
  return f;
}

Status LogSink::Reopen() {
  std::lock_guard lock(mutex_);
  if (path_.empty()) return Status::OK();
  Result<std::FILE*> file = OpenFile(path_);
  if (!file.ok()) return file.status();
  if (out_ != stderr) std::fclose(out_);
  out_ = *file;
  return Status::OK();
}

void LogSink::sink_it_(const spdlog::details::log_msg& msg) {
  if (format_ == Format::kJson) {
    WriteJson(msg);
    return;
  }
  spdlog::memory_buf_t formatted;
  formatter_->format(msg, formatted);
  std::fwrite(formatted.data(), 1, formatted.size(), out_);
  if (msg.level >= spdlog::level::warn) std::fflush(out_);
}

void LogSink::WriteJson(const spdlog::details::log_msg& msg) {
  std::string line;
  line.reserve(msg.payload.size() + 96);
  line += "{\"ts\":\"";
  line += Iso8601Utc(msg.time);
  line += "\",\"level\":\"";
  auto level = spdlog::level::to_string_view(msg.level);
  line.append(level.data(), level.size());
  line += "\",\"thread\":";
  line += std::to_string(msg.thread_id);
  line += ",\"msg\":\"";
  AppendJsonEscaped(line, std::string_view(msg.payload.data(), msg.payload.size()));
  line += "\"}\n";
  std::fwrite(line.data(), 1, line.size(), out_);
  if (msg.level >= spdlog::level::warn) std::fflush(out_);
}

void LogSink::flush_() { std::fflush(out_); }

}  // namespace stemedb::ops
