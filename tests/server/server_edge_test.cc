// The HTTP edge (server/connection_guard.h): request heads bounded in size
// (414, 431) and time (408), slow clients that do not stop others, and a cap
// on connections answered 503. The clients here are raw sockets, so that they
// can misbehave as no HTTP library would.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "server/connection_guard.h"
#include "server/search_engine.h"
#include "tests/server/server_fixture.h"

namespace sarea::server_test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using server::CheckRequestHead;
using server::EdgeLimits;
using server::HeadCheck;

// ------------------------------------------------------------ raw clients

// A connected socket to the server on `port`, closed with the object.
class Socket {
 public:
  explicit Socket(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  Socket(Socket&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

  bool ok() const { return fd_ >= 0; }

  // False if the server has already closed its side for good.
  bool Send(const std::string& bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }

  // What arrives until the server closes or `timeout` passes (then with
  // " [open]" appended).
  std::string ReadUntilClosed(std::chrono::milliseconds timeout) {
    std::string out;
    const auto deadline = Clock::now() + timeout;
    char buffer[4096];
    while (true) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      pollfd p{fd_, POLLIN, 0};
      if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) return out + " [open]";
      const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
      if (n <= 0) return out;
      out.append(buffer, static_cast<std::size_t>(n));
    }
  }

  // The first `want` bytes of a response (or what came before `timeout`).
  std::string Read(std::size_t want, std::chrono::milliseconds timeout) {
    std::string out;
    const auto deadline = Clock::now() + timeout;
    char buffer[4096];
    while (out.size() < want) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      pollfd p{fd_, POLLIN, 0};
      if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) break;
      const ssize_t n = ::recv(fd_, buffer, std::min(sizeof(buffer), want - out.size()), 0);
      if (n <= 0) break;
      out.append(buffer, static_cast<std::size_t>(n));
    }
    return out;
  }

 private:
  int fd_ = -1;
};

// The status line of `response`.
std::string StatusLine(const std::string& response) {
  return response.substr(0, response.find("\r\n"));
}

std::string HealthRequest(const std::string& extra_headers = "") {
  return "GET /api/health HTTP/1.1\r\nHost: sarea\r\n" + extra_headers + "\r\n";
}

// One whole request and its response on a new connection.
std::string Exchange(int port, const std::string& request) {
  Socket socket(port);
  if (!socket.ok()) return "cannot connect";
  socket.Send(request);
  return socket.ReadUntilClosed(10s);
}

// ------------------------------------------------------------- the checks

TEST(RequestHeadTest, LimitsAreThoseOfTheLineTheHeadAndItsLines) {
  EdgeLimits limits;
  limits.max_request_line = 100;
  limits.max_head_bytes = 300;
  limits.max_header_lines = 3;
  EXPECT_EQ(CheckRequestHead("", limits), HeadCheck::kIncomplete);
  EXPECT_EQ(CheckRequestHead("GET / HTTP/1.1\r\nHost: a\r\n", limits), HeadCheck::kIncomplete);
  EXPECT_EQ(CheckRequestHead("GET / HTTP/1.1\r\nHost: a\r\n\r\n", limits), HeadCheck::kComplete);
  EXPECT_EQ(CheckRequestHead("GET / HTTP/1.1\n\n", limits), HeadCheck::kComplete);
  // A request line too long is 414 before it even ends.
  EXPECT_EQ(CheckRequestHead("GET /" + std::string(100, 'a'), limits), HeadCheck::kUriTooLong);
  EXPECT_EQ(CheckRequestHead("GET /" + std::string(90, 'a') + " HTTP/1.1\r\n\r\n", limits),
            HeadCheck::kUriTooLong);
  // A header line as long, the head too large, too many lines: 431.
  EXPECT_EQ(CheckRequestHead("GET / HTTP/1.1\r\nX: " + std::string(100, 'a'), limits),
            HeadCheck::kHeadTooLarge);
  std::string big = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 3; ++i) big += "X: " + std::string(90, 'a') + "\r\n";
  EXPECT_EQ(CheckRequestHead(big, limits), HeadCheck::kHeadTooLarge);
  std::string many = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 3; ++i) many += "X: a\r\n";
  EXPECT_EQ(CheckRequestHead(many + "\r\n", limits), HeadCheck::kComplete);
  EXPECT_EQ(CheckRequestHead(many + "Y: b\r\n\r\n", limits), HeadCheck::kHeadTooLarge);
  // What follows a complete head (a pipelined request, a body) is not its.
  EXPECT_EQ(CheckRequestHead("GET / HTTP/1.1\r\n\r\n" + std::string(1000, 'x'), limits),
            HeadCheck::kComplete);
}

