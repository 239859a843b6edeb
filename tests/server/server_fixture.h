// The fixture of the sarea-serve tests (tests/server/server_*_test.cc): the
// suite indexes a small corpus with the real sarea-index, starts the real
// server on a free port and talks to it over HTTP (httplib::Client). The
// server is stopped with SIGTERM and must exit 0 (graceful shutdown).
#ifndef SAREA_TESTS_SERVER_SERVER_FIXTURE_H_
#define SAREA_TESTS_SERVER_SERVER_FIXTURE_H_

#include <sys/types.h>

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/process.h"

namespace sarea::server_test {

using Params = std::vector<std::pair<std::string, std::string>>;  // query parameters

inline constexpr char kServer[] = SAREA_BIN_DIR "/sarea-serve";
inline constexpr char kIndexer[] = SAREA_BIN_DIR "/sarea-index";
inline constexpr char kSeedFile[] = "creative-cities-network.txt";  // in corpus/
inline constexpr char kOrigin[] = "https://portal.example";
inline constexpr std::chrono::seconds kStartTimeout{20};  // ASan builds start slowly
inline constexpr std::chrono::seconds kStopTimeout{15};
inline constexpr std::chrono::seconds kReloadTimeout{5};  // spec: served within ~1-2 s

// ------------------------------------------------------------------ corpus

// A long English passage: "Zeppelin" opens it, "kaleidoscope" is in its middle.
inline constexpr char kLongText[] =
    "Zeppelin flights over the valley were a common sight in the summer of that year, and the "
    "farmers would stop their work to watch them pass slowly above the wheat fields and the "
    "river. The children ran after the great silver shadows until they reached the edge of the "
    "forest, where they sat on the grass and waited. In the middle of the afternoon a travelling "
    "merchant arrived with a kaleidoscope that he showed to everyone in the square, turning it "
    "slowly towards the sun. The baker, the teacher and the blacksmith took turns looking "
    "through it and laughed at the colours. When the evening came the merchant packed his cart "
    "and left along the northern road, and nobody in the village ever saw him again, although "
    "they talked about his visit for many winters afterwards.";
inline constexpr int kLanterns = 25;  // records of lanterns.jsonl, all matching "lantern"

// Passages of the corpus WriteCorpus writes (with the shipped synonyms.txt,
// which is no document): the seed (5 en, 5 es), 6 English
// and 2 Spanish crafted ones, and kLanterns English records. Each file and each
// record is a document.
inline constexpr int kEnPassages = 5 + 6 + kLanterns;
inline constexpr int kEsPassages = 5 + 2;
inline constexpr int kDocuments = 6 + kLanterns;

// The text and the id of lantern record `i` of lanterns.jsonl.
std::string LanternText(int i);
std::string LanternId(int i);

// Writes the test corpus into the directory `corpus`, creating it.
void WriteCorpus(const std::filesystem::path& corpus);

// The id of passage `position` of document `doc`, and of the seed file.
std::string Pid(const std::string& doc, int position);
std::string Seed(int position);

// --------------------------------------------------------------- processes

// A loopback port nothing listens on now (bound, read back and closed).
int FreeLoopbackPort();
// True when something accepts TCP connections on the loopback `port`.
bool AcceptsConnections(int port);

// Runs sarea-index with `args` to completion, its stdout and stderr appended
// to `log`; its exit code (see tests/support/process.h).
int RunIndexer(const std::vector<std::string>& args, const std::filesystem::path& log);

// A running sarea-serve. Its stdout is a pipe (the first line names the port),
// its stderr (the access log) a file. Killed with SIGKILL if never stopped.
class Server {
 public:
  Server() = default;
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();

  // Starts `sarea-serve args...` with stderr to `err` and waits for its
  // "listening on" line; "" on success, else what went wrong.
  std::string Start(const std::vector<std::string>& args, const std::filesystem::path& err);

  // SIGTERM, then the exit code (128 + signal when killed by one); -1 if it
  // did not exit within kStopTimeout (it is then killed).
  int Stop();

  int port() const { return port_; }
  std::string StdErr() const { return test_support::ReadAll(err_); }
  // What the server wrote to stdout after its first line (read by Stop()).
  const std::string& rest_of_stdout() const { return rest_of_stdout_; }

 private:
  // Sets port_ from the first stdout line; "" if it names one, else the error.
  std::string ParsePort(const std::string& line);

  pid_t pid_ = -1;
  int out_fd_ = -1;
  int port_ = 0;
  std::filesystem::path err_;
  std::string rest_of_stdout_;
};

// -------------------------------------------------------------------- HTTP

// `s` percent-encoded: every byte but the unreserved characters of RFC 3986.
std::string Encode(std::string_view s);

// /api/search with `params`, encoded, as its query string.
std::string SearchTarget(const Params& params);

struct Reply {
  int status = -1;  // -1: no response (the error is in body)
  std::string body;
  httplib::Headers headers;

  // The body parsed; a discarded value (is_discarded()) if it is not JSON.
  nlohmann::json Json() const { return nlohmann::json::parse(body, nullptr, false); }
  bool Has(const std::string& name) const { return headers.count(name) > 0; }
  // The value of header `name`, "" if there is none.
  std::string Header(const std::string& name) const;
};

// One GET (or OPTIONS) request on a new connection; `target` is sent exactly
// as given.
Reply Request(int port, const std::string& method, const std::string& target,
              const httplib::Headers& headers = {});
Reply Get(int port, const std::string& target, const httplib::Headers& headers = {});

bool Contains(const std::string& haystack, const std::string& needle);

// The ids of a search response's hits.
std::set<std::string> HitIds(const nlohmann::json& response);

// ----------------------------------------------------------------- fixture

// One index and one server (no CORS) for the whole suite; tests that need
// other flags start servers of their own over the same index. A failed setup
// fails every test.
class ServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override { ASSERT_EQ(setup_error_, ""); }

  // The flags of a server for `index` on a free port, then `extra`.
  static std::vector<std::string> ServerArgs(const std::filesystem::path& index,
                                             std::vector<std::string> extra = {});
  // The last 2000 bytes of `s`.
  static std::string Tail(const std::string& s);

  int port() const { return server_->port(); }
  Reply Search(const Params& params, const httplib::Headers& headers = {}) const;
  // The JSON of a search that must answer 200 ({} if it is not an object).
  nlohmann::json SearchOk(const Params& params) const;
  // The JSON of passage `id`, which must answer 200.
  nlohmann::json PassageOk(const std::string& id) const;

  static inline std::string setup_error_;
  static inline std::unique_ptr<test_support::TempDir> temp_;
  static inline std::filesystem::path dir_;  // corpus/, idx/index and the logs
  static inline std::filesystem::path index_;
  static inline std::unique_ptr<Server> server_;
};

}  // namespace sarea::server_test

#endif  // SAREA_TESTS_SERVER_SERVER_FIXTURE_H_
