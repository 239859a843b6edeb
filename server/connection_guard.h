// The HTTP edge in front of httplib's request parser.
//
// cpp-httplib 0.11 (Debian 12) serves each connection on a worker of a fixed
// pool, reads a request head byte by byte with no bound on its total size or
// the time it takes (only 5 s between two bytes), and bounds neither the
// number of connections nor their queue: a few hundred slow clients hold every
// worker, and a header line without end grows in memory until it ends. The
// guard is httplib's task queue (Server::new_task_queue) and puts Apache's
// MaxRequestWorkers and mod_reqtimeout in front of it:
//
// - one thread per connection, up to EdgeLimits::max_connections; a
//   connection beyond that is answered 503 (Retry-After: 1) and closed;
// - the first request head of a connection is looked at in the kernel's buffer
//   (MSG_PEEK) before httplib reads it, and must be complete within
//   head_timeout (else 408), with a request line of at most max_request_line
//   bytes (else 414) and a head of at most max_head_bytes and max_header_lines
//   (else 431);
// - between two requests of a keep-alive connection, a watchdog holds the next
//   head to the same time and size limits (the bytes the connection received,
//   from the kernel's TCP_INFO) and shuts the connection down otherwise.
//
// httplib gives its task queue only a closure, not the socket; the guard learns
// each connection's descriptor from accept(2), which this library defines for
// the process and forwards to accept4(2) (ELF symbol interposition: httplib's
// shared library calls the executable's definition). Without it (a static
// build), the guard still gives each connection its own thread and the cap,
// and answers 503 by closing.
#ifndef SAREA_SERVER_CONNECTION_GUARD_H_
#define SAREA_SERVER_CONNECTION_GUARD_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace httplib {
class TaskQueue;
}

namespace sarea::server {

struct EdgeLimits {
  int max_connections = 512;
  std::chrono::milliseconds head_timeout{10000};
  std::size_t max_request_line = 8192;  // with its line end, as httplib counts
  std::size_t max_head_bytes = 16384;   // request line and headers
  std::size_t max_header_lines = 100;
};

// What the first bytes of a connection (or of its next request) say.
enum class HeadCheck {
  kComplete,      // a whole head within the limits
  kIncomplete,    // within the limits so far
  kUriTooLong,    // 414
  kHeadTooLarge,  // 431
};
HeadCheck CheckRequestHead(std::string_view bytes, const EdgeLimits& limits);

// The whole response for a connection refused with `status` (408, 414, 431 or
// 503): a JSON error like the API's, and "Connection: close".
std::string RefusalResponse(int status);

// Called (from any thread) for each connection the guard refuses, with the
// status it was answered.
using RefusalCallback = std::function<void(int status)>;

// A new task queue for httplib::Server::new_task_queue; `threads` workers are
// kept waiting for connections, more are started up to the cap.
httplib::TaskQueue* NewConnectionGuard(const EdgeLimits& limits, int threads,
                                       RefusalCallback on_refused);

// The HTTP layer marks each request on the connection's thread: its handler
// starts (the head has been read) and its response was written (the next
// head's time starts).
void RequestStarted();
void ResponseWritten();

}  // namespace sarea::server

#endif  // SAREA_SERVER_CONNECTION_GUARD_H_
