// Tests of sarea-serve's other routes and behaviour: the passage endpoint,
// health, metrics, the access log, the error table, CORS, serving before an
// index exists, and reindexing while clients query. The suite's server and
// corpus are set up by ServerTest (server_fixture.h).
#include <gtest/gtest.h>
#include <httplib.h>
#include <xapian.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/http_server.h"
#include "server/search_engine.h"
#include "tests/server/server_fixture.h"
#include "tests/support/process.h"

namespace sarea::server_test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using test_support::ReadAll;
using test_support::WriteAll;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

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

bool PollUntil(const std::function<bool()>& done, Clock::duration timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!done()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
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
                   "their museum."},
                  {"translation", nullptr}}));
  EXPECT_EQ(PassageOk(Pid(LanternId(3), 0)), json({{"id", Pid(LanternId(3), 0)},
                                                   {"doc", LanternId(3)},
                                                   {"title", LanternId(3)},
                                                   {"lang", "en"},
                                                   {"position", 0},
                                                   {"text", LanternText(3)},
                                                   {"translation", nullptr}}));
  for (const std::string& target : std::vector<std::string>{
           "/api/passages/no-such-passage", "/api/passages/" + Pid("en/plans.txt", 9),
           "/api/passages/..%2F..%2Fetc%2Fpasswd"}) {
    ExpectError(Get(port(), target), 404, "not_found", target);
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
                            {"shards", 1},
                            {"partial", false},
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
      {ok + "&page=1001", 400, "invalid_argument"},
      // No hit beyond the 10000th: page × size is capped, not each alone.
      {ok + "&page=101&size=100", 400, "invalid_argument"},
      {ok + "&page=501&size=20", 400, "invalid_argument"},
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
           ok + "&snippet_len=20", ok + "&snippet_len=2000", ok + "&page=1000",
           ok + "&page=100&size=100", ok + "&page=500&size=20"}) {
    const Reply reply = Get(port(), target);
    EXPECT_EQ(reply.status, 200) << target.substr(0, 80) << ": " << reply.body;
  }
}

// Ids, document filters and paths are index terms and route names, never
// file paths: traversal attempts in every parameter reach no file and answer
// as any unknown value does.
TEST_F(ServerTest, PathTraversalReachesNoFile) {
  const std::string passwd = "..%2F..%2F..%2F..%2Fetc%2Fpasswd";
  for (const std::string& target : std::vector<std::string>{
           "/api/passages/" + passwd, "/api/passages/../../etc/passwd", "/static/../../etc/passwd",
           "/static/" + passwd, "/../../etc/passwd", "/api/search/../../../etc/passwd"}) {
    const Reply reply = Get(port(), target);
    EXPECT_EQ(reply.status, 404) << target;
    EXPECT_EQ(reply.body.find("root:"), std::string::npos) << target;
  }
  const json by_doc = SearchOk({{"q", "lighthouse"}, {"doc", "../../../../etc/passwd"}});
  EXPECT_EQ(by_doc["hits"].size(), 0u);
  const json by_query = SearchOk({{"q", "../../../../etc/passwd"}});
  EXPECT_EQ(by_query.dump().find("root:"), std::string::npos);
  ExpectError(Get(port(), "/api/search?q=a&lang=" + passwd), 400, "invalid_argument", "lang");
  ExpectError(Get(port(), "/api/suggest?q=a&lang=" + passwd), 400, "invalid_argument", "lang");
}

