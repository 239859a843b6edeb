#include "tests/server/server_fixture.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "common/schema.h"

namespace sarea::server_test {

namespace fs = std::filesystem;
using nlohmann::json;
using test_support::ReadAll;
using test_support::WriteAll;

namespace {

bool IsDigits(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

// ------------------------------------------------------------------ corpus

std::string LanternText(int i) {
  return "Lantern number " + std::to_string(i) +
         " hangs above the quiet street near the old stone bridge.";
}

std::string LanternId(int i) { return "lantern-" + std::to_string(100 + i); }

void WriteCorpus(const fs::path& corpus) {
  fs::create_directories(corpus);
  fs::copy_file(fs::path(SAREA_SOURCE_DIR) / "corpus" / kSeedFile, corpus / kSeedFile);
  // The shipped synonyms: what a query for "film" finds is theirs to decide.
  fs::copy_file(fs::path(SAREA_SOURCE_DIR) / "corpus" / "synonyms.txt", corpus / "synonyms.txt");
  WriteAll(corpus / "en/lighthouse.txt",
           "The lighthouse keeper watched the lighthouse every night, and the lighthouse light "
           "guided the boats home.\n"
           "The old harbour has a small museum, a bakery and a lighthouse near the fishing "
           "boats.\n");
  WriteAll(corpus / "es/faro.txt",
           "El faro del puerto ilumina la costa, y el faro antiguo guía a los barcos hasta el "
           "faro nuevo.\n"
           "El pueblo tiene un museo pequeño, una panadería y un faro junto a los barcos de "
           "pesca.\n");
  WriteAll(corpus / "en/plans.txt",
           "Towns need sustainable development plans for their harbour and their museum.\n"
           "Development must be sustainable, say the planners of the town council every year.\n");
  WriteAll(corpus / "en/notes.txt",
           "The museum guide wrote <script>alert(1)</script> on the old harbour map, next to "
           "fish & chips.\n");
  WriteAll(corpus / "en/long.txt", std::string(kLongText) + "\n");
  std::string records;
  for (int i = 0; i < kLanterns; ++i) {
    records += json({{"id", LanternId(i)}, {"lang", "en"}, {"text", LanternText(i)}}).dump() + "\n";
  }
  WriteAll(corpus / "lanterns.jsonl", records);
}

std::string Pid(const std::string& doc, int position) { return schema::PassageId(doc, position); }
std::string Seed(int position) { return Pid(kSeedFile, position); }

// --------------------------------------------------------------- processes

int FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

bool AcceptsConnections(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

int RunIndexer(const std::vector<std::string>& args, const fs::path& log) {
  test_support::SpawnOptions options;
  options.program = kIndexer;
  options.args = args;
  options.out = {log, /*append=*/true};
  options.err = {log, /*append=*/true};
  return test_support::Wait(test_support::Spawn(options));
}

Server::~Server() {
  test_support::Kill(pid_);
  if (out_fd_ >= 0) ::close(out_fd_);
}

std::string Server::Start(const std::vector<std::string>& args, const fs::path& err) {
  err_ = err;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return "pipe failed";
  test_support::SpawnOptions options;
  options.program = kServer;
  options.args = args;
  options.out.fd = fds[1];
  options.err.file = err;
  pid_ = test_support::Spawn(options);
  ::close(fds[1]);
  out_fd_ = fds[0];
  if (pid_ < 0) return "fork failed";
  test_support::FirstLine first = test_support::ReadFirstLine(out_fd_, kStartTimeout);
  rest_of_stdout_ = std::move(first.rest);
  return ParsePort(first.line);
}

int Server::Stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  const int exit_code = test_support::WaitAtMost(pid_, kStopTimeout);
  pid_ = -1;
  if (exit_code < 0) return -1;
  rest_of_stdout_ += test_support::ReadUntilClosed(out_fd_);  // every writer is gone
  return exit_code;
}

std::string Server::ParsePort(const std::string& line) {
  const std::string prefix = "listening on http://127.0.0.1:";
  const std::string port = line.rfind(prefix, 0) == 0 ? line.substr(prefix.size()) : "";
  if (port.empty() || port.size() > 5 || !IsDigits(port) || std::stoi(port) == 0) {
    return "first stdout line is \"" + line + "\", not \"" + prefix + "PORT\"" +
           "\nstderr: " + ReadAll(err_);
  }
  port_ = std::stoi(port);
  return "";
}

// -------------------------------------------------------------------- HTTP

std::string Encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : s) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string SearchTarget(const Params& params) {
  std::string target = "/api/search";
  for (const auto& [name, value] : params) {
    target += (target.size() == 11 ? "?" : "&") + name + "=" + Encode(value);
  }
  return target;
}

std::string Reply::Header(const std::string& name) const {
  const auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

Reply Request(int port, const std::string& method, const std::string& target,
              const httplib::Headers& headers) {
  httplib::Client client("127.0.0.1", port);
  client.set_url_encode(false);
  client.set_connection_timeout(5);
  client.set_read_timeout(20);
  const httplib::Result result =
      method == "OPTIONS" ? client.Options(target, headers) : client.Get(target, headers);
  Reply reply;
  if (!result) {
    reply.body = "no response: " + httplib::to_string(result.error());
    return reply;
  }
  reply.status = result->status;
  reply.body = result->body;
  reply.headers = result->headers;
  return reply;
}

Reply Get(int port, const std::string& target, const httplib::Headers& headers) {
  return Request(port, "GET", target, headers);
}

std::set<std::string> HitIds(const json& response) {
  std::set<std::string> ids;
  for (const json& hit : response.value("hits", json::array())) ids.insert(hit.value("id", ""));
  return ids;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// ----------------------------------------------------------------- fixture

void ServerTest::SetUpTestSuite() {
  temp_ = std::make_unique<test_support::TempDir>("sarea_serve_");
  if (temp_->path().empty()) {
    setup_error_ = "mkdtemp failed";
    return;
  }
  dir_ = temp_->path();
  WriteCorpus(dir_ / "corpus");
  index_ = dir_ / "idx" / "index";
  const int indexed =
      RunIndexer({"--corpus", (dir_ / "corpus").string(), "--index", index_.string(), "--quiet"},
                 dir_ / "index.log");
  if (indexed != 0) {
    setup_error_ =
        "sarea-index exited " + std::to_string(indexed) + ": " + ReadAll(dir_ / "index.log");
    return;
  }
  server_ = std::make_unique<Server>();
  setup_error_ = server_->Start(ServerArgs(index_), dir_ / "server.err");
}

void ServerTest::TearDownTestSuite() {
  if (server_ != nullptr && setup_error_.empty()) {
    EXPECT_EQ(server_->Stop(), 0) << "after SIGTERM; stderr tail: " << Tail(server_->StdErr());
    EXPECT_EQ(server_->rest_of_stdout(), "") << "stdout must be exactly one line";
  }
  server_.reset();
  temp_.reset();
}

std::vector<std::string> ServerTest::ServerArgs(const fs::path& index,
                                                std::vector<std::string> extra) {
  std::vector<std::string> args = {"--index", index.string(), "--port", "0", "--threads", "4"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

std::string ServerTest::Tail(const std::string& s) {
  return s.size() > 2000 ? s.substr(s.size() - 2000) : s;
}

Reply ServerTest::Search(const Params& params, const httplib::Headers& headers) const {
  return Get(port(), SearchTarget(params), headers);
}

json ServerTest::SearchOk(const Params& params) const {
  const Reply reply = Search(params);
  EXPECT_EQ(reply.status, 200) << SearchTarget(params) << "\n" << reply.body;
  EXPECT_EQ(reply.Header("Content-Type").rfind("application/json", 0), 0u);
  const json body = reply.Json();
  EXPECT_TRUE(body.is_object()) << reply.body;
  // The server writes a search's JSON itself (server/json_writer.h): byte for
  // byte what nlohmann's dump() writes for the same value, '<', '>' and '&'
  // escaped so that no JSON reads as markup.
  std::string canonical;
  for (const char c : body.dump()) {
    canonical += c == '<'   ? "\\u003c"
                 : c == '>' ? "\\u003e"
                 : c == '&' ? "\\u0026"
                            : std::string(1, c);
  }
  EXPECT_EQ(reply.body, canonical);
  return body.is_object() ? body : json::object();
}

json ServerTest::PassageOk(const std::string& id) const {
  const Reply reply = Get(port(), "/api/passages/" + Encode(id));
  EXPECT_EQ(reply.status, 200) << id << ": " << reply.body;
  return reply.Json();
}

}  // namespace sarea::server_test
