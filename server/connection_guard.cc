#include "server/connection_guard.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/status.h"
#include "server/tcp_received.h"

// -------------------------------------------------------------- accept(2)

namespace {
// The descriptor the last accept(2) of this thread returned: httplib's listening
// thread accepts, then enqueues the connection's closure at once.
thread_local int last_accepted = -1;
}  // namespace

// httplib's listening loop calls accept(2) through the dynamic linker, which
// finds this definition first (the executable's symbols come before libc's).
extern "C" int accept(int fd, sockaddr* __restrict address, socklen_t* __restrict length) {
  const int accepted = ::accept4(fd, address, length, 0);
  last_accepted = accepted;
  return accepted;
}

namespace sarea::server {

// ------------------------------------------------------------- request head

HeadCheck CheckRequestHead(std::string_view bytes, const EdgeLimits& limits) {
  std::size_t start = 0;
  std::size_t lines = 0;
  while (true) {
    const std::size_t end = bytes.find('\n', start);
    const std::size_t length = (end == std::string_view::npos ? bytes.size() : end + 1) - start;
    const bool first = lines == 0;
    if (first && length > limits.max_request_line) return HeadCheck::kUriTooLong;
    if (!first && length > limits.max_request_line) return HeadCheck::kHeadTooLarge;
    if (start + length > limits.max_head_bytes) return HeadCheck::kHeadTooLarge;
    if (end == std::string_view::npos) return HeadCheck::kIncomplete;
    const std::string_view line = bytes.substr(start, length);
    if (!first && (line == "\r\n" || line == "\n")) return HeadCheck::kComplete;
    if (++lines > limits.max_header_lines + 1) return HeadCheck::kHeadTooLarge;
    start = end + 1;
  }
}

std::string RefusalResponse(int status) {
  const char* reason = "Service Unavailable";
  const char* message = "too many connections; retry shortly";
  const char* extra = "Retry-After: 1\r\n";
  switch (status) {
    case 408:
      reason = "Request Timeout";
      message = "the request did not arrive in time";
      extra = "";
      break;
    case 414:
      reason = "URI Too Long";
      message = "the request line is too long";
      extra = "";
      break;
    case 431:
      reason = "Request Header Fields Too Large";
      message = "the request head is too large";
      extra = "";
      break;
  }
  // The API's own error codes (common/status.h), as SendError writes them.
  const std::string code =
      StatusCodeName(status == 503 ? StatusCode::kUnavailable : StatusCode::kInvalidArgument);
  const std::string body =
      std::string(R"({"error":{"code":")") + code + R"(","message":")" + message + "\"}}";
  return "HTTP/1.1 " + std::to_string(status) + " " + reason +
         "\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n" + extra + "Connection: close\r\n\r\n" + body;
}

namespace {

using Clock = std::chrono::steady_clock;

// ------------------------------------------------------------- connections

// A connection being served. The watchdog reads it under the guard's mutex;
// the connection's own thread writes the atomics.
struct Connection {
  int fd = -1;   // httplib's descriptor
  int dup = -1;  // ours: keeps the socket, so that a shutdown never hits another file
  enum Phase { kOwnHead, kNextHead, kBusy };
  std::atomic<int> phase{kOwnHead};
  std::atomic<Clock::rep> since{0};     // when the next head began to be awaited
  std::atomic<long long> received{-1};  // TcpBytesReceived then
};

thread_local Connection* current = nullptr;

// Sends `response` without blocking for long, stops sending, then reads and
// drops what the client still sends (for up to `linger`), so that closing
// does not reset the connection before the client has read the response.
void Refuse(int fd, const std::string& response, std::chrono::milliseconds linger) {
  char sink[4096];
  while (::recv(fd, sink, sizeof(sink), MSG_DONTWAIT) > 0) {
  }
  (void)!::send(fd, response.data(), response.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  ::shutdown(fd, SHUT_WR);
  const auto deadline = Clock::now() + linger;
  while (Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (::poll(&p, 1, static_cast<int>(std::max<long long>(1, left))) <= 0) break;
    if (::recv(fd, sink, sizeof(sink), MSG_DONTWAIT) <= 0) break;
  }
  ::shutdown(fd, SHUT_RDWR);  // httplib then finds the connection closed and closes it
}

class ConnectionGuard final : public httplib::TaskQueue {
 public:
  ConnectionGuard(EdgeLimits limits, int threads, RefusalCallback on_refused)
      : limits_(limits), kept_threads_(threads), on_refused_(std::move(on_refused)) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (int i = 0; i < threads; ++i) StartWorker();
    watchdog_ = std::thread([this] { Watch(); });
    refuser_ = std::thread([this] { RefuseQueued(); });
  }

  ~ConnectionGuard() override { shutdown(); }

  void enqueue(std::function<void()> fn) override {
    Task task{last_accepted, std::move(fn)};
    last_accepted = -1;
    std::unique_lock<std::mutex> lock(mutex_);
    if (connections_ >= limits_.max_connections) {
      if (refusals_.size() < kMaxRefusalsQueued) {
        refusals_.push_back(std::move(task));
        refuse_cv_.notify_one();
        return;
      }
      lock.unlock();
      // Too many even to answer: close at once. (Every refusal is counted
      // before its client can see it, so that a client that was refused
      // finds it in /metrics.)
      if (on_refused_) on_refused_(503);
      if (task.fd >= 0) ::shutdown(task.fd, SHUT_RDWR);
      task.fn();
      return;
    }
    ++connections_;
    tasks_.push_back(std::move(task));
    // Every connection gets a thread at once: none waits behind slow ones.
    if (tasks_.size() > static_cast<std::size_t>(idle_)) StartWorker();
    work_cv_.notify_one();
  }

  void shutdown() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) return;
      stopping_ = true;
      stopping_flag_ = true;
      work_cv_.notify_all();
      refuse_cv_.notify_all();
      watch_cv_.notify_all();
    }
    {
      std::unique_lock<std::mutex> lock(mutex_);
      done_cv_.wait(lock, [&] { return threads_ == 0; });
    }
    watchdog_.join();
    refuser_.join();
  }

 private:
  struct Task {
    int fd = -1;
    std::function<void()> fn;
  };
  static constexpr std::size_t kMaxRefusalsQueued = 64;
  static constexpr std::chrono::milliseconds kRefusalLinger{200};
  static constexpr std::chrono::milliseconds kWatchInterval{50};
  static constexpr std::chrono::seconds kIdleExit{30};

  // With the mutex held. Workers are detached: those beyond the kept ones end
  // after kIdleExit without a connection, and shutdown() waits for all.
  void StartWorker() {
    ++threads_;
    std::thread([this] { Work(); }).detach();
  }

  void Work() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (true) {
      ++idle_;
      const bool woken =
          work_cv_.wait_for(lock, kIdleExit, [&] { return stopping_ || !tasks_.empty(); });
      --idle_;
      if (tasks_.empty() && (stopping_ || (!woken && threads_ > kept_threads_))) {
        --threads_;
        done_cv_.notify_all();
        return;  // the last use of this object by this thread
      }
      if (tasks_.empty()) continue;
      Task task = std::move(tasks_.front());
      tasks_.pop_front();
      lock.unlock();
      Serve(std::move(task));
      lock.lock();
      --connections_;
    }
  }

  void Serve(Task task) {
    if (task.fd < 0) {  // accept(2) not seen: serve without the limits
      task.fn();
      return;
    }
    auto connection = std::make_shared<Connection>();
    connection->fd = task.fd;
    connection->dup = ::dup(task.fd);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      live_.push_back(connection);
    }
    const int refused = AwaitFirstHead(task.fd);
    if (refused != 0) {
      if (on_refused_) on_refused_(refused);
      Refuse(task.fd, RefusalResponse(refused), kRefusalLinger);
    }
    connection->phase = Connection::kBusy;
    current = connection.get();
    task.fn();  // httplib serves the connection's requests and closes fd
    current = nullptr;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      live_.remove(connection);
    }
    if (connection->dup >= 0) ::close(connection->dup);
  }

  // Waits until the kernel holds the connection's whole first request head;
  // 0 then (or when the client is gone: httplib sees to it), else the status
  // to refuse the connection with.
  int AwaitFirstHead(int fd) const {
    const auto deadline = Clock::now() + limits_.head_timeout;
    std::string buffer(limits_.max_head_bytes + 1, '\0');
    int status = 0;
    while (true) {
      const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), MSG_PEEK | MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) break;
      const std::size_t have = n > 0 ? static_cast<std::size_t>(n) : 0;
      const HeadCheck check = CheckRequestHead(std::string_view(buffer.data(), have), limits_);
      if (check == HeadCheck::kComplete) break;
      if (check == HeadCheck::kUriTooLong) {
        status = 414;
        break;
      }
      if (check == HeadCheck::kHeadTooLarge) {
        status = 431;
        break;
      }
      // Wake only when more than what is there has come (the kernel's low-water mark).
      const int more = static_cast<int>(have) + 1;
      ::setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &more, sizeof(more));
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) {
        status = 408;
        break;
      }
      if (stopping_flag_) break;  // httplib closes it: the server stops
      // In slices, so that a stopping server is not held up by slow clients.
      pollfd p{fd, POLLIN | POLLRDHUP, 0};
      const int ready = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 100)));
      if (ready > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0) break;  // httplib's
    }
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &one, sizeof(one));
    return status;
  }

  // Holds the next request head of each keep-alive connection to the limits.
  void Watch() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!watch_cv_.wait_for(lock, kWatchInterval, [&] { return stopping_; })) {
      const auto now = Clock::now();
      for (const auto& connection : live_) {
        if (connection->phase != Connection::kNextHead || connection->dup < 0) continue;
        const Clock::time_point since{Clock::duration(connection->since.load())};
        const long long before = connection->received;
        const long long received = TcpBytesReceived(connection->dup);
        int status = 0;
        if (before >= 0 && received >= 0 &&
            static_cast<unsigned long long>(received - before) > limits_.max_head_bytes) {
          status = 431;
        } else if (now - since > limits_.head_timeout) {
          status = 408;
        }
        if (status == 0) continue;
        connection->phase = Connection::kBusy;  // refused once
        // The connection's thread is reading (httplib waits for the head):
        // nothing else writes to it. (A client idle since its last response
        // gets the 408 too, which browsers take as "retry on a new
        // connection".)
        if (on_refused_) on_refused_(status);
        const std::string response = RefusalResponse(status);
        (void)!::send(connection->dup, response.data(), response.size(),
                      MSG_DONTWAIT | MSG_NOSIGNAL);
        ::shutdown(connection->dup, SHUT_RDWR);
      }
    }
  }

  void RefuseQueued() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (true) {
      refuse_cv_.wait(lock, [&] { return stopping_ || !refusals_.empty(); });
      if (refusals_.empty()) return;
      Task task = std::move(refusals_.front());
      refusals_.pop_front();
      lock.unlock();
      if (on_refused_) on_refused_(503);
      if (task.fd >= 0) Refuse(task.fd, RefusalResponse(503), kRefusalLinger);
      task.fn();
      lock.lock();
    }
  }

  const EdgeLimits limits_;
  const int kept_threads_;
  const RefusalCallback on_refused_;
  std::mutex mutex_;
  // One mutex; a condition for each kind of waiter, so that a new connection
  // wakes one worker, not every idle one.
  std::condition_variable work_cv_;    // workers: a connection, or stopping
  std::condition_variable refuse_cv_;  // the refuser: a connection to refuse
  std::condition_variable watch_cv_;   // the watchdog: stopping
  std::condition_variable done_cv_;    // shutdown(): a worker ended
  std::deque<Task> tasks_;
  std::deque<Task> refusals_;
  std::list<std::shared_ptr<Connection>> live_;
  std::thread watchdog_;
  std::thread refuser_;
  std::atomic<bool> stopping_flag_{false};  // stopping_, read without the mutex
  int connections_ = 0;                     // being served or waiting for a thread
  int idle_ = 0;                            // threads waiting for a connection
  int threads_ = 0;                         // workers started and not ended
  bool stopping_ = false;
};

}  // namespace

httplib::TaskQueue* NewConnectionGuard(const EdgeLimits& limits, int threads,
                                       RefusalCallback on_refused) {
  return new ConnectionGuard(limits, threads, std::move(on_refused));
}

void RequestStarted() {
  if (current != nullptr) current->phase = Connection::kBusy;
}

void ResponseWritten() {
  if (current == nullptr) return;
  current->since = Clock::now().time_since_epoch().count();
  current->received = TcpBytesReceived(current->dup);
  current->phase = Connection::kNextHead;
}

}  // namespace sarea::server
