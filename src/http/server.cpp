#include "stemedb/http/server.h"

#include <spdlog/spdlog.h>

#include <sys/socket.h>

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cerrno>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "beast_request.h"
#include "stemedb/ground/check.h"
#include "stemedb/http/error_response.h"
#include "stemedb/http/request_id.h"

namespace stemedb::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

namespace {

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  virtual void Shutdown() = 0;  // any thread
};

struct ServerMetrics {
  explicit ServerMetrics(ops::Registry& r)
      : connections(r.AddGauge("stemedb_http_connections", "Open client connections.")),
        accepted(r.AddCounter("stemedb_http_connections_accepted_total", "Connections accepted.")),
        refused(r.CounterFamily("stemedb_http_connections_refused_total",
                                "Connections refused at accept, by reason.", {"reason"})),
        protocol_errors(r.CounterFamily("stemedb_http_protocol_errors_total",
                                        "Requests refused before routing, by reason.", {"reason"})) {}
  ops::Gauge& connections;
  ops::Counter& accepted;
  ops::Family<ops::Counter>& refused;
  ops::Family<ops::Counter>& protocol_errors;
};

// Every live session (for BeginShutdown) and the connections each client holds. A session
// unregisters in its destructor, so the registry must outlive every session: Server::Impl
// declares it before the I/O context, whose destruction destroys the sessions that outlived the
// shutdown grace (a request still being read or answered). That none is left when it goes is
// checked: a session held past its server (by a closure somewhere else) would touch freed memory
// when it finally went.
struct SessionRegistry {
  SessionRegistry() = default;
  SessionRegistry(const SessionRegistry&) = delete;
  SessionRegistry& operator=(const SessionRegistry&) = delete;
  ~SessionRegistry() { STEMEDB_CHECK(sessions.empty() && connections_by_client.empty()); }

  std::mutex mu;
  std::unordered_map<SessionBase*, std::weak_ptr<SessionBase>> sessions;
  // Open connections per client; an entry exists only while it counts one (so at most
  // max_connections entries).
  std::unordered_map<std::string, int> connections_by_client;
};

}  // namespace

struct Server::Impl {
  Impl(ServerOptions o, RequestHandler& h, ops::Registry& r)
      : options(std::move(o)), handler(h), metrics(r), contexts(MakeContexts(options.threads)),
        acceptor(*contexts.front()) {}
  // The I/O threads stop first; then the members go in reverse order of declaration: the
  // acceptor, the I/O contexts with the sessions their handlers still hold, and the registry.
  ~Impl() { StopThreads(); }
  void StopThreads();

  // One I/O context a thread, each run by that thread alone (as Asio's HTTP server 2 example):
  // a connection lives on one context, so its handlers never run concurrently without a strand,
  // and the threads share no scheduler lock. One context run by every thread, each connection on
  // a strand, spent a tenth of a no-op request's CPU on the scheduler's mutex and the strands.
  static std::vector<std::unique_ptr<net::io_context>> MakeContexts(int threads) {
    std::vector<std::unique_ptr<net::io_context>> out;
    for (int i = 0; i < std::max(1, threads); ++i) out.push_back(std::make_unique<net::io_context>(1));
    return out;
  }
  // Where the next accepted connection lives: round robin (called on the acceptor's thread only).
  net::io_context& NextContext() { return *contexts[next_context++ % contexts.size()]; }

  void Accept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  void RefuseConnection(tcp::socket& socket, const char* reason);
  template <class Stream>
  void StartSession(Stream stream, std::string remote);