TEST(RequestHeadTest, RefusalsAreWholeResponsesThatClose) {
  for (int status : {408, 414, 431, 503}) {
    const std::string response = server::RefusalResponse(status);
    EXPECT_EQ(response.rfind("HTTP/1.1 " + std::to_string(status) + " ", 0), 0u) << response;
    EXPECT_NE(response.find("\r\nConnection: close\r\n"), std::string::npos) << response;
    const std::string body = response.substr(response.find("\r\n\r\n") + 4);
    EXPECT_NE(response.find("Content-Length: " + std::to_string(body.size()) + "\r\n"),
              std::string::npos);
    const nlohmann::json json = nlohmann::json::parse(body, nullptr, false);
    ASSERT_TRUE(json.is_object()) << body;
    EXPECT_EQ(json["error"]["code"], status == 503 ? "unavailable" : "invalid_argument");
  }
  EXPECT_NE(server::RefusalResponse(503).find("\r\nRetry-After: 1\r\n"), std::string::npos);
}

TEST_F(ServerTest, OversizeRequestLineIs414) {
  const std::string response =
      Exchange(port(), "GET /api/search?q=" + std::string(9000, 'a') + " HTTP/1.1\r\n\r\n");
  EXPECT_EQ(StatusLine(response), "HTTP/1.1 414 URI Too Long") << response.substr(0, 200);
  EXPECT_EQ(StatusLine(Exchange(port(), HealthRequest("Connection: close\r\n"))),
            "HTTP/1.1 200 OK");
}

TEST_F(ServerTest, OversizeHeadIs431) {
  const std::string too_large = "HTTP/1.1 431 Request Header Fields Too Large";
  // One header line longer than 8 KB.
  EXPECT_EQ(
      StatusLine(Exchange(port(), HealthRequest("X-Long: " + std::string(9000, 'a') + "\r\n"))),
      too_large);
  // More than 100 header lines.
  std::string many;
  for (int i = 0; i < 150; ++i) many += "X-Many: " + std::to_string(i) + "\r\n";
  EXPECT_EQ(StatusLine(Exchange(port(), HealthRequest(many))), too_large);
  // More than 16 KB in all, each line short.
  std::string large;
  for (int i = 0; i < 20; ++i) large += "X-Large: " + std::string(1000, 'b') + "\r\n";
  EXPECT_EQ(StatusLine(Exchange(port(), HealthRequest(large))), too_large);
  // A head that never ends is cut at 16 KB, not read on.
  Socket endless(port());
  ASSERT_TRUE(endless.ok());
  endless.Send("GET /api/health HTTP/1.1\r\nX-Endless: ");
  for (int i = 0; i < 64 && endless.Send(std::string(1024, 'c')); ++i) {
  }
  EXPECT_EQ(StatusLine(endless.ReadUntilClosed(10s)), too_large);
  // None of it stops the server.
  EXPECT_EQ(StatusLine(Exchange(port(), HealthRequest("Connection: close\r\n"))),
            "HTTP/1.1 200 OK");
}

// The next request on a keep-alive connection is held to the same limits (by
// the watchdog, from the bytes the connection received).
TEST_F(ServerTest, NextHeadOnAKeepAliveConnectionIsHeldToTheLimits) {
  Socket socket(port());
  ASSERT_TRUE(socket.ok());
  ASSERT_TRUE(socket.Send(HealthRequest()));
  const std::string first = socket.Read(12, 5s);
  EXPECT_EQ(first, "HTTP/1.1 200");
  std::this_thread::sleep_for(100ms);
  socket.Send("GET /api/health HTTP/1.1\r\nX-Endless: ");
  for (int i = 0; i < 64 && socket.Send(std::string(1024, 'c')); ++i) {
  }
  const std::string rest = socket.ReadUntilClosed(10s);
  EXPECT_NE(rest.find("HTTP/1.1 431 Request Header Fields Too Large"), std::string::npos)
      << rest.substr(0, 300);
  EXPECT_EQ(rest.find(" [open]"), std::string::npos);
}