// Input echoed in a response (a path in an error, a query) never reads as
// markup: <, > and & leave the server as JSON \u escapes, and API responses
// forbid content sniffing.
TEST_F(ServerTest, EchoedInputIsNeverMarkup) {
  const std::string script = "<script>alert(1)</script>&amp;";
  for (const std::string& target :
       {"/nothing/" + Encode(script), "/api/search?q=" + Encode(script) + "&size=1000",
        "/api/search?q=" + Encode(script), "/api/passages/" + Encode(script)}) {
    const Reply reply = Get(port(), target);
    EXPECT_EQ(reply.body.find('<'), std::string::npos) << target << ": " << reply.body;
    EXPECT_EQ(reply.body.find('&'), std::string::npos) << target << ": " << reply.body;
    EXPECT_EQ(reply.Header("X-Content-Type-Options"), "nosniff") << target;
    ASSERT_FALSE(reply.Json().is_discarded()) << reply.body;
  }
  const Reply missing = Get(port(), "/nothing/" + Encode(script));
  EXPECT_TRUE(Contains(missing.Json()["error"]["message"].get<std::string>(), script))
      << "the parsed message still says what was asked: " << missing.body;
  // Snippets keep their marks once parsed.
  const json found = SearchOk({{"q", "lighthouse"}});
  ASSERT_FALSE(found["hits"].empty());
  EXPECT_TRUE(Contains(found["hits"][0]["snippet"].get<std::string>(), "<mark>"));
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

// The language facets read each passage's language from a table the engine
// keeps per revision of the index: a passage indexed after the first search
// must count in the next one's facets.
TEST_F(ServerTest, FacetsFollowTheIndexAsItChanges) {
  const fs::path corpus = dir_ / "facets" / "corpus", index = dir_ / "facets" / "idx" / "index";
  const std::vector<std::string> args = {"--corpus", corpus.string(), "--index", index.string(),
                                         "--quiet"};
  WriteAll(corpus / "keeper.txt",
           "The lighthouse keeper climbed the stairs at dusk and lit the great lamp.\n");
  ASSERT_EQ(RunIndexer(args, dir_ / "facets.log"), 0) << ReadAll(dir_ / "facets.log");
  server::SearchEngine engine(index.string(), 1);  // one searcher: the same table each time
  server::SearchRequest request;
  request.query = "lighthouse faro";
  const auto before = engine.Search(request);
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  EXPECT_EQ(before->lang_facets, (std::map<std::string, unsigned>{{"en", 1}}));
  // The engine keeps the index's languages for the revision it has open:
  // Spanish is unknown now, and known once an indexer run has added it.
  server::SearchRequest in_spanish = request;
  in_spanish.languages = {"es"};
  EXPECT_EQ(engine.Search(in_spanish).status().code(), StatusCode::kInvalidArgument);
  server::SuggestRequest spanish_words{"guar", {"es"}, 8};
  EXPECT_EQ(engine.Suggest(spanish_words).status().code(), StatusCode::kInvalidArgument);

  WriteAll(corpus / "guardian.txt",
           "El guardián del faro subió las escaleras al anochecer y encendió la gran lámpara.\n");
  ASSERT_EQ(RunIndexer(args, dir_ / "facets.log"), 0) << ReadAll(dir_ / "facets.log");
  const auto after = engine.Search(request);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->total, 2u);
  EXPECT_EQ(after->lang_facets, (std::map<std::string, unsigned>{{"en", 1}, {"es", 1}}));
  const auto after_in_spanish = engine.Search(in_spanish);
  ASSERT_TRUE(after_in_spanish.ok()) << after_in_spanish.status().ToString();
  EXPECT_EQ(after_in_spanish->total, 1u);
  const auto suggested = engine.Suggest(spanish_words);
  ASSERT_TRUE(suggested.ok()) << suggested.status().ToString();
  ASSERT_FALSE(suggested->empty());
  EXPECT_EQ(suggested->front().text, "guardián");
}

namespace {

// Points `link` at `target` in one step, as sarea-index swaps generations.
void SwapLink(const fs::path& link, const fs::path& target) {
  const fs::path tmp = link.string() + ".tmp";
  fs::remove(tmp);
  fs::create_directory_symlink(target, tmp);
  fs::rename(tmp, link);
}

// Indexes one file saying `text` into `root`/corpus, `root`/index.
void IndexOneFile(const fs::path& root, const std::string& text, const fs::path& log) {
  WriteAll(root / "corpus" / "keeper.txt", text);
  ASSERT_EQ(RunIndexer({"--corpus", (root / "corpus").string(), "--index",
                        (root / "index").string(), "--quiet"},
                       log),
            0)
      << ReadAll(log);
}

// The text of the first hit for `query`, else "no hit" or the error.
std::string FirstHitText(server::SearchEngine& engine, const std::string& query) {
  server::SearchRequest request;
  request.query = query;
  const auto response = engine.Search(request);
  if (!response.ok()) return response.status().ToString();
  return response->hits.empty() ? "no hit" : response->hits[0].passage.text;
}

}  // namespace