  void Register(SessionBase* s, std::weak_ptr<SessionBase> w) {
    std::lock_guard lock(registry.mu);
    registry.sessions[s] = std::move(w);
  }
  void Unregister(SessionBase* s) {
    std::lock_guard lock(registry.mu);
    registry.sessions.erase(s);
  }
  // A connection slot for `client` (its remote address, as the rate limiter keys a client
  // without an API key), or false when it holds max_connections_per_client already.
  bool AdmitClient(const std::string& client) {
    std::lock_guard lock(registry.mu);
    int& open = registry.connections_by_client[client];
    if (open >= options.max_connections_per_client) return false;
    ++open;
    return true;
  }
  void ReleaseClient(const std::string& client) {
    std::lock_guard lock(registry.mu);
    auto it = registry.connections_by_client.find(client);
    STEMEDB_CHECK(it != registry.connections_by_client.end() && it->second > 0);
    if (--it->second == 0) registry.connections_by_client.erase(it);
  }

  ServerOptions options;
  RequestHandler& handler;
  ServerMetrics metrics;
  std::atomic<bool> shutting_down{false};
  std::atomic<int64_t> connections{0};
  std::atomic<int64_t> inflight{0};
  SessionRegistry registry;  // before the I/O context: it outlives every session (see above)
  std::vector<std::unique_ptr<net::io_context>> contexts;  // never empty
  size_t next_context = 0;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> work;
  std::optional<ssl::context> tls;
  tcp::acceptor acceptor;
  std::vector<std::thread> threads;
};

namespace {

// One connection. Runs on its I/O context's one thread; reads a request, hands it to the
// handler, writes the response, and loops (keep-alive, pipelining: a pipelined request waits in
// `buffer_`).
template <class Stream>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(Server::Impl& server, Stream stream, std::string remote)
      : server_(server), stream_(std::move(stream)), remote_(std::move(remote)) {
    server_.connections.fetch_add(1);
    server_.metrics.connections.Inc();
  }
  ~Session() override {
    EndRequest();
    server_.Unregister(this);
    server_.ReleaseClient(remote_);
    server_.connections.fetch_sub(1);
    server_.metrics.connections.Dec();
  }