// A keep-alive connection serves many requests, not httplib's default 5
// (a search box types a request per key on one connection).
TEST_F(ServerTest, KeepAliveConnectionServesManyRequests) {
  Socket socket(port());
  ASSERT_TRUE(socket.ok());
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(socket.Send(HealthRequest())) << i;
    std::string head;  // up to the blank line, then as long as Content-Length says
    while (head.find("\r\n\r\n") == std::string::npos) {
      const std::string more = socket.Read(1, 5s);
      ASSERT_FALSE(more.empty()) << "request " << i << ": " << head;
      head += more;
    }
    ASSERT_EQ(StatusLine(head), "HTTP/1.1 200 OK") << "request " << i;
    const std::size_t length = head.find("Content-Length: ");
    ASSERT_NE(length, std::string::npos) << head;
    const std::size_t body = std::stoul(head.substr(length + 16));
    ASSERT_EQ(socket.Read(body, 5s).size(), body) << "request " << i;
    const std::string& rest = head;
    ASSERT_EQ(rest.find("Connection: close"), std::string::npos) << "request " << i;
  }
}

// A server whose clients have one second to send a request head.
class EdgeTest : public ServerTest {
 protected:
  void StartWith(const std::vector<std::string>& extra) {
    ASSERT_EQ(edge_.Start(ServerArgs(index_, extra), dir_ / "edge.err"), "");
  }
  void TearDown() override {
    if (edge_.port() != 0) {
      EXPECT_EQ(edge_.Stop(), 0) << edge_.StdErr().substr(0, 2000);
    }
  }
  Server edge_;
};

TEST_F(EdgeTest, HeadNotCompleteInTimeIs408) {
  StartWith({"--request-timeout", "1"});
  Socket slow(edge_.port());
  ASSERT_TRUE(slow.ok());
  const auto start = Clock::now();
  slow.Send("GET /api/health HTTP/1.1\r\nHo");
  std::string response;
  for (int i = 0; i < 20 && slow.Send("s"); ++i) {  // a byte every 100 ms
    std::this_thread::sleep_for(100ms);
  }
  response = slow.ReadUntilClosed(10s);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  EXPECT_EQ(StatusLine(response), "HTTP/1.1 408 Request Timeout") << response;
  EXPECT_GE(seconds, 0.9);
  EXPECT_LT(seconds, 8.0);
  // A keep-alive connection that sends half its next request is closed too.
  Socket kept(edge_.port());
  ASSERT_TRUE(kept.Send(HealthRequest()));
  EXPECT_EQ(kept.Read(12, 5s), "HTTP/1.1 200");
  kept.Send("GET /api/health HTTP/1.1\r\n");
  const std::string next = kept.ReadUntilClosed(10s);
  EXPECT_NE(next.find("HTTP/1.1 408 Request Timeout"), std::string::npos) << next;
  EXPECT_EQ(next.find(" [open]"), std::string::npos);
}

// 500 clients that send half a head and then nothing (a slowloris) hold 500
// connections; a client searching meanwhile is served as usual.
TEST_F(EdgeTest, SlowClientsDoNotStopOthers) {
  StartWith({"--request-timeout", "60"});
  std::vector<Socket> slow;
  for (int i = 0; i < 500; ++i) {
    slow.emplace_back(edge_.port());
    ASSERT_TRUE(slow.back().ok()) << i;
    slow.back().Send("GET /api/search?q=city HTTP/1.1\r\nHost: sarea\r\nX-Slow: ");
  }
  for (int i = 0; i < 20; ++i) {
    const auto start = Clock::now();
    const Reply reply = Get(edge_.port(), "/api/search?q=city");
    EXPECT_EQ(reply.status, 200) << reply.body;
    EXPECT_LT(Clock::now() - start, 5s) << "search " << i;
  }
  // The slow ones are still waiting, not refused.
  EXPECT_EQ(slow.front().Read(1, 100ms), "");
  EXPECT_EQ(edge_.StdErr().find("refused"), std::string::npos);
}