// A request checks what the index path names: a swapped generation is
// searched by the next request, not a second later when the path is
// resolved in full again (also when the path is given with a trailing
// slash).
TEST_F(ServerTest, ASwappedGenerationIsSearchedAtOnce) {
  const fs::path root = dir_ / "swap";
  IndexOneFile(root / "one", "The lighthouse keeper lit the great lamp at dusk.\n",
               dir_ / "swap.log");
  IndexOneFile(root / "two",
               "The keeper of the lighthouse rowed back to the harbour.\n\n"
               "A second lighthouse stood on the northern cape.\n",
               dir_ / "swap.log");
  const fs::path one = fs::read_symlink(root / "one" / "index");
  const fs::path two = fs::read_symlink(root / "two" / "index");
  SwapLink(root / "one" / "index", fs::absolute(root / "one" / one));
  for (const std::string suffix : {"", "/"}) {
    SCOPED_TRACE("index path" + (suffix.empty() ? std::string() : " with '" + suffix + "'"));
    SwapLink(root / "one" / "index", fs::absolute(root / "one" / one));
    server::SearchEngine engine((root / "one" / "index").string() + suffix, 1);  // one searcher
    server::SearchRequest request;
    request.query = "lighthouse";
    const auto before = engine.Search(request);
    ASSERT_TRUE(before.ok()) << before.status().ToString();
    EXPECT_EQ(before->total, 1u);
    // Within milliseconds of the full resolution the first search made.
    SwapLink(root / "one" / "index", fs::absolute(root / "two" / two));
    const auto after = engine.Search(request);
    ASSERT_TRUE(after.ok()) << after.status().ToString();
    EXPECT_EQ(after->total, 2u);
  }
}

// A stub that names other shards is read again by the next request, whether
// it is edited in place or replaced (as xapian-replicate replaces a replica's
// XAPIANDB when it copies a database in full).
TEST_F(ServerTest, ARewrittenStubIsReadAtOnce) {
  const fs::path root = dir_ / "edited";
  IndexOneFile(root / "a", "Lighthouse a stands on the cape.\n", dir_ / "edited.log");
  IndexOneFile(root / "b", "Lighthouse b stands on the cape.\n", dir_ / "edited.log");
  server::SearchRequest request;
  request.query = "lighthouse";
  {
    SCOPED_TRACE("a stub file edited in place");
    const fs::path stub = root / "shards.stub";
    WriteAll(stub, "auto a/index\n");
    server::SearchEngine engine(stub.string(), 1);
    const auto one = engine.Search(request);
    ASSERT_TRUE(one.ok()) << one.status().ToString();
    EXPECT_EQ(one->total, 1u);
    WriteAll(stub, "auto a/index\nauto b/index\n");
    const auto two = engine.Search(request);
    ASSERT_TRUE(two.ok()) << two.status().ToString();
    EXPECT_EQ(two->total, 2u);
  }
  {
    SCOPED_TRACE("a stub directory's XAPIANDB replaced");
    const fs::path replica = root / "replica";
    WriteAll(replica / "XAPIANDB", "auto ../a/index\n");
    server::SearchEngine engine(replica.string(), 1);
    const auto one = engine.Search(request);
    ASSERT_TRUE(one.ok()) << one.status().ToString();
    ASSERT_EQ(one->hits.size(), 1u);
    EXPECT_NE(one->hits[0].passage.text.find("Lighthouse a"), std::string::npos);
    WriteAll(replica / "XAPIANDB.tmp", "auto ../b/index\n");
    fs::rename(replica / "XAPIANDB.tmp", replica / "XAPIANDB");
    const auto two = engine.Search(request);
    ASSERT_TRUE(two.ok()) << two.status().ToString();
    ASSERT_EQ(two->hits.size(), 1u);
    EXPECT_NE(two->hits[0].passage.text.find("Lighthouse b"), std::string::npos);
  }
}