  void Start() {
    server_.Register(this, this->shared_from_this());
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->Handshake(); });
  }

  void Shutdown() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->closing_ = true;
      if (self->active_stream_) self->active_stream_->Cancel();
      // A request being received or handled finishes (with Connection: close); an idle
      // keep-alive connection has nothing in flight and closes now.
      if (!self->busy_ && !self->reading_) self->CloseSocket();
    });
  }

 private:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;
  static constexpr size_t kLingerBytesMax = 1 << 20;

  auto& Lowest() { return beast::get_lowest_layer(stream_); }

  void Handshake() {
    if constexpr (kTls) {
      Lowest().expires_after(server_.options.read_timeout);
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) return;  // a failed handshake is the client's problem
                                self->WaitForRequest();
                              });
    } else {
      WaitForRequest();
    }
  }

  // Between requests the client gets idle_timeout to start the next one; once its first byte
  // is here, the whole request must arrive within read_timeout (a slow client cannot hold a
  // connection by trickling bytes).
  void WaitForRequest() {
    if (closing_ || server_.shutting_down.load()) return CloseSocket();
    if (buffer_.size() > 0) {
      BeginRequest();
      return ReadHeader();
    }
    Lowest().expires_after(server_.options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096), [self = this->shared_from_this()](
                                                       beast::error_code ec, size_t n) {
      if (ec) return;  // closed, idle timeout, or shutdown
      self->buffer_.commit(n);
      self->BeginRequest();
      self->ReadHeader();
    });
  }

  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(server_.options.max_header_bytes);
    parser_->body_limit(server_.options.max_body_bytes);
    Lowest().expires_after(server_.options.read_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = this->shared_from_this()](beast::error_code ec, size_t) {
                               self->OnHeader(ec);
                             });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    auto& msg = parser_->get();
    auto length = parser_->content_length();
    if (length && *length > server_.options.max_body_bytes) {
      // Refused from the header alone: the body is never read, so the connection must close.
      return Refuse(413, "body_too_large",
                    "request body of " + std::to_string(*length) + " bytes exceeds the limit of " +
                        std::to_string(server_.options.max_body_bytes) + " bytes",
                    "body_too_large");
    }
    if (beast::iequals(msg[bhttp::field::expect], "100-continue")) {
      auto cont = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, 11);
      return bhttp::async_write(stream_, *cont,
                                [self = this->shared_from_this(), cont](beast::error_code ec, size_t) {
                                  if (ec) return;
                                  self->ReadBody();
                                });
    }
    ReadBody();
  }

  void ReadBody() {
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = this->shared_from_this()](beast::error_code ec, size_t) {
                        if (ec) return self->OnReadError(ec);
                        self->Dispatch();
                      });
  }

  void OnReadError(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      return Refuse(413, "body_too_large",
                    "request body exceeds the limit of " +
                        std::to_string(server_.options.max_body_bytes) + " bytes",
                    "body_too_large");
    }
    if (ec == bhttp::error::header_limit) {
      return Refuse(431, "headers_too_large",
                    "request header block exceeds the limit of " +
                        std::to_string(server_.options.max_header_bytes) + " bytes",
                    "headers_too_large");
    }
    if (ec == beast::error::timeout) {
      server_.metrics.protocol_errors.WithLabels({"read_timeout"}).Inc();
      return CloseSocket();
    }
    if (ec == bhttp::error::end_of_stream || ec == net::error::eof ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset) {
      return CloseSocket();
    }
    Refuse(400, "bad_request", "malformed HTTP request: " + ec.message(), "bad_request");
  }

  // An answer the server gives without the handler (limits, malformed HTTP); always closes.
  void Refuse(int status, const char* code, std::string message, const char* reason) {
    server_.metrics.protocol_errors.WithLabels({reason}).Inc();
    refused_ = true;
    reading_ = false;
    // Answered before the dispatcher sees the request: the id is chosen here, and carried in the
    // header as on every other response. The header may be cut short (a limit stopped it), so
    // only the fields read so far are searched.
    std::optional<std::string> client_id;
    if (parser_) {
      auto field = parser_->get().find("x-request-id");
      if (field != parser_->get().end()) client_id = std::string(field->value());
    }
    const std::string request_id = ChooseRequestId(client_id ? &*client_id : nullptr);
    Response r = ErrorResponse({status, code, std::move(message), ""}, request_id);
    r.SetHeader("X-Request-Id", request_id);
    r.close_connection = true;
    busy_ = true;
    head_only_ = false;
    request_keep_alive_ = false;
    Write(std::move(r));
  }

  void Dispatch() {
    auto msg = parser_->release();
    request_ = ToRequest(msg);
    request_.remote_address = remote_;
    request_keep_alive_ = msg.keep_alive();
    head_only_ = request_.method == Method::kHead;

    reading_ = false;
    busy_ = true;
    Lowest().expires_never();  // the handler's time is not the client's fault
    auto self = this->shared_from_this();
    server_.handler.Handle(request_, [self](Response r) {
      net::post(self->stream_.get_executor(),
                [self, r = std::move(r)]() mutable { self->Write(std::move(r)); });
    });
  }

  void Write(Response r) {
    bool keep_alive = request_keep_alive_ && !r.close_connection && !closing_ &&
                      !server_.shutting_down.load();
    if (r.stream) return WriteStreamHeader(std::move(r), keep_alive);
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
    res->version(11);
    res->result(static_cast<unsigned>(r.status));
    res->set(bhttp::field::server, "stemedb");
    if (!r.content_type.empty()) res->set(bhttp::field::content_type, r.content_type);  // none on a 204
    // Response::SetHeader keeps names unique, so insert (no search for an earlier field) is enough.
    for (const auto& [name, value] : r.headers) res->insert(name, value);
    res->body() = std::move(r.body);
    res->keep_alive(keep_alive);
    res->prepare_payload();
    auto sr = std::make_shared<bhttp::response_serializer<bhttp::string_body>>(*res);
    Lowest().expires_after(server_.options.read_timeout);  // a client that never reads is dropped
    auto done = [self = this->shared_from_this(), res, sr, keep_alive](beast::error_code ec, size_t) {
      self->FinishRequest(ec, keep_alive);
    };
    if (head_only_) bhttp::async_write_header(stream_, *sr, std::move(done));
    else bhttp::async_write(stream_, *sr, std::move(done));
  }

  void FinishRequest(beast::error_code ec, bool keep_alive) {
    busy_ = false;
    // A chunk that could not be written (timeout, reset) ends the stream here: its producer
    // must learn it, or it would wait for a Next that never comes.
    if (ec && active_stream_) active_stream_->Cancel();
    active_stream_.reset();
    ++stream_generation_;
    EndRequest();
    if (!ec && refused_) return LingerThenClose();
    if (ec || !keep_alive) return CloseSocket();
    WaitForRequest();
  }

  // After refusing a request whose body is still arriving, closing at once would make the
  // kernel answer the unread bytes with a reset, and the client could lose our 413 before it
  // reads it. So: stop sending, then read and discard for a short while (bounded in time and
  // bytes, never buffered), then close.
  void LingerThenClose() {
    beast::error_code ec;
    Lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    Lowest().expires_after(std::chrono::seconds(1));
    Discard(kLingerBytesMax);
  }

  void Discard(size_t budget) {
    auto scratch = std::make_shared<std::array<char, 16384>>();
    Lowest().async_read_some(net::buffer(*scratch), [self = this->shared_from_this(), scratch, budget](
                                                         beast::error_code ec, size_t n) {
      if (ec || n >= budget) return self->Lowest().close();
      self->Discard(budget - n);
    });
  }

  // Server-Sent Events and other streamed bodies: chunked transfer encoding.
  void WriteStreamHeader(Response r, bool keep_alive) {
    active_stream_ = std::move(r.stream);
    if (closing_) active_stream_->Cancel();
    auto res = std::make_shared<bhttp::response<bhttp::empty_body>>();
    res->version(11);
    res->result(static_cast<unsigned>(r.status));
    res->set(bhttp::field::server, "stemedb");
    res->set(bhttp::field::content_type, r.content_type);
    res->set(bhttp::field::cache_control, "no-cache");
    // Response::SetHeader keeps names unique, so insert (no search for an earlier field) is enough.
    for (const auto& [name, value] : r.headers) res->insert(name, value);
    res->keep_alive(keep_alive);
    res->chunked(true);
    auto sr = std::make_shared<bhttp::response_serializer<bhttp::empty_body>>(*res);
    Lowest().expires_after(server_.options.read_timeout);
    bhttp::async_write_header(stream_, *sr, [self = this->shared_from_this(), res, sr, keep_alive](
                                                beast::error_code ec, size_t) {
      if (ec) return self->FinishRequest(ec, false);
      if (self->head_only_) {
        // HEAD: the header says what a GET would get, and no body follows: the stream is ended
        // before it produces a chunk.
        self->active_stream_->Cancel();
        return self->FinishRequest(ec, keep_alive);
      }
      self->WatchForHangUp();
      self->PumpStream(keep_alive);
    });
  }

  // While a stream is open the client has nothing to send, so the socket turning readable means
  // it left (end of file or reset): the stream is cancelled now, not at the next write that fails
  // (up to a keep-alive interval later, a follower's place held all that time). Bytes that did
  // arrive (a pipelined request, a TLS record) stay in the socket for after the stream and end
  // the watch. Waiting for readability reads nothing, so it cannot take bytes from the parser.
  void WatchForHangUp() {
    const uint64_t generation = stream_generation_;
    Lowest().socket().async_wait(tcp::socket::wait_read, [self = this->shared_from_this(), generation](
                                                             beast::error_code ec) {
      if (generation != self->stream_generation_ || !self->active_stream_) return;  // that stream ended
      if (!ec) {
        char byte = 0;
        const ssize_t n = ::recv(self->Lowest().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n > 0) return;  // data, not a hang-up
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return self->WatchForHangUp();
      }
      self->active_stream_->Cancel();
    });
  }

  void PumpStream(bool keep_alive) {
    Lowest().expires_never();
    auto self = this->shared_from_this();
    active_stream_->Next([self, keep_alive](std::optional<std::string> chunk) {
      net::post(self->stream_.get_executor(), [self, keep_alive, chunk = std::move(chunk)]() mutable {
        self->WriteChunk(std::move(chunk), keep_alive);
      });
    });
  }

  void WriteChunk(std::optional<std::string> chunk, bool keep_alive) {
    Lowest().expires_after(server_.options.read_timeout);
    if (!chunk) {
      return net::async_write(stream_, bhttp::make_chunk_last(),
                              [self = this->shared_from_this(), keep_alive](beast::error_code ec, size_t) {
                                self->FinishRequest(ec, keep_alive && !self->closing_);
                              });
    }
    auto data = std::make_shared<std::string>(std::move(*chunk));
    net::async_write(stream_, bhttp::make_chunk(net::buffer(*data)),
                     [self = this->shared_from_this(), data, keep_alive](beast::error_code ec, size_t) {
                       if (ec) {
                         self->active_stream_->Cancel();
                         return self->FinishRequest(ec, false);
                       }
                       self->PumpStream(keep_alive);
                     });
  }

  // A request counts as in flight from its first byte to its response's last, so a graceful
  // shutdown waits for requests still being received as well as those being handled.
  void BeginRequest() {
    reading_ = true;
    if (!counted_) server_.inflight.fetch_add(1);
    counted_ = true;
  }
  void EndRequest() {
    if (counted_) server_.inflight.fetch_sub(1);
    counted_ = false;
  }

  void CloseSocket() {
    EndRequest();
    beast::error_code ec;
    if constexpr (kTls) {
      Lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
    } else {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    }
    Lowest().close();
  }

  Server::Impl& server_;
  Stream stream_;
  std::string remote_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Request request_;
  bool request_keep_alive_ = true;
  bool head_only_ = false;
  bool reading_ = false;  // a request's first byte is here, its last is not yet
  bool counted_ = false;  // this connection's current request is in server_.inflight
  bool busy_ = false;     // a request is between its last byte read and its response written
  bool closing_ = false;  // shutdown asked; close after the current response
  bool refused_ = false;  // answered without reading the request whole; linger, then close
  std::shared_ptr<ResponseStream> active_stream_;
  uint64_t stream_generation_ = 0;  // bumped at each request's end; a hang-up watch names its stream
};

}  // namespace

