// Tests for the sarea-serve binary (server/): each suite indexes a small corpus
// with the real sarea-index, starts the real server on a free port, talks to it
// over HTTP (httplib::Client) and asserts the JSON it answers, errors included.
// The server is stopped with SIGTERM and must exit 0 (graceful shutdown).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <httplib.h>
#include <xapian.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/schema.h"

namespace sarea::server {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Params = std::vector<std::pair<std::string, std::string>>;

constexpr char kServer[] = SAREA_BIN_DIR "/sarea-serve";
constexpr char kIndexer[] = SAREA_BIN_DIR "/sarea-index";
constexpr char kSeedFile[] = "creative-cities-network.txt";
constexpr char kOrigin[] = "https://portal.example";
constexpr auto kStartTimeout = 20s;  // ASan builds start slowly
constexpr auto kStopTimeout = 15s;
constexpr auto kReloadTimeout = 5s;  // spec: a new index is served within ~1-2 s

// ------------------------------------------------------------------ corpus

// A long English passage: "Zeppelin" opens it, "kaleidoscope" is in its middle.
constexpr char kLongText[] =
    "Zeppelin flights over the valley were a common sight in the summer of that year, and the "
    "farmers would stop their work to watch them pass slowly above the wheat fields and the "
    "river. The children ran after the great silver shadows until they reached the edge of the "
    "forest, where they sat on the grass and waited. In the middle of the afternoon a travelling "
    "merchant arrived with a kaleidoscope that he showed to everyone in the square, turning it "
    "slowly towards the sun. The baker, the teacher and the blacksmith took turns looking "
    "through it and laughed at the colours. When the evening came the merchant packed his cart "
    "and left along the northern road, and nobody in the village ever saw him again, although "
    "they talked about his visit for many winters afterwards.";
constexpr int kLanterns = 25;  // records of lanterns.jsonl, all matching "lantern"

// Passages of the corpus below: the seed (5 en, 5 es), 6 English and 2 Spanish
// crafted ones, and kLanterns English records. Each file and each record is a document.
constexpr int kEnPassages = 5 + 6 + kLanterns;
constexpr int kEsPassages = 5 + 2;
constexpr int kDocuments = 6 + kLanterns;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigits(const std::string& s) { return std::all_of(s.begin(), s.end(), IsDigit); }

// True if `text` has `word` with no letter or digit on either side.
bool HasWord(const std::string& text, const std::string& word) {
  for (std::size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
    const std::size_t end = at + word.size();
    if ((at == 0 || !IsAlnum(text[at - 1])) && (end == text.size() || !IsAlnum(text[end]))) {
      return true;
    }
  }
  return false;
}

// True if `line` has a duration in milliseconds: a number, then "ms" or " ms".
bool HasMilliseconds(const std::string& line) {
  for (std::size_t at = line.find("ms"); at != std::string::npos; at = line.find("ms", at + 1)) {
    std::size_t before = at;
    if (before > 0 && line[before - 1] == ' ') --before;
    if (before > 0 && IsDigit(line[before - 1])) return true;
  }
  return false;
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

void WriteAll(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

std::string LanternText(int i) {
  return "Lantern number " + std::to_string(i) +
         " hangs above the quiet street near the old stone bridge.";
}

std::string LanternId(int i) { return "lantern-" + std::to_string(100 + i); }

void WriteCorpus(const fs::path& corpus) {
  fs::create_directories(corpus);
  fs::copy_file(fs::path(SAREA_SOURCE_DIR) / "corpus" / kSeedFile, corpus / kSeedFile);
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

// Runs sarea-index with `args` to completion, output to `log`; its exit code.
int RunIndexer(const std::vector<std::string>& args, const fs::path& log) {
  std::vector<std::string> argv_strings = {kIndexer};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_strings) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const std::string log_path = log.string();
  const pid_t pid = ::fork();
  if (pid == 0) {  // only async-signal-safe calls from here
    const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0 || ::dup2(fd, 1) < 0 || ::dup2(fd, 2) < 0) ::_exit(127);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// A running sarea-serve. Its stdout is a pipe (the first line names the port),
// its stderr (the access log) a file. Killed with SIGKILL if never stopped.
class Server {
 public:
  Server() = default;
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (out_fd_ >= 0) ::close(out_fd_);
  }

  // Starts `sarea-serve args...` and waits for its "listening on" line; "" on
  // success, else what went wrong.
  std::string Start(const std::vector<std::string>& args, const fs::path& err) {
    err_ = err;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return "pipe failed";
    std::vector<std::string> argv_strings = {kServer};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& arg : argv_strings) argv.push_back(arg.data());
    argv.push_back(nullptr);
    const std::string err_path = err.string();
    pid_ = ::fork();
    if (pid_ == 0) {  // only async-signal-safe calls from here
      const int err_fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (err_fd < 0 || ::dup2(fds[1], 1) < 0 || ::dup2(err_fd, 2) < 0) ::_exit(127);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    out_fd_ = fds[0];
    if (pid_ < 0) return "fork failed";
    const std::string line = ReadFirstLine();
    const std::string prefix = "listening on http://127.0.0.1:";
    const std::string port = line.rfind(prefix, 0) == 0 ? line.substr(prefix.size()) : "";
    if (port.empty() || port.size() > 5 || !IsDigits(port) || std::stoi(port) == 0) {
      return "first stdout line is \"" + line + "\", not \"" + prefix + "PORT\"" +
             "\nstderr: " + ReadAll(err_);
    }
    port_ = std::stoi(port);
    return "";
  }

  // SIGTERM, then the exit code (128 + signal when killed by one); -1 if it
  // did not exit within kStopTimeout (it is then killed).
  int Stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    const auto deadline = Clock::now() + kStopTimeout;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (Clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
        return -1;
      }
      std::this_thread::sleep_for(10ms);
    }
    pid_ = -1;
    char buf[4096];  // every writer is gone: read to EOF
    for (ssize_t n; (n = ::read(out_fd_, buf, sizeof buf)) > 0;) rest_of_stdout_.append(buf, n);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  int port() const { return port_; }
  std::string StdErr() const { return ReadAll(err_); }
  // What the server wrote to stdout after its first line (read by Stop()).
  const std::string& rest_of_stdout() const { return rest_of_stdout_; }

 private:
  // The first line of stdout, without its newline; what came before EOF or
  // the timeout otherwise.
  std::string ReadFirstLine() {
    std::string text;
    const auto deadline = Clock::now() + kStartTimeout;
    while (text.find('\n') == std::string::npos) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      pollfd pfd{out_fd_, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) {
        return text + " [timed out]";
      }
      char buf[256];
      const ssize_t n = ::read(out_fd_, buf, sizeof buf);
      if (n <= 0) return text + " [exited]";
      text.append(buf, n);
    }
    rest_of_stdout_ = text.substr(text.find('\n') + 1);
    return text.substr(0, text.find('\n'));
  }

  pid_t pid_ = -1;
  int out_fd_ = -1;
  int port_ = 0;
  fs::path err_;
  std::string rest_of_stdout_;
};

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

struct Reply {
  int status = -1;  // -1: no response (the error is in body)
  std::string body;
  httplib::Headers headers;

