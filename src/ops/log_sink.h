#pragma once
// The one spdlog sink the daemon uses: text or JSON lines, to stderr or to a file that can be
// reopened in place. Private to ops/.

#include <spdlog/sinks/base_sink.h>

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

#include "stemedb/ground/status.h"

namespace stemedb::ops {

class LogSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  enum class Format { kText, kJson };
  // path empty: stderr. kInvalidArgument naming log.file if the file cannot be opened.
  static Result<std::shared_ptr<LogSink>> Open(Format format, std::string path);
  ~LogSink() override;
  // Opens the file again (appending), for logrotate. When that fails the sink keeps writing to
  // the old handle (losing logs is worse than logging to a moved file) and returns why.
  Status Reopen();

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override;

 private:
  LogSink(Format format, std::string path, std::FILE* out);
  static Result<std::FILE*> OpenFile(const std::string& path);
  void WriteJson(const spdlog::details::log_msg& msg);

  Format format_;
  std::string path_;
  std::FILE* out_;  // stderr or the file; never null
};

}  // namespace stemedb::ops