// A parent directory that is a swapped link, or an index removed and built
// again under the same names, changes what the index path names: seen by
// the next request.
TEST_F(ServerTest, AnIndexReplacedAboveOrUnderItsPathIsSearchedAtOnce) {
  const fs::path root = dir_ / "parent";
  IndexOneFile(root / "a", "Lighthouse a stands on the cape.\n", dir_ / "parent.log");
  IndexOneFile(root / "b", "Lighthouse b stands on the cape.\n", dir_ / "parent.log");
  const fs::path current = root / "current";
  SwapLink(current, fs::absolute(root / "a"));
  server::SearchEngine engine((current / "index").string(), 1);
  const auto text = [&] { return FirstHitText(engine, "lighthouse"); };
  EXPECT_NE(text().find("Lighthouse a"), std::string::npos);
  SwapLink(current, fs::absolute(root / "b"));
  EXPECT_NE(text().find("Lighthouse b"), std::string::npos) << text();
  fs::remove_all(root / "b");
  IndexOneFile(root / "b", "Lighthouse c stands on the cape.\n", dir_ / "parent.log");
  ASSERT_EQ(fs::read_symlink(root / "b" / "index"), fs::read_symlink(root / "a" / "index"));
  EXPECT_NE(text().find("Lighthouse c"), std::string::npos) << text();
  // The generation's directory removed and made again at once: the file
  // system may give the new one the old one's inode number.
  IndexOneFile(root / "d", "Lighthouse d stands on the cape.\n", dir_ / "parent.log");
  const fs::path generation = root / "b" / fs::read_symlink(root / "b" / "index");
  fs::remove_all(generation);
  fs::create_directory(generation);
  for (const auto& file :
       fs::directory_iterator(root / "d" / fs::read_symlink(root / "d" / "index")))
    fs::copy_file(file.path(), generation / file.path().filename());
  EXPECT_NE(text().find("Lighthouse d"), std::string::npos) << text();
}

// A shard that a stub names, swapped under it, is found by the full
// resolution of the path at least every second; at once when the database
// open before was removed.
TEST_F(ServerTest, AShardSwappedUnderAStubIsSearchedWithinASecond) {
  const fs::path root = dir_ / "shard";
  IndexOneFile(root / "a", "Lighthouse a stands on the cape.\n", dir_ / "shard.log");
  IndexOneFile(root / "b", "Lighthouse b stands on the cape.\n", dir_ / "shard.log");
  const fs::path a = fs::absolute(root / "a" / fs::read_symlink(root / "a" / "index"));
  const fs::path b = fs::absolute(root / "b" / fs::read_symlink(root / "b" / "index"));
  const fs::path shard = root / "shard";
  SwapLink(shard, a);
  WriteAll(root / "shards.stub", "auto shard\n");
  server::SearchEngine engine((root / "shards.stub").string(), 1);
  const auto text = [&] { return FirstHitText(engine, "lighthouse"); };
  EXPECT_NE(text().find("Lighthouse a"), std::string::npos);
  SwapLink(shard, b);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_NE(text().find("Lighthouse b"), std::string::npos) << text();
  SwapLink(shard, a);
  fs::remove_all(b);
  EXPECT_NE(text().find("Lighthouse a"), std::string::npos) << text();
}

// A shard that a stub names, removed and built again under the same names,
// is a database reopen() would not notice (it keeps reading the files it
// has open): the next request opens the new one.
TEST_F(ServerTest, AShardBuiltAgainUnderAStubIsSearchedAtOnce) {
  const fs::path root = dir_ / "again";
  IndexOneFile(root / "s", "Lighthouse a stands on the cape.\n", dir_ / "again.log");
  WriteAll(root / "shards.stub", "auto s/index\n");
  server::SearchEngine engine((root / "shards.stub").string(), 1);
  EXPECT_NE(FirstHitText(engine, "lighthouse").find("Lighthouse a"), std::string::npos);
  const fs::path generation = fs::read_symlink(root / "s" / "index");
  fs::remove_all(root / "s");
  IndexOneFile(root / "s", "Lighthouse c stands on the cape.\n", dir_ / "again.log");
  ASSERT_EQ(fs::read_symlink(root / "s" / "index"), generation);  // the same names
  EXPECT_NE(FirstHitText(engine, "lighthouse").find("Lighthouse c"), std::string::npos)
      << FirstHitText(engine, "lighthouse");
}