template <class Stream>
void Server::Impl::StartSession(Stream stream, std::string remote) {
  std::make_shared<Session<Stream>>(*this, std::move(stream), std::move(remote))->Start();
}

void Server::Impl::Accept() {
  acceptor.async_accept(NextContext(), [this](beast::error_code ec, tcp::socket socket) {
    OnAccept(ec, std::move(socket));
  });
}

void Server::Impl::RefuseConnection(tcp::socket& socket, const char* reason) {
  metrics.refused.WithLabels({reason}).Inc();
  // Best effort, never blocking: a fresh socket's send buffer takes these bytes at once.
  static const std::string kBody =
      R"({"error":{"code":"too_many_connections","message":"connection limit reached; retry later"}})";
  std::string out = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
                    "Connection: close\r\nContent-Length: " + std::to_string(kBody.size()) + "\r\n\r\n" + kBody;
  beast::error_code ec;
  socket.non_blocking(true, ec);
  socket.write_some(net::buffer(out), ec);
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

void Server::Impl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
  if (ec) {
    // EMFILE and friends: log, back off briefly, keep accepting.
    spdlog::warn("accept failed: {}", ec.message());
    auto timer =
        std::make_shared<net::steady_timer>(acceptor.get_executor(), std::chrono::milliseconds(50));
    timer->async_wait([this, timer](beast::error_code) { Accept(); });
    return;
  }
  beast::error_code ep_ec;
  auto ep = socket.remote_endpoint(ep_ec);
  std::string remote = ep_ec ? "unknown" : ep.address().to_string();
  if (shutting_down.load()) {
    RefuseConnection(socket, "shutdown");
  } else if (connections.load() >= options.max_connections) {
    RefuseConnection(socket, "max_connections");
  } else if (!AdmitClient(remote)) {
    // One client cannot take every connection the server has (the session releases the slot).
    RefuseConnection(socket, "max_connections_per_client");
  } else {
    metrics.accepted.Inc();
    socket.set_option(tcp::no_delay(true), ep_ec);
    if (tls) {
      StartSession(beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), *tls),
                   std::move(remote));
    } else {
      StartSession(beast::tcp_stream(std::move(socket)), std::move(remote));
    }
  }
  Accept();
}