TEST_F(EdgeTest, ConnectionsBeyondTheCapAre503) {
  StartWith({"--max-connections", "4", "--request-timeout", "30"});
  std::vector<Socket> idle;
  for (int i = 0; i < 4; ++i) {
    idle.emplace_back(edge_.port());
    ASSERT_TRUE(idle.back().ok());
  }
  // Once the server has taken them (a loaded machine may take a while),
  // another connection is refused.
  std::string refused;
  for (int attempt = 0; attempt < 50; ++attempt) {
    std::this_thread::sleep_for(100ms);
    refused = Exchange(edge_.port(), HealthRequest("Connection: close\r\n"));
    if (StatusLine(refused) != "HTTP/1.1 200 OK") break;
  }
  EXPECT_EQ(StatusLine(refused), "HTTP/1.1 503 Service Unavailable") << refused;
  EXPECT_NE(refused.find("\r\nRetry-After: 1\r\n"), std::string::npos);
  idle.clear();
  // Once they are gone, the server serves again.
  // (Until the server has seen them close, a new one may still be refused.)
  std::string served;
  int refusals = 1;
  for (int attempt = 0; attempt < 50; ++attempt) {
    served = Exchange(edge_.port(), HealthRequest("Connection: close\r\n"));
    if (StatusLine(served) == "HTTP/1.1 200 OK") break;
    refusals += StatusLine(served) == "HTTP/1.1 503 Service Unavailable";
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(StatusLine(served), "HTTP/1.1 200 OK");
  // (The server may not have seen the last of them close yet, nor the one it
  // just served: the metrics may be refused too, and counted.)
  Reply metrics = Get(edge_.port(), "/metrics");
  for (int attempt = 0; attempt < 50 && metrics.status == 503; ++attempt) {
    ++refusals;
    std::this_thread::sleep_for(100ms);
    metrics = Get(edge_.port(), "/metrics");
  }
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find(R"(sarea_http_requests_total{route="edge",status="503"} )" +
                              std::to_string(refusals) + "\n"),
            std::string::npos)
      << metrics.body;
}

// -------------------------------------------------------------- counting

// A search counts its matches up to SearchEngine::kExactCountUpTo: its total
// and facets are then exact. Beyond, it stops counting: the total is Xapian's
// estimate, and the language facets, those of the first matches, are scaled
// to it (they add up to the total, in the same proportions).
TEST_F(ServerTest, SearchesCountUpToTheExactCountThenEstimate) {
  // 1600 English and 800 Spanish passages name Donostia, in turns (two
  // English, one Spanish), so that the matches seen first are a fair sample.
  static_assert(2400 > 2 * server::SearchEngine::kExactCountUpTo);
  std::string records;
  for (int i = 0; i < 2400; ++i) {
    const bool es = i % 3 == 2;
    const std::string n = std::to_string(i);
    records += nlohmann::json({{"id", "festival-" + n},
                               {"lang", es ? "es" : "en"},
                               {"text", es ? "Donostia celebra el festival " + n + " en septiembre."
                                           : "Donostia holds festival " + n + " in September."}})
                   .dump() +
               "\n";
  }
  const std::filesystem::path corpus = dir_ / "festivals";
  ASSERT_TRUE(test_support::WriteAll(corpus / "festivals.jsonl", records));
  const std::filesystem::path index = dir_ / "festivals-index" / "index";
  ASSERT_EQ(RunIndexer({"--corpus", corpus.string(), "--index", index.string(), "--quiet"},
                       dir_ / "festivals.log"),
            0);
  Server server;
  ASSERT_EQ(server.Start(ServerArgs(index), dir_ / "f.err"), "");
  const nlohmann::json spanish = Get(server.port(), "/api/search?q=donostia&lang=es").Json();
  EXPECT_EQ(spanish["total"], 800) << spanish.dump().substr(0, 300);
  EXPECT_EQ(spanish["total_exact"], true);
  EXPECT_EQ(spanish["facets"]["lang"], nlohmann::json({{"es", 800}}));
  const nlohmann::json found = Get(server.port(), "/api/search?q=donostia").Json();
  EXPECT_EQ(found["total_exact"], false) << found.dump().substr(0, 300);
  const int total = found["total"];
  EXPECT_GE(total, static_cast<int>(server::SearchEngine::kExactCountUpTo));
  EXPECT_LE(total, 2400);
  const int en = found["facets"]["lang"].value("en", 0),
            es = found["facets"]["lang"].value("es", 0);
  EXPECT_NEAR(en + es, total, 1) << found["facets"].dump();
  EXPECT_NEAR(en, 2 * es, total / 10) << found["facets"].dump();
  EXPECT_EQ(server.Stop(), 0);
}

