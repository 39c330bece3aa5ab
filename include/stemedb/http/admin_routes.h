#pragma once
// The admin API: drain, undrain, node state, WAL rotation, checkpoint, storage stats, API keys,
// trust overrides. Waits and disk work run on its own background worker, never on an I/O thread.

#include <chrono>
#include <memory>

#include "stemedb/http/api_context.h"
#include "stemedb/http/background_worker.h"
#include "stemedb/http/router.h"

namespace stemedb::http {

struct AdminOptions {
  std::chrono::steady_clock::time_point started;
  std::chrono::milliseconds drain_grace{25000};  // a drain waits this long for in-flight writes
};

class AdminHandlers;

class AdminApi {
 public:
  AdminApi(ApiContext& ctx, AdminOptions options);
  ~AdminApi();
  void AddRoutes(Router& router);
  // Finishes queued admin work and stops the worker; before the store closes.
  void Stop();

 private:
  std::shared_ptr<AdminHandlers> handlers_;
};

}  // namespace stemedb::http