// What a searcher keeps of the index's vocabulary (a word's spellings, read
// to match "configuracion" to "configuración") is for the revision it read:
// a spelling indexed since is matched by the next search.
TEST_F(ServerTest, ASpellingIndexedSinceIsMatchedByTheNextSearch) {
  const fs::path root = dir_ / "spelling";
  const std::string before =
      "La instalación del servidor se describe en un archivo de texto que el administrador "
      "revisa con cuidado cada semana.\n";
  IndexOneFile(root, before, dir_ / "spelling.log");
  server::SearchEngine engine((root / "index").string(), 1);  // one searcher
  EXPECT_NE(FirstHitText(engine, "instalacion").find("instalación"), std::string::npos);
  EXPECT_EQ(FirstHitText(engine, "configuracion"), "no hit");
  IndexOneFile(root,
               before +
                   "\nLa configuración del servidor se guarda en un archivo de texto que el "
                   "administrador edita con cuidado cada semana.\n",
               dir_ / "spelling.log");
  EXPECT_NE(FirstHitText(engine, "configuracion").find("configuración"), std::string::npos);
}

// Each call brings the searcher to the index's latest revision, which
// Xapian's reopen() finds in the database's version file (replaced by every
// commit). A version file that is the one seen before, and was written
// kSettledSeconds before it was seen, is not read again; one written since
// is read on every call, since a second commit within the file system's
// clock tick could leave a file alike. Shown by changing the file in place,
// its size and times kept: reopen() would read it and fail.
TEST_F(ServerTest, ASettledVersionFileSeenBeforeIsNotReadAgain) {
  const fs::path root = dir_ / "settled";
  IndexOneFile(root, "The lighthouse keeper lit the great lamp at dusk.\n", dir_ / "settled.log");
  const fs::path version = fs::canonical(root / "index") / "iamglass";
  const std::string good = ReadAll(version);
  std::string bad = good;
  bad[0] = static_cast<char>(bad[0] ^ 0x55);  // not a glass version file
  // Writes `text` over the file (the same inode and size) dated `when`.
  const auto rewrite = [&](const std::string& text, fs::file_time_type when) {
    WriteAll(version, text);
    fs::last_write_time(version, when);
  };
  const fs::file_time_type hour_ago = fs::file_time_type::clock::now() - 1h;
  fs::last_write_time(version, hour_ago);
  server::SearchEngine engine((root / "index").string(), 1);  // one searcher
  EXPECT_NE(FirstHitText(engine, "lighthouse").find("lighthouse"), std::string::npos);
  rewrite(bad, hour_ago);
  EXPECT_NE(FirstHitText(engine, "lighthouse").find("lighthouse"), std::string::npos);
  rewrite(good, hour_ago);

  const fs::file_time_type now = fs::file_time_type::clock::now();
  rewrite(good, now);  // written just now: read
  EXPECT_NE(FirstHitText(engine, "lighthouse").find("lighthouse"), std::string::npos);
  rewrite(bad, now);
  EXPECT_EQ(FirstHitText(engine, "lighthouse").find("lighthouse"), std::string::npos);
  rewrite(good, now);
  EXPECT_NE(FirstHitText(engine, "lighthouse").find("lighthouse"), std::string::npos);

  // A commit replaces the file: seen by the next call.
  fs::last_write_time(version, hour_ago);
  EXPECT_EQ(FirstHitText(engine, "dolphin"), "no hit");
  IndexOneFile(root, "A dolphin swam past the lighthouse at dawn.\n", dir_ / "settled.log");
  EXPECT_NE(FirstHitText(engine, "dolphin").find("dolphin"), std::string::npos);
}