// ------------------------------------------------------------------ flags

// Out-of-range edge flags are usage errors (exit 2) naming the flag; the
// server never starts with a cap or a timeout it cannot honour.
TEST_F(ServerTest, EdgeFlagsOutOfRangeAreUsageErrors) {
  for (const std::vector<std::string>& bad :
       std::vector<std::vector<std::string>>{{"--max-connections", "0"},
                                             {"--request-timeout", "0"},
                                             {"--request-timeout", "soon"},
                                             {"--remote-timeout", "0"}}) {
    test_support::SpawnOptions options;
    options.program = kServer;
    options.args = ServerArgs(index_, bad);
    options.out.file = dir_ / "usage.out";
    options.err.file = dir_ / "usage.err";
    const int code = test_support::WaitAtMost(test_support::Spawn(options), 20s);
    const std::string err = test_support::ReadAll(dir_ / "usage.err");
    EXPECT_EQ(code, 2) << bad[0] << " " << bad[1] << ": " << err;
    EXPECT_NE(err.find(bad[0]), std::string::npos) << err;
  }
}

// ---------------------------------------------------------------- security

// The local address of the socket listening on `port`, from /proc/net/tcp
// ("0100007F" is 127.0.0.1), or "" if there is none.
std::string ListeningAddress(int port) {
  char wanted[8];
  std::snprintf(wanted, sizeof(wanted), ":%04X", port);
  const std::string table = test_support::ReadAll("/proc/net/tcp");
  std::size_t line = 0;
  while ((line = table.find('\n', line)) != std::string::npos) {
    ++line;
    // "  sl  local_address rem_address   st ..."; st 0A is LISTEN.
    const std::string row = table.substr(line, table.find('\n', line) - line);
    const std::size_t colon = row.find(':');
    if (colon == std::string::npos || row.size() < colon + 35) continue;
    const std::string local = row.substr(colon + 2, 13);
    if (local.substr(8) == wanted && row.substr(colon + 30, 2) == "0A") return local.substr(0, 8);
  }
  return "";
}

TEST_F(ServerTest, ListensOnLoopbackUnlessToldOtherwise) {
  EXPECT_EQ(ListeningAddress(port()), "0100007F");
}

// No route writes: whatever the method, the index is what it was.
TEST_F(ServerTest, NoMethodButGetChangesOrReachesAnything) {
  const std::string before = Get(port(), "/api/health").body;
  for (const std::string method : {"POST", "PUT", "DELETE", "PATCH"}) {
    for (const std::string path :
         {"/api/search?q=lighthouse", "/api/passages/x", "/", "/metrics"}) {
      Socket socket(port());
      socket.Send(method + " " + path +
                  " HTTP/1.1\r\nHost: sarea\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
      const std::string status = StatusLine(socket.ReadUntilClosed(10s));
      EXPECT_TRUE(status == "HTTP/1.1 404 Not Found" ||
                  status == "HTTP/1.1 405 Method Not Allowed" ||
                  status == "HTTP/1.1 400 Bad Request")
          << method << " " << path << ": " << status;
    }
  }
  EXPECT_EQ(Get(port(), "/api/health").body, before);
}

}  // namespace
}  // namespace sarea::server_test
