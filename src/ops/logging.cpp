#include "stemedb/ops/logging.h"

#include <spdlog/spdlog.h>

#include <memory>
#include <mutex>

#include "log_sink.h"

namespace stemedb::ops {
namespace {

std::mutex g_sink_mu;
std::shared_ptr<LogSink> g_sink;  // the sink ReopenLogFile acts on

}  // namespace

Status ConfigureLogging(const LogConfig& config) {
  auto format = config.format == "json" ? LogSink::Format::kJson : LogSink::Format::kText;
  Result<std::shared_ptr<LogSink>> opened = LogSink::Open(format, config.file);
  if (!opened.ok()) return opened.status();
  std::shared_ptr<LogSink> sink = std::move(opened).value();
  auto logger = std::make_shared<spdlog::logger>("stemedb", sink);
  logger->set_level(spdlog::level::from_str(config.level));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  // Info lines are flushed at least every second, so `journalctl -f` and tail keep up.
  spdlog::flush_every(std::chrono::seconds(1));
  std::lock_guard lock(g_sink_mu);
  g_sink = std::move(sink);
  return Status::OK();
}

Status ReopenLogFile() {
  std::shared_ptr<LogSink> sink;
  {
    std::lock_guard lock(g_sink_mu);
    sink = g_sink;
  }
  return sink ? sink->Reopen() : Status::OK();
}

}  // namespace stemedb::ops