Server::Server(ServerOptions options, RequestHandler& handler, ops::Registry& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), handler, metrics)) {}

Server::~Server() { Stop(); }

Status Server::Start() {
  auto& o = impl_->options;
  std::string where = o.host + ":" + std::to_string(o.port);
  if (!o.tls_cert_file.empty()) {
    impl_->tls.emplace(ssl::context::tls_server);
    beast::error_code ec;
    impl_->tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                                ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                            ec);
    impl_->tls->use_certificate_chain_file(o.tls_cert_file, ec);
    if (ec) return Status::InvalidArgument("tls.cert_file " + o.tls_cert_file + ": " + ec.message());
    impl_->tls->use_private_key_file(o.tls_key_file, ssl::context::pem, ec);
    if (ec) return Status::InvalidArgument("tls.key_file " + o.tls_key_file + ": " + ec.message());
  }
  beast::error_code ec;
  tcp::resolver resolver(*impl_->contexts.front());
  auto results = resolver.resolve(o.host, std::to_string(o.port), tcp::resolver::passive, ec);
  if (ec || results.empty()) return Status::InvalidArgument("cannot resolve " + where + ": " + ec.message());
  tcp::endpoint endpoint = results.begin()->endpoint();
  auto& acc = impl_->acceptor;
  acc.open(endpoint.protocol(), ec);
  if (!ec) acc.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(endpoint, ec);
  if (!ec) acc.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return Status::IOError("cannot listen on " + where + ": " + ec.message(), ec.value());
  for (auto& context : impl_->contexts) impl_->work.emplace_back(context->get_executor());
  impl_->Accept();
  for (auto& context : impl_->contexts) {
    impl_->threads.emplace_back([context = context.get()] { context->run(); });
  }
  return Status::OK();
}

uint16_t Server::port() const {
  beast::error_code ec;
  auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

void Server::BeginShutdown() {
  if (impl_->shutting_down.exchange(true)) return;
  net::post(impl_->acceptor.get_executor(), [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
  });
  std::vector<std::shared_ptr<SessionBase>> live;
  {
    std::lock_guard lock(impl_->registry.mu);
    for (auto& [raw, weak] : impl_->registry.sessions) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live) s->Shutdown();
}

bool Server::WaitForIdle(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (impl_->inflight.load() > 0) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

void Server::Impl::StopThreads() {
  work.clear();
  for (auto& context : contexts) context->stop();
  for (auto& t : threads) {
    if (t.joinable()) t.join();
  }
  threads.clear();
}

void Server::Stop() {
  if (impl_) impl_->StopThreads();
}

int64_t Server::inflight() const { return impl_->inflight.load(); }
int64_t Server::connections() const { return impl_->connections.load(); }

}  // namespace stemedb::http
