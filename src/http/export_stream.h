#pragma once
// The body of GET /v1/export: every record agents posted (assertions, votes, epochs, sources),
// in log order, one JSON object a line (NDJSON), each exactly the signed record as a client
// posts it (core::ToJson), so it verifies anywhere and `stemedb import` posts it again as is.
// The server's own records (API keys, trust overrides, terms) and source retractions are an
// operator's acts, not agents' claims: they are not exported.
//
// An export ends at the last seq applied when it began (the X-Stemedb-Export-To-Seq header),
// so it is a consistent cut however long it streams. One hub thread reads the pages of every
// export, never an I/O thread; at most kExportsMax run at once. A failure to read the store,
// or the server stopping, ends the body with one line {"error": {...}}: an importer must treat
// it as a truncated export.
//
// Private to http/.

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "stemedb/http/message.h"
#include "stemedb/storage/store.h"

namespace stemedb::http {

inline constexpr int kExportsMax = 2;

class ExportHub {
 public:
  explicit ExportHub(storage::Store& store);
  ~ExportHub();  // Stop()
  ExportHub(const ExportHub&) = delete;
  ExportHub& operator=(const ExportHub&) = delete;

  // The body of an export of the records with seq in (after_seq, to_seq]; null when
  // kExportsMax run already.
  std::shared_ptr<ResponseStream> Open(uint64_t after_seq, uint64_t to_seq);
  // Ends every export (with an error line: they are cut short) and stops the thread.
  void Stop();

 private:
  struct Export;
  class Stream;
  struct Ask {
    std::shared_ptr<Export> which;
    std::function<void(std::optional<std::string>)> deliver;
  };
  void Loop();
  // The next non-empty chunk of lines of `e`, or nullopt at its end.
  std::optional<std::string> ReadPage(Export& e);

  storage::Store& store_;
  std::atomic<int> open_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Ask> asks_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace stemedb::http