// Hits of equal weight come in passage-id order, also for passages added,
// and without those removed, while the engine serves: the ids it keeps by
// document number grow with the index.
TEST_F(ServerTest, EqualWeightsComeInIdOrderAsTheIndexGrows) {
  const fs::path corpus = dir_ / "ties" / "corpus", index = dir_ / "ties" / "idx" / "index";
  const std::vector<std::string> args = {"--corpus", corpus.string(), "--index", index.string(),
                                         "--quiet"};
  const auto write = [&](int from, int to) {
    for (int i = from; i < to; ++i) {
      WriteAll(corpus / ("beacon-" + std::to_string(i) + ".txt"),
               "The harbour beacon glows over the water every night.\n");
    }
  };
  server::SearchEngine engine(index.string(), 1);  // one searcher, one table
  const auto ids = [&](int page, int size, server::SearchEngine& on) {
    server::SearchRequest request;
    request.query = "beacon";
    request.page = page;
    request.size = size;
    const auto found = on.Search(request);
    EXPECT_TRUE(found.ok()) << found.status().ToString();
    std::vector<std::string> out;
    if (found.ok()) {
      for (const server::Hit& hit : found->hits) out.push_back(hit.passage.id);
    }
    return out;
  };
  const auto check = [&](std::size_t count, server::SearchEngine& on) {
    // All of them on one page: ordered as the page is read, by the ids in
    // their records. Pages of 3 cut through equal weights: ordered by Xapian.
    const std::vector<std::string> all = ids(1, 50, on);
    ASSERT_EQ(all.size(), count);
    ASSERT_TRUE(std::is_sorted(all.begin(), all.end()));
    for (int page = 1; page * 3 <= static_cast<int>(count); ++page) {
      EXPECT_EQ(ids(page, 3, on),
                std::vector<std::string>(all.begin() + (page - 1) * 3, all.begin() + page * 3))
          << "page " << page << " of " << count;
    }
  };
  write(0, 6);
  ASSERT_EQ(RunIndexer(args, dir_ / "ties.log"), 0) << ReadAll(dir_ / "ties.log");
  check(6, engine);
  fs::remove(corpus / "beacon-2.txt");
  write(6, 14);
  ASSERT_EQ(RunIndexer(args, dir_ / "ties.log"), 0) << ReadAll(dir_ / "ties.log");
  check(13, engine);
  write(14, 20);
  ASSERT_EQ(RunIndexer(args, dir_ / "ties.log"), 0) << ReadAll(dir_ / "ties.log");
  check(19, engine);
  server::SearchEngine fresh(index.string(), 1);  // its table read at once, a removed one in it
  check(19, fresh);
}

// ---------------------------------------------------------------- web page

// The page and its assets come from the server itself, typed, and under a
// Content-Security-Policy that allows nothing from another origin.
TEST_F(ServerTest, PageAndAssetsAreServedWithTheirTypesAndPolicy) {
  const struct {
    const char* target;
    const char* type;
    const char* contains;
  } kCases[] = {
      {"/", "text/html", "<script src=\"/static/app.js\""},
      {"/?q=cine&lang=es", "text/html", "id=\"q\""},
      {"/static/app.js", "text/javascript", "/api/suggest"},
      {"/static/style.css", "text/css", "mark"},
  };
  for (const auto& c : kCases) {
    const Reply reply = Get(port(), c.target);
    ASSERT_EQ(reply.status, 200) << c.target;
    EXPECT_EQ(reply.Header("Content-Type").rfind(c.type, 0), 0u) << c.target;
    EXPECT_TRUE(Contains(reply.body, c.contains)) << c.target;
    const std::string policy = reply.Header("Content-Security-Policy");
    EXPECT_TRUE(Contains(policy, "default-src 'none'")) << c.target << ": " << policy;
    EXPECT_TRUE(Contains(policy, "script-src 'self'")) << policy;
    EXPECT_FALSE(Contains(policy, "http")) << "no other origin: " << policy;
    EXPECT_EQ(reply.Header("X-Content-Type-Options"), "nosniff") << c.target;
    EXPECT_FALSE(Contains(reply.body, "http://") || Contains(reply.body, "https://"))
        << c.target << " loads nothing from another host";
  }
  EXPECT_EQ(Get(port(), "/static/other.js").status, 404);
}

// ------------------------------------------------------------------ OpenAPI

json OpenApi() {
  return json::parse(test_support::ReadAll(fs::path(SAREA_SOURCE_DIR) / "server/web/openapi.json"),
                     nullptr, false);
}

// What a "$ref" names, or `node` itself.
json Resolve(const json& spec, const json& node) {
  if (!node.is_object() || !node.contains("$ref")) return node;
  json at = spec;
  std::string ref = node["$ref"];  // "#/components/schemas/X"
  std::istringstream parts(ref.substr(2));
  for (std::string part; std::getline(parts, part, '/');) at = at[part];
  return Resolve(spec, at);
}

TEST(OpenApiTest, DescribesExactlyTheServersRoutes) {
  const json spec = OpenApi();
  ASSERT_TRUE(spec.is_object());
  std::set<std::string> described;
  for (const auto& [path, item] : spec["paths"].items()) described.insert(path);
  server::SearchEngine engine("/nonexistent/index", 1);
  server::HttpServer server(engine, server::ServerOptions{});
  const std::set<std::string> served(server.routes().begin(), server.routes().end());
  EXPECT_EQ(served, described);
}