  json Json() const { return json::parse(body, nullptr, /*allow_exceptions=*/false); }
  bool Has(const std::string& name) const { return headers.count(name) > 0; }
  std::string Header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

// One request on a new connection; `target` is sent exactly as given.
Reply Request(int port, const std::string& method, const std::string& target,
              const httplib::Headers& headers = {}) {
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

Reply Get(int port, const std::string& target, const httplib::Headers& headers = {}) {
  return Request(port, "GET", target, headers);
}

bool PollUntil(const std::function<bool()>& done, Clock::duration timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!done()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

// ----------------------------------------------------------- JSON helpers

// The response without what varies between runs: took_ms and each hit's
// score are checked (numbers, >= 0) and removed; "relaxed" is dropped when
// false; zero facet counts are dropped (whether they are listed is not
// specified).
json Stable(json response) {
  if (!response.is_object()) return response;
  EXPECT_TRUE(response["took_ms"].is_number()) << response.dump();
  EXPECT_GE(response.value("took_ms", -1.0), 0.0);
  response.erase("took_ms");
  if (response.contains("relaxed") && response["relaxed"] == false) response.erase("relaxed");
  for (json& hit : response["hits"]) {
    EXPECT_TRUE(hit["score"].is_number()) << hit.dump();
    EXPECT_GE(hit.value("score", -1.0), 0.0);
    hit.erase("score");
  }
  if (response["facets"]["lang"].is_object()) {
    json nonzero = json::object();
    for (const auto& [lang, count] : response["facets"]["lang"].items()) {
      if (count != 0) nonzero[lang] = count;
    }
    response["facets"]["lang"] = nonzero;
  }
  return response;
}

json Hit(const std::string& id, const std::string& doc, const std::string& title,
         const std::string& lang, int rank, const std::string& snippet) {
  return {{"id", id},     {"doc", doc},   {"title", title},
          {"lang", lang}, {"rank", rank}, {"snippet", snippet}};
}

struct Expected {
  std::string query;
  int total = 0;
  json hits = json::array();
  json facets = json::object();
  int page = 1;
  int size = 10;
};

json Response(const Expected& e) {
  return {{"query", e.query}, {"total", e.total}, {"total_exact", true},           {"page", e.page},
          {"size", e.size},   {"hits", e.hits},   {"facets", {{"lang", e.facets}}}};
}

std::set<std::string> HitIds(const json& response) {
  std::set<std::string> ids;
  for (const json& hit : response.value("hits", json::array())) ids.insert(hit.value("id", ""));
  return ids;
}

// A snippet with its <mark> tags removed.
std::string Unmark(std::string snippet) {
  for (const std::string& tag : {std::string("<mark>"), std::string("</mark>")}) {
    for (std::size_t at; (at = snippet.find(tag)) != std::string::npos;)
      snippet.erase(at, tag.size());
  }
  return snippet;
}

int CodePoints(const std::string& s) {
  int n = 0;
  for (const unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Fails unless `reply` is the documented error: `status`, a JSON content type
// and exactly {"error":{"code":code,"message":non-empty string}}.
void ExpectError(const Reply& reply, int status, const std::string& code, const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_EQ(reply.status, status) << reply.body;
  EXPECT_EQ(reply.Header("Content-Type").rfind("application/json", 0), 0u)
      << "Content-Type: " << reply.Header("Content-Type");
  const json body = reply.Json();
  ASSERT_TRUE(body.is_object()) << reply.body;
  ASSERT_EQ(body.size(), 1u) << reply.body;
  ASSERT_TRUE(body["error"].is_object()) << reply.body;
  EXPECT_EQ(body["error"].size(), 2u) << reply.body;
  EXPECT_EQ(body["error"].value("code", ""), code) << reply.body;
  EXPECT_TRUE(body["error"]["message"].is_string()) << reply.body;
  EXPECT_FALSE(body["error"].value("message", "").empty()) << reply.body;
}

// ----------------------------------------------------------------- fixture

// One index and one server (no CORS) for the whole suite; tests that need
// other flags start servers of their own over the same index.
class ServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string pattern = ::testing::TempDir() + "sarea_serve_XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      setup_error_ = "mkdtemp failed";
      return;
    }
    dir_ = pattern;
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

  static void TearDownTestSuite() {
    if (server_ != nullptr && setup_error_.empty()) {
      EXPECT_EQ(server_->Stop(), 0) << "after SIGTERM; stderr tail: " << Tail(server_->StdErr());
      EXPECT_EQ(server_->rest_of_stdout(), "") << "stdout must be exactly one line";
    }
    server_.reset();
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  void SetUp() override { ASSERT_EQ(setup_error_, ""); }

  static std::vector<std::string> ServerArgs(const fs::path& index,
                                             std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--index", index.string(), "--port", "0", "--threads", "4"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
  static std::string Tail(const std::string& s) {
    return s.size() > 2000 ? s.substr(s.size() - 2000) : s;
  }

  int port() const { return server_->port(); }
  Reply Search(const Params& params, const httplib::Headers& headers = {}) const {
    return Get(port(), SearchTarget(params), headers);
  }
  // The JSON of a search that must answer 200.
  json SearchOk(const Params& params) const {
    const Reply reply = Search(params);
    EXPECT_EQ(reply.status, 200) << SearchTarget(params) << "\n" << reply.body;
    EXPECT_EQ(reply.Header("Content-Type").rfind("application/json", 0), 0u);
    const json body = reply.Json();
    EXPECT_TRUE(body.is_object()) << reply.body;
    return body.is_object() ? body : json::object();
  }
  json PassageOk(const std::string& id) const {
    const Reply reply = Get(port(), "/api/passages/" + Encode(id));
    EXPECT_EQ(reply.status, 200) << id << ": " << reply.body;
    return reply.Json();
  }

  static inline std::string setup_error_;
  static inline fs::path dir_;
  static inline fs::path index_;
  static inline std::unique_ptr<Server> server_;
};

// ---------------------------------------------------------------- ranking

TEST_F(ServerTest, RepeatedWordRanksFirstInEitherLanguage) {
  const json en = SearchOk({{"q", "lighthouse"}});
  EXPECT_EQ(Stable(en),
            Response({"lighthouse",
                      2,
                      {Hit(Pid("en/lighthouse.txt", 0), "en/lighthouse.txt", "Lighthouse", "en", 1,
                           "The <mark>lighthouse</mark> keeper watched the <mark>lighthouse</mark> "
                           "every night, and the <mark>lighthouse</mark> light guided the boats "
                           "home."),
                       Hit(Pid("en/lighthouse.txt", 1), "en/lighthouse.txt", "Lighthouse", "en", 2,
                           "The old harbour has a small museum, a bakery and a "
                           "<mark>lighthouse</mark> near the fishing boats.")},
                      {{"en", 2}}}));
  ASSERT_EQ(en["hits"].size(), 2u);
  EXPECT_GT(en["hits"][0].value("score", 0.0), en["hits"][1].value("score", 0.0));

  const json es = SearchOk({{"q", "faro"}});
  EXPECT_EQ(Stable(es), Response({"faro",
                                  2,
                                  {Hit(Pid("es/faro.txt", 0), "es/faro.txt", "Faro", "es", 1,
                                       "El <mark>faro</mark> del puerto ilumina la costa, y el "
                                       "<mark>faro</mark> antiguo guía a los barcos hasta el "
                                       "<mark>faro</mark> nuevo."),
                                   Hit(Pid("es/faro.txt", 1), "es/faro.txt", "Faro", "es", 2,
                                       "El pueblo tiene un museo pequeño, una panadería y un "
                                       "<mark>faro</mark> junto a los barcos de pesca.")},
                                  {{"es", 2}}}));
  ASSERT_EQ(es["hits"].size(), 2u);
  EXPECT_GT(es["hits"][0].value("score", 0.0), es["hits"][1].value("score", 0.0));
}

// ------------------------------------------------------------ query syntax

TEST_F(ServerTest, QuerySyntaxSelectsExactlyTheMatchingPassages) {
  const std::string light0 = Pid("en/lighthouse.txt", 0), light1 = Pid("en/lighthouse.txt", 1);
  const std::string plans0 = Pid("en/plans.txt", 0), notes0 = Pid("en/notes.txt", 0);
  const std::string faro0 = Pid("es/faro.txt", 0), faro1 = Pid("es/faro.txt", 1);
  const struct {
    Params params;
    std::set<std::string> ids;
  } kCases[] = {
      {{{"q", "harbour"}}, {light1, plans0, notes0}},
      {{{"q", "harbour -bakery"}}, {plans0, notes0}},
      {{{"q", "harbour NOT bakery"}}, {plans0, notes0}},
      {{{"q", "+bakery harbour"}}, {light1}},
      {{{"q", "museum AND bakery"}}, {light1}},
      {{{"q", "bakery OR alert"}}, {light1, notes0}},
      {{{"q", "lightho*"}}, {light0, light1}},
      {{{"q", "\"sustainable development\""}}, {plans0, Seed(3), Seed(5)}},
      {{{"q", "harbour doc:en/plans.txt"}}, {plans0}},
      {{{"q", "harbour"}, {"doc", "en/plans.txt"}}, {plans0}},
      {{{"q", "lighthouse faro"}}, {light0, light1, faro0, faro1}},
      {{{"q", "lighthouse faro"}, {"lang", "es"}}, {faro0, faro1}},
      {{{"q", "lighthouse faro lang:en"}}, {light0, light1}},
      {{{"q", "bilbao"}}, {Seed(4), Seed(8)}},
      {{{"q", "bilbao"}, {"lang", "es"}}, {Seed(8)}},
      {{{"q", "bilbao lang:en"}}, {Seed(4)}},
      {{{"q", "panaderia"}}, {faro1}},             // accents folded
      {{{"q", "lighthouses"}}, {light0, light1}},  // stemmed
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(SearchTarget(c.params));
    const json response = SearchOk(c.params);
    EXPECT_EQ(HitIds(response), c.ids) << response.dump(1);
    EXPECT_EQ(response["total"], c.ids.size());
    EXPECT_EQ(response["total_exact"], true);
  }
}

TEST_F(ServerTest, LanguageFilterAndFacets) {
  const json both = SearchOk({{"q", "museum museo"}});
  EXPECT_EQ(both["total"], 4);
  EXPECT_EQ(Stable(both)["facets"], json({{"lang", {{"en", 3}, {"es", 1}}}}));
  // Facets count the whole match set, not the page.
  const json one = SearchOk({{"q", "museum museo"}, {"size", "1"}});
  EXPECT_EQ(one["hits"].size(), 1u);
  EXPECT_EQ(Stable(one)["facets"], json({{"lang", {{"en", 3}, {"es", 1}}}}));

  for (const std::string& lang : std::vector<std::string>{"en", "es"}) {
    for (const Params& params : {Params{{"q", "museum museo"}, {"lang", lang}},
                                 Params{{"q", "museum museo lang:" + lang}}}) {
      SCOPED_TRACE(SearchTarget(params));
      const json response = SearchOk(params);
      EXPECT_EQ(response["total"], lang == "en" ? 3 : 1);
      for (const json& hit : response["hits"]) EXPECT_EQ(hit["lang"], lang);
    }
  }
}

TEST_F(ServerTest, PagesAreConsecutiveSlicesOfOneRanking) {
  std::vector<std::string> paged;
  for (int page = 1; page <= 4; ++page) {
    SCOPED_TRACE("page " + std::to_string(page));
    const json response = SearchOk({{"q", "lantern"}, {"page", std::to_string(page)}});
    EXPECT_EQ(response["total"], kLanterns);
    EXPECT_EQ(response["total_exact"], true);
    EXPECT_EQ(response["page"], page);
    EXPECT_EQ(response["size"], 10);
    EXPECT_EQ(Stable(response)["facets"], json({{"lang", {{"en", kLanterns}}}}));
    const std::size_t expected_hits = page <= 2 ? 10 : page == 3 ? 5 : 0;
    ASSERT_EQ(response["hits"].size(), expected_hits);
    for (std::size_t i = 0; i < expected_hits; ++i) {
      EXPECT_EQ(response["hits"][i]["rank"], (page - 1) * 10 + static_cast<int>(i) + 1);
      paged.push_back(response["hits"][i].value("id", ""));
    }
  }
  std::set<std::string> all;
  for (int i = 0; i < kLanterns; ++i) all.insert(Pid(LanternId(i), 0));
  EXPECT_EQ(std::set<std::string>(paged.begin(), paged.end()), all) << "no repeats, none missing";

  const json whole = SearchOk({{"q", "lantern"}, {"size", "100"}});
  EXPECT_EQ(whole["size"], 100);
  std::vector<std::string> at_once;
  for (const json& hit : whole["hits"]) at_once.push_back(hit.value("id", ""));
  EXPECT_EQ(at_once, paged);
}

// --------------------------------------------------------------- snippets

TEST_F(ServerTest, SnippetsMarkStemmedAndFoldedMatches) {
  const struct {
    Params params;
    std::string first_id;
    std::string marked;
  } kCases[] = {
      {{{"q", "cities"}, {"lang", "en"}}, "", "<mark>Cities</mark>"},
      {{{"q", "ciudad"}}, "", "<mark>Ciudades</mark>"},
      {{{"q", "creacion"}, {"lang", "es"}}, Seed(7), "<mark>creación</mark>"},
      {{{"q", "lighthouses"}, {"lang", "en"}},
       Pid("en/lighthouse.txt", 0),
       "<mark>lighthouse</mark>"},
      {{{"q", "panaderia"}}, Pid("es/faro.txt", 1), "una <mark>panadería</mark> y"},
      {{{"q", "\"sustainable development\""}},
       "",
       "<mark>sustainable</mark> <mark>development</mark>"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(SearchTarget(c.params));
    const json response = SearchOk(c.params);
    ASSERT_FALSE(response.value("hits", json::array()).empty()) << response.dump();
    const json& first = response["hits"][0];
    if (!c.first_id.empty()) {
      EXPECT_EQ(first["id"], c.first_id);
    }
    EXPECT_TRUE(Contains(first.value("snippet", ""), c.marked)) << first.dump();
    for (const json& hit : response["hits"]) {
      const std::string text = Unmark(hit.value("snippet", ""));
      EXPECT_EQ(text.find_first_of("<>"), std::string::npos) << "unescaped: " << hit.dump();
    }
  }
}

TEST_F(ServerTest, SnippetsEscapeHtml) {
  const json response = SearchOk({{"q", "alert"}});
  ASSERT_EQ(HitIds(response), std::set<std::string>{Pid("en/notes.txt", 0)}) << response.dump();
  const std::string snippet = response["hits"][0].value("snippet", "");
  EXPECT_TRUE(Contains(snippet, "&lt;script&gt;<mark>alert</mark>(1)&lt;")) << snippet;
  EXPECT_TRUE(Contains(snippet, "fish &amp; chips")) << snippet;
  EXPECT_EQ(Unmark(snippet).find_first_of("<>"), std::string::npos) << snippet;
  // The passage endpoint is JSON, not HTML: the text comes back as written.
  EXPECT_TRUE(
      Contains(PassageOk(Pid("en/notes.txt", 0)).value("text", ""), "<script>alert(1)</script>"));
}

TEST_F(ServerTest, SnippetWindowOfALongPassage) {
  const std::string text = kLongText;
  const struct {
    std::string q;
    int snippet_len;  // 0: default (200)
    std::string marked;
    bool cut_before, cut_after;
  } kCases[] = {
      {"kaleidoscope", 60, "kaleidoscope", true, true},
      {"kaleidoscope", 0, "kaleidoscope", true, true},
      {"kaleidoscope", 20, "kaleidoscope", true, true},
      {"zeppelin", 60, "Zeppelin", false, true},  // the first word of the passage
      {"kaleidoscope", 2000, "kaleidoscope", false, false},
  };
  for (const auto& c : kCases) {
    Params params = {{"q", c.q}};
    if (c.snippet_len > 0) params.push_back({"snippet_len", std::to_string(c.snippet_len)});
    SCOPED_TRACE(SearchTarget(params));
    const json response = SearchOk(params);
    ASSERT_EQ(HitIds(response), std::set<std::string>{Pid("en/long.txt", 0)}) << response.dump();
    const std::string snippet = response["hits"][0].value("snippet", "");
    EXPECT_TRUE(Contains(snippet, "<mark>" + c.marked + "</mark>")) << snippet;
    std::string window = Unmark(snippet);
    const std::string ellipsis = "…";
    EXPECT_EQ(window.rfind(ellipsis, 0) == 0, c.cut_before) << snippet;
    if (window.rfind(ellipsis, 0) == 0) window.erase(0, ellipsis.size());
    const bool ends_cut =
        window.size() >= ellipsis.size() &&
        window.compare(window.size() - ellipsis.size(), ellipsis.size(), ellipsis) == 0;
    EXPECT_EQ(ends_cut, c.cut_after) << snippet;
    if (ends_cut) window.erase(window.size() - ellipsis.size());
    EXPECT_TRUE(Contains(text, window)) << "not a window of the passage: " << window;
    if (c.cut_before || c.cut_after) {
      const int len = c.snippet_len > 0 ? c.snippet_len : 200;
      EXPECT_GE(CodePoints(window), len / 2) << window;
      EXPECT_LE(CodePoints(window), len * 3 / 2 + 2) << window;
    } else {
      EXPECT_EQ(window, text);
    }
  }
}

// --------------------------------------------------------------- passages

TEST_F(ServerTest, PassageEndpoint) {
  EXPECT_EQ(PassageOk(Pid("en/plans.txt", 0)),
            json({{"id", Pid("en/plans.txt", 0)},
                  {"doc", "en/plans.txt"},
                  {"title", "Plans"},
                  {"lang", "en"},
                  {"position", 0},
                  {"text",
                   "Towns need sustainable development plans for their harbour and "
                   "their museum."}}));
  EXPECT_EQ(PassageOk(Pid(LanternId(3), 0)), json({{"id", Pid(LanternId(3), 0)},
                                                   {"doc", LanternId(3)},
                                                   {"title", LanternId(3)},
                                                   {"lang", "en"},
                                                   {"position", 0},
                                                   {"text", LanternText(3)}}));
  for (const std::string& target : std::vector<std::string>{
           "/api/passages/no-such-passage", "/api/passages/" + Pid("en/plans.txt", 9),
           "/api/passages/..%2F..%2Fetc%2Fpasswd"}) {
    ExpectError(Get(port(), target), 404, "not_found", target);
  }
}

// ------------------------------------------------------------- seed corpus

TEST_F(ServerTest, SeedCorpus) {
  const json cities = SearchOk({{"q", "ciudad creativa"}});
  ASSERT_GE(cities["hits"].size(), 2u) << cities.dump();
  std::set<std::string> first_two;
  for (int i = 0; i < 2; ++i) {
    const json& hit = cities["hits"][i];
    first_two.insert(hit.value("id", ""));
    EXPECT_EQ(hit["lang"], "es");
    EXPECT_TRUE(Contains(hit.value("snippet", ""), "<mark>Ciudades</mark> <mark>Creativas</mark>"))
        << hit.dump();
    EXPECT_TRUE(Contains(PassageOk(hit.value("id", "")).value("text", ""), "Ciudades Creativas"));
  }
  EXPECT_EQ(first_two, (std::set<std::string>{Seed(1), Seed(9)}));

  const json creation = SearchOk({{"q", "creacion"}, {"lang", "es"}});
  ASSERT_FALSE(creation["hits"].empty());
  EXPECT_TRUE(Contains(creation["hits"][0].value("snippet", ""), "<mark>creación</mark>"))
      << creation.dump();

  const json phrase = SearchOk({{"q", "\"sustainable development\""}});
  ASSERT_FALSE(phrase["hits"].empty());
  for (const json& hit : phrase["hits"]) {
    const json passage = PassageOk(hit.value("id", ""));
    EXPECT_TRUE(Contains(passage.value("text", ""), "sustainable development")) << passage.dump();
    EXPECT_EQ(passage["doc"], hit["doc"]);
    EXPECT_EQ(passage["lang"], hit["lang"]);
    EXPECT_EQ(passage["title"], hit["title"]);
  }
}

// --------------------------------------------------------- health, metrics

TEST_F(ServerTest, HealthDescribesTheIndex) {
  const Reply reply = Get(port(), "/api/health");
  ASSERT_EQ(reply.status, 200) << reply.body;
  json health = reply.Json();
  EXPECT_EQ(health["index"]["revision"], Xapian::Database(index_.string()).get_revision())
      << "revision: the Xapian revision of the index";
  EXPECT_TRUE(health["index"]["revision"].is_number_integer());
  health["index"].erase("revision");
  EXPECT_EQ(health, json({{"status", "ok"},
                          {"index",
                           {{"documents", kDocuments},
                            {"passages", kEnPassages + kEsPassages},
                            {"languages", {{"en", kEnPassages}, {"es", kEsPassages}}}}}}));
}

TEST_F(ServerTest, MetricsInPrometheusFormat) {
  EXPECT_EQ(Search({{"q", "lighthouse"}}).status, 200);
  EXPECT_EQ(Get(port(), "/api/passages/metrics-probe").status, 404);
  const Reply reply = Get(port(), "/metrics");
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.Header("Content-Type").rfind("text/plain", 0), 0u)
      << reply.Header("Content-Type");
  bool ok_count = false, not_found_count = false, bucket = false;
  double passages = -1, revision = -1;
  std::istringstream lines(reply.body);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("sarea_http_requests_total{", 0) == 0) {
      EXPECT_TRUE(Contains(line, "route=\"")) << line;
      ok_count |= Contains(line, "status=\"200\"");
      not_found_count |= Contains(line, "status=\"404\"");
    }
    bucket |= line.rfind("sarea_http_request_duration_seconds_bucket{", 0) == 0;
    if (line.rfind("sarea_index_passages ", 0) == 0) passages = std::atof(line.c_str() + 21);
    if (line.rfind("sarea_index_revision ", 0) == 0) revision = std::atof(line.c_str() + 21);
  }
  EXPECT_TRUE(ok_count) << reply.body;
  EXPECT_TRUE(not_found_count) << reply.body;
  EXPECT_TRUE(bucket) << reply.body;
  EXPECT_EQ(passages, kEnPassages + kEsPassages) << reply.body;
  EXPECT_EQ(revision, Xapian::Database(index_.string()).get_revision()) << reply.body;
}

TEST_F(ServerTest, AccessLogHasALinePerRequest) {
  EXPECT_EQ(Get(port(), "/api/passages/access-log-probe").status, 404);
  EXPECT_EQ(Search({{"q", "access-log-probe"}}).status, 200);
  const auto logged = [&](const std::string& path, const std::string& status) {
    std::istringstream lines(server_->StdErr());
    for (std::string line; std::getline(lines, line);) {
      if (Contains(line, "GET") && Contains(line, path) && Contains(line, " " + status) &&
          HasMilliseconds(line)) {
        return true;
      }
    }
    return false;
  };
  EXPECT_TRUE(PollUntil([&] { return logged("/api/passages/access-log-probe", "404"); }, 5s))
      << Tail(server_->StdErr());
  EXPECT_TRUE(PollUntil([&] { return logged("/api/search", "200"); }, 5s))
      << Tail(server_->StdErr());
}

// ----------------------------------------------------------------- errors

TEST_F(ServerTest, ErrorsHaveStableCodes) {
  const std::string ok = "/api/search?q=lighthouse";
  const struct {
    std::string target;
    int status;
    const char* code;
  } kCases[] = {
      {"/api/search", 400, "invalid_argument"},
      {"/api/search?q=", 400, "invalid_argument"},
      {"/api/search?lang=en", 400, "invalid_argument"},
      {"/api/search?q=" + std::string(1025, 'a'), 400, "invalid_argument"},
      {"/api/search?q=%FF", 400, "invalid_argument"},
      {"/api/search?q=caf%C3", 400, "invalid_argument"},
      {ok + "&lang=%FF", 400, "invalid_argument"},
      {ok + "&doc=%FF", 400, "invalid_argument"},
      {ok + "&lang=fr", 400, "invalid_argument"},
      {ok + "&page=0", 400, "invalid_argument"},
      {ok + "&page=-1", 400, "invalid_argument"},
      {ok + "&page=abc", 400, "invalid_argument"},
      {ok + "&page=2x", 400, "invalid_argument"},
      {ok + "&page=", 400, "invalid_argument"},
      {ok + "&size=0", 400, "invalid_argument"},
      {ok + "&size=101", 400, "invalid_argument"},
      {ok + "&size=ten", 400, "invalid_argument"},
      {ok + "&size=99999999999999999999", 400, "invalid_argument"},
      {ok + "&snippet_len=19", 400, "invalid_argument"},
      {ok + "&snippet_len=2001", 400, "invalid_argument"},
      {ok + "&snippet_len=long", 400, "invalid_argument"},
      {"/api/passages/no-such-passage", 404, "not_found"},
      {"/api/no-such-route", 404, "not_found"},
      {"/api/searchx?q=lighthouse", 404, "not_found"},
      {"/no/such/route", 404, "not_found"},
  };
  for (const auto& c : kCases) ExpectError(Get(port(), c.target), c.status, c.code, c.target);

  const Reply unknown_lang = Get(port(), ok + "&lang=fr");
  const std::string message = unknown_lang.Json()["error"].value("message", "");
  EXPECT_TRUE(HasWord(message, "en")) << message;
  EXPECT_TRUE(HasWord(message, "es")) << message;

  // The limits themselves are accepted.
  for (const std::string& target : std::vector<std::string>{
           "/api/search?q=" + std::string(1024, 'a'), ok + "&size=100", ok + "&size=1",
           ok + "&snippet_len=20", ok + "&snippet_len=2000", ok + "&page=1000"}) {
    const Reply reply = Get(port(), target);
    EXPECT_EQ(reply.status, 200) << target.substr(0, 80) << ": " << reply.body;
  }
}

TEST_F(ServerTest, UnparsableQueriesAreReadAsPlainWords) {
  for (const std::string& q :
       std::vector<std::string>{"\"creative cities", "AND", "lighthouse AND", "OR OR", "(harbour",
                                "\"", "-", "*", "NOT", "lang:", "doc:"}) {
    SCOPED_TRACE(q);
    const json response = SearchOk({{"q", q}});
    EXPECT_TRUE(response["hits"].is_array()) << response.dump();
    EXPECT_TRUE(response["total"].is_number_integer()) << response.dump();
    if (response.contains("relaxed")) {
      EXPECT_TRUE(response["relaxed"].is_boolean());
    }
  }
  EXPECT_GT(SearchOk({{"q", "\"creative cities"}})["total"], 0);
  EXPECT_GE(SearchOk({{"q", "lighthouse AND"}})["total"], 2);
}

// ------------------------------------------------------------------- CORS

TEST_F(ServerTest, CorsHeadersOnlyForTheConfiguredOrigin) {
  const httplib::Headers origin = {{"Origin", kOrigin}};
  const httplib::Headers preflight = {{"Origin", kOrigin},
                                      {"Access-Control-Request-Method", "GET"}};
  // The suite's server has no --cors-origin.
  EXPECT_FALSE(Search({{"q", "lighthouse"}}, origin).Has("Access-Control-Allow-Origin"));
  EXPECT_FALSE(
      Request(port(), "OPTIONS", "/api/search", preflight).Has("Access-Control-Allow-Origin"));

  Server cors;
  ASSERT_EQ(cors.Start(ServerArgs(index_, {"--cors-origin", kOrigin}), dir_ / "cors.err"), "");
  for (const std::string& target :
       std::vector<std::string>{"/api/search?q=lighthouse", "/api/health", "/api/search",
                                "/api/passages/no-such-passage", "/metrics"}) {
    const Reply reply = Get(cors.port(), target, origin);
    EXPECT_EQ(reply.Header("Access-Control-Allow-Origin"), kOrigin)
        << target << " -> " << reply.status;
  }
  const Reply options = Request(cors.port(), "OPTIONS", "/api/search", preflight);
  EXPECT_EQ(options.status, 204) << options.body;
  EXPECT_EQ(options.Header("Access-Control-Allow-Origin"), kOrigin);
  EXPECT_TRUE(Contains(options.Header("Access-Control-Allow-Methods"), "GET"))
      << options.Header("Access-Control-Allow-Methods");
  const Reply other = Get(cors.port(), "/api/health", {{"Origin", "https://evil.example"}});
  EXPECT_EQ(other.status, 200);
  EXPECT_NE(other.Header("Access-Control-Allow-Origin"), "https://evil.example");
  EXPECT_NE(other.Header("Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(cors.Stop(), 0) << Tail(cors.StdErr());
}

// ---------------------------------------------------------- index changes

TEST_F(ServerTest, UnavailableUntilAnIndexAppears) {
  const fs::path late = dir_ / "late" / "index";
  fs::create_directories(late.parent_path());
  Server server;
  ASSERT_EQ(server.Start(ServerArgs(late), dir_ / "late.err"), "");
  ExpectError(Get(server.port(), "/api/health"), 503, "unavailable", "health without an index");
  ExpectError(Get(server.port(), SearchTarget({{"q", "lighthouse"}})), 503, "unavailable",
              "search without an index");

  ASSERT_EQ(
      RunIndexer({"--corpus", (dir_ / "corpus").string(), "--index", late.string(), "--quiet"},
                 dir_ / "late.log"),
      0)
      << ReadAll(dir_ / "late.log");
  EXPECT_TRUE(
      PollUntil([&] { return Get(server.port(), "/api/health").status == 200; }, kReloadTimeout));
  const Reply search = Get(server.port(), SearchTarget({{"q", "lighthouse"}}));
  EXPECT_EQ(search.status, 200) << search.body;
  EXPECT_EQ(search.Json()["total"], 2);
  EXPECT_EQ(server.Stop(), 0) << Tail(server.StdErr());
}

// While eight clients query without pause, a rebuild and an incremental run
// change the index: no request may fail, and new words become searchable.
TEST_F(ServerTest, LiveReindexLosesNoRequest) {
  const fs::path corpus = dir_ / "live" / "corpus", index = dir_ / "live" / "idx" / "index";
  WriteCorpus(corpus);
  const std::vector<std::string> index_args = {"--corpus", corpus.string(), "--index",
                                               index.string(), "--quiet"};
  ASSERT_EQ(RunIndexer(index_args, dir_ / "live.log"), 0) << ReadAll(dir_ / "live.log");
  Server server;
  ASSERT_EQ(server.Start(ServerArgs(index), dir_ / "live.err"), "");

  std::atomic<bool> stop{false};
  std::atomic<int> requests{0};
  std::mutex mutex;
  std::vector<std::string> failures;
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t) {
    clients.emplace_back([&, t] {
      const std::string targets[] = {SearchTarget({{"q", "lighthouse faro"}}),
                                     SearchTarget({{"q", "sustainable development"}}),
                                     "/api/health"};
      for (int i = t; !stop; ++i) {
        const Reply reply = Get(server.port(), targets[i % 3]);
        ++requests;
        if (reply.status != 200) {
          std::lock_guard<std::mutex> lock(mutex);
          failures.push_back(targets[i % 3] + " -> " + std::to_string(reply.status) + " " +
                             reply.body.substr(0, 200));
        }
      }
    });
  }
  const auto searchable = [&](const std::string& word) {
    return PollUntil(
        [&] {
          return Get(server.port(), SearchTarget({{"q", word}})).Json().value("total", 0) > 0;
        },
        kReloadTimeout);
  };
  WriteAll(corpus / "new/quokka.txt",
           "The quokka of the island smiled at every visitor who came to the small wooden pier.\n");
  std::vector<std::string> rebuild = index_args;
  rebuild.push_back("--rebuild");
  EXPECT_EQ(RunIndexer(rebuild, dir_ / "live.log"), 0) << ReadAll(dir_ / "live.log");
  EXPECT_TRUE(searchable("quokka")) << "after --rebuild";
  WriteAll(corpus / "new/narwhal.txt",
           "The narwhal swam under the ice of the northern sea while the sailors watched it.\n");
  EXPECT_EQ(RunIndexer(index_args, dir_ / "live.log"), 0) << ReadAll(dir_ / "live.log");
  EXPECT_TRUE(searchable("narwhal")) << "after an incremental run";
  EXPECT_EQ(RunIndexer(rebuild, dir_ / "live.log"), 0) << ReadAll(dir_ / "live.log");
  EXPECT_TRUE(searchable("narwhal")) << "after a second --rebuild";

  stop = true;
  for (std::thread& client : clients) client.join();
  EXPECT_GT(requests.load(), 8);
  EXPECT_TRUE(failures.empty()) << failures.size() << " of " << requests.load()
                                << " requests failed, first: "
                                << (failures.empty() ? "" : failures.front());
  EXPECT_EQ(server.Stop(), 0) << Tail(server.StdErr());
}

}  // namespace
}  // namespace sarea::server
