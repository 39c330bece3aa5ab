#pragma once
// A TCP proxy on loopback for replication fault tests: forwards every connection to a target
// port, and on demand cuts every connection, stalls forwarding, or flips one byte flowing from
// the target back to the client. The target port can change (a restarted daemon gets a new
// port; its clients keep the proxy's).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace stemedb::testing {

class FaultProxy {
 public:
  explicit FaultProxy(uint16_t target_port);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void SetTarget(uint16_t target_port) { target_port_.store(target_port); }
  // Closes every open connection (both sides see a reset or end of file).
  void CutAll();
  // Holds every byte, both ways, until `duration` has passed; connections stay open.
  void Stall(std::chrono::milliseconds duration);
  // The byte `after_bytes` bytes from now, target to client, is sent with one bit flipped.
  void FlipDownstreamByte(uint64_t after_bytes);
  uint64_t flipped() const { return flipped_.load(); }

 private:
  struct Pipe;
  void AcceptLoop();
  void Pump(int from, int to, bool downstream);

  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<uint16_t> target_port_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> stalled_until_ms_{0};
  std::atomic<int64_t> flip_in_bytes_{-1};
  std::atomic<uint64_t> flipped_{0};
  std::mutex mu_;
  std::vector<int> fds_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

}  // namespace stemedb::testing