// Dispatch answers in-process what the server answers over a socket: the
// same route table, handlers and errors (the HTTP fuzzer relies on it).
TEST_F(ServerTest, DispatchAnswersAsTheServerDoes) {
  server::SearchEngine engine(index_.string(), 1);
  server::ServerOptions options;
  options.access_log = false;
  server::HttpServer local(engine, options);
  for (const std::string target :
       {"/api/search?q=ciudad&size=3", "/api/search?q=%22unbalanced", "/api/search?size=0&q=a",
        "/api/suggest?q=gas", "/api/passages/nope", "/api/health", "/nowhere?q=1",
        "/api/search?q=creaci%C3%B3n+OR+cities&lang=es"}) {
    const Reply served = Get(port(), target);
    const server::LocalResponse answered = local.Dispatch(target);
    EXPECT_EQ(answered.status, served.status) << target;
    const auto type = served.headers.find("Content-Type");
    ASSERT_NE(type, served.headers.end()) << target;
    EXPECT_EQ(answered.content_type, type->second) << target;
    const json a = json::parse(answered.body, nullptr, false);
    const json b = json::parse(served.body, nullptr, false);
    EXPECT_FALSE(a.is_discarded()) << target;
    if (a.is_object() && a.contains("hits")) {
      EXPECT_EQ(HitIds(a), HitIds(b)) << target;
    } else if (target != "/api/health") {
      EXPECT_EQ(a, b) << target;
    }
  }
}

// Every described GET answers on the real server: with its required
// parameters it answers 200 with the described required fields, and each
// integer parameter accepts its bounds and refuses one past them with 400.
TEST_F(ServerTest, OpenApiMatchesWhatTheServerAnswers) {
  const Reply served = Get(port(), "/api/openapi.json");
  ASSERT_EQ(served.status, 200);
  const json spec = served.Json();
  EXPECT_EQ(spec, OpenApi()) << "the server serves the committed description";
  EXPECT_EQ(spec.value("openapi", "").substr(0, 2), "3.");
  for (const auto& [path, item] : spec["paths"].items()) {
    const json& get = item["get"];
    std::string target = path;
    std::string required;
    for (const json& param : get.value("parameters", json::array())) {
      if (param["in"] == "path") {
        target.replace(target.find("{" + param["name"].get<std::string>() + "}"),
                       param["name"].get<std::string>().size() + 2, Seed(4));
      } else if (param.value("required", false)) {
        required += (required.empty() ? "?" : "&") + param["name"].get<std::string>() + "=" +
                    Encode(param["example"].get<std::string>());
      }
    }
    target += required;
    const Reply reply = Get(port(), target);
    ASSERT_EQ(reply.status, 200) << target << ": " << reply.body;
    ASSERT_TRUE(get["responses"].contains("200")) << path;
    const json response = Resolve(spec, get["responses"]["200"]);
    for (const auto& [type, media] : response["content"].items()) {
      EXPECT_EQ(reply.Header("Content-Type").rfind(type, 0), 0u) << path << " " << type;
      if (type != "application/json") continue;
      const json schema = Resolve(spec, media["schema"]);
      const json body = reply.Json();
      for (const json& field : schema.value("required", json::array()))
        EXPECT_TRUE(body.contains(field.get<std::string>())) << path << " lacks " << field;
    }
    for (const json& param : get.value("parameters", json::array())) {
      const json& schema = param["schema"];
      if (schema.value("type", "") != "integer" || path == "/") continue;
      const std::string name = param["name"];
      const std::string joiner = required.empty() ? "?" : "&";
      if (schema.contains("minimum")) {
        const int min = schema["minimum"];
        EXPECT_EQ(Get(port(), target + joiner + name + "=" + std::to_string(min)).status, 200)
            << path << " " << name;
        EXPECT_EQ(Get(port(), target + joiner + name + "=" + std::to_string(min - 1)).status, 400)
            << path << " " << name;
      }
      if (schema.contains("maximum")) {
        const int max = schema["maximum"];
        EXPECT_EQ(Get(port(), target + joiner + name + "=" + std::to_string(max)).status, 200)
            << path << " " << name;
        EXPECT_EQ(Get(port(), target + joiner + name + "=" + std::to_string(max + 1)).status, 400)
            << path << " " << name;
      }
    }
  }
}

}  // namespace
}  // namespace sarea::server_test
