#pragma once
// The one spdlog sink the daemon uses: text or JSON lines, to stderr or to a file that can be
// reopened in place. Private to ops/.

#include <spdlog/sinks/base_sink.h>

#include <cstdio>
#include <mutex>
#include <string>

namespace stemedb::ops {

class LogSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  enum class Format { kText, kJson };
  // path empty: stderr. Throws ConfigError if the file cannot be opened.
  LogSink(Format format, std::string path);
  ~LogSink() override;
  void Reopen();

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override;

 private:
  void OpenLocked();
  void WriteJson(const spdlog::details::log_msg& msg);

  Format format_;
  std::string path_;
  std::FILE* out_ = nullptr;
};

}  // namespace stemedb::ops
