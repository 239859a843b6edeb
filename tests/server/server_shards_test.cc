// Sharded search: one corpus indexed as one database, as 3 local shards and
// as 2 shards served by xapian-tcpsrv on loopback answers every query of a
// list the same (ids, order, snippets, translations, facets, totals); a
// remote shard that is down or hung gives a clear 503, or with --partial the
// other shards' answer marked "partial", and never a hang.
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/schema.h"
#include "common/text.h"
#include "server/search_engine.h"
#include "tests/server/server_fixture.h"

namespace sarea::server_test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test_support::TempDir;
using test_support::WriteAll;

constexpr char kTcpServer[] = "/usr/bin/xapian-tcpsrv";
constexpr int kDescriptionPairs = 200;  // of tests/data/parallel-en-es.tsv
// Records of equal weight for "beacon": more than SearchEngine::kSortedPassFrom,
// so that their ties are broken in the search's one sorted pass.
constexpr int kBeacons = 2100;
static_assert(kBeacons > server::SearchEngine::kSortedPassFrom);

// xapian-tcpsrv serving one database on loopback, in a process group of its
// own: it forks a child per connection, and "down" means all of them.
class TcpServer {
 public:
  ~TcpServer() { Kill(); }

  // "" once it accepts connections, else what went wrong.
  std::string Start(const fs::path& db, const fs::path& log) {
    db_ = db;
    log_ = log;
    port_ = FreeLoopbackPort();
    return Restart();
  }
  // Starts it again on the same port, after Kill().
  std::string Restart() {
    const fs::path& db = db_;
    const fs::path& log = log_;
    test_support::SpawnOptions options;
    options.program = "/usr/bin/setsid";  // new session: its group is its pid
    options.args = {kTcpServer, "--interface",         "127.0.0.1",
                    "--port",   std::to_string(port_), db.string()};
    options.out = {log, true};
    options.err = {log, true};
    pid_ = test_support::Spawn(options);
    for (int i = 0; i < 200; ++i) {
      if (AcceptsConnections(port_)) return "";
      if (test_support::Exited(pid_)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return "xapian-tcpsrv did not start: " + test_support::ReadAll(log);
  }
  void Signal(int sig) const {
    if (pid_ > 0) ::kill(-pid_, sig);
  }
  void Kill() {
    if (pid_ <= 0) return;
    Signal(SIGCONT);
    Signal(SIGKILL);
    test_support::Wait(pid_);
    pid_ = -1;
  }
  int port() const { return port_; }

 private:
  fs::path db_, log_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// The words of `text` of at least `min` letters.
std::vector<std::string> Words(const std::string& text, std::size_t min) {
  std::vector<std::string> words;
  WordSplitter splitter;
  for (const WordSpan& span : splitter.Split(text)) {
    const std::string w = text.substr(span.begin, span.end - span.begin);
    bool letters = w.size() >= min;
    for (unsigned char c : w) letters = letters && (std::isalpha(c) || c >= 0x80);
    if (letters) words.push_back(w);
  }
  return words;
}

class ShardsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    temp_ = std::make_unique<TempDir>("sarea-shards-");
    dir_ = temp_->path();
    const fs::path corpus = dir_ / "corpus";
    WriteCorpus(corpus);
    // Package descriptions and their translations, the Spanish record stating
    // its English original: pairs across documents, so across shards.
    std::ifstream tsv(fs::path(SAREA_SOURCE_DIR) / "tests/data/parallel-en-es.tsv");
    std::string line, records;
    std::getline(tsv, line);  // header
    for (int i = 0; i < kDescriptionPairs && std::getline(tsv, line); ++i) {
      const std::size_t tab = line.find('\t');
      std::string en = line.substr(0, tab), es = line.substr(tab + 1);
      pairs_.emplace_back(en, es);
      const std::string id = "pkg-" + std::to_string(i);
      records += json({{"id", id + "/en"}, {"lang", "en"}, {"text", en}}).dump() + "\n";
      records +=
          json({{"id", id + "/es"}, {"lang", "es"}, {"text", es}, {"translation_of", id + "/en"}})
              .dump() +
          "\n";
    }
    WriteAll(corpus / "descriptions.jsonl", records);
    // Ids in the opposite order to the records': document numbers give
    // neither their order nor the same order in every sharding.
    records.clear();
    for (int i = 0; i < kBeacons; ++i) {
      const std::string n = std::to_string(9999 - i);
      records +=
          json({{"id", "beacon-" + n}, {"lang", "en"}, {"text", "Beacon " + n + " glows tonight."}})
              .dump() +
          "\n";
    }
    WriteAll(corpus / "beacons.jsonl", records);

    const fs::path log = dir_ / "index.log";
    for (const auto& [name, shards] : std::vector<std::pair<std::string, std::string>>{
             {"one", "1"}, {"three", "3"}, {"two", "2"}}) {
      if (RunIndexer({"--corpus", corpus.string(), "--index", (dir_ / name / "index").string(),
                      "--shards", shards, "--quiet"},
                     log) != 0) {
        setup_error_ = "sarea-index failed: " + test_support::ReadAll(log);
        return;
      }
    }
    for (int shard = 0; shard < 2; ++shard) {
      tcp_[shard] = std::make_unique<TcpServer>();
      setup_error_ = tcp_[shard]->Start(dir_ / "two/index" / ("shard-" + std::to_string(shard)),
                                        dir_ / ("tcpsrv-" + std::to_string(shard) + ".log"));
      if (!setup_error_.empty()) return;
    }
    remote_stub_ = dir_ / "remote.stub";
    WriteAll(remote_stub_, "# two shards behind xapian-tcpsrv\nremote 127.0.0.1:" +
                               std::to_string(tcp_[0]->port()) +
                               "\nremote 127.0.0.1:" + std::to_string(tcp_[1]->port()) + "\n");
    single_ = StartServer(dir_ / "one/index", {}, "single");
    local_ = StartServer(dir_ / "three/index", {}, "local");
    remote_ = StartServer(remote_stub_, {"--remote-timeout", "1"}, "remote");
  }

  static std::unique_ptr<Server> StartServer(const fs::path& index, std::vector<std::string> extra,
                                             const std::string& name) {
    auto server = std::make_unique<Server>();
    std::vector<std::string> args = {"--index", index.string(), "--port", "0", "--threads", "2"};
    args.insert(args.end(), extra.begin(), extra.end());
    const std::string error = server->Start(args, dir_ / (name + ".err"));
    if (!error.empty() && setup_error_.empty()) setup_error_ = name + ": " + error;
    return server;
  }

  static void TearDownTestSuite() {
    for (auto* server : {&single_, &local_, &remote_}) {
      if (*server != nullptr && setup_error_.empty()) {
        EXPECT_EQ((*server)->Stop(), 0);
      }
      server->reset();
    }
    for (auto& tcp : tcp_) tcp.reset();
    temp_.reset();
  }

  void SetUp() override { ASSERT_EQ(setup_error_, ""); }

  // The answer to `target` without its timing.
 public:
  static json Answer(const Server& server, const std::string& target) {
    const Reply reply = Get(server.port(), target);
    json j = reply.Json();
    if (j.is_object()) j.erase("took_ms");
    return {{"status", reply.status}, {"body", j.is_discarded() ? json(reply.body) : j}};
  }

 protected:
  // Queries drawn from the corpus: words of both languages alone, in pairs,
  // as phrases, prefixes and exclusions, with the API's filters and options.
  static std::vector<Params> Queries() {
    std::vector<Params> queries = {
        {{"q", "lantern"}},  // 25 passages of equal weight: the tie-break is tested
        {{"q", "lantern"}, {"page", "3"}, {"size", "7"}},
        {{"q", "lighthouse faro"}},
        {{"q", "film"}},  // a synonym group of the shipped synonyms.txt
        {{"q", "museum harbour"}, {"group", "pair"}},
        {{"q", "ciudades creativas"}, {"translations", "1"}},
        {{"q", "creative cities"}, {"lang", "es"}},
        {{"q", "kaleidoscope"}, {"snippet_len", "60"}},
        {{"q", "beacon"}},  // ties beyond kSortedPassFrom: broken in one sorted pass
        {{"q", "beacon"}, {"page", "40"}, {"size", "9"}},
        {{"q", "beacon tonight"}, {"group", "pair"}},
    };
    for (std::size_t i = 0; i < pairs_.size(); i += 5) {
      const std::vector<std::string> en = Words(pairs_[i].first, 5),
                                     es = Words(pairs_[i].second, 5);
      if (en.size() < 2 || es.size() < 2) continue;
      queries.push_back({{"q", en[0]}});
      queries.push_back({{"q", es[0]}});
      queries.push_back({{"q", en[0] + " " + es[1]}});
      queries.push_back({{"q", "\"" + en[0] + " " + en[1] + "\""}});
      queries.push_back({{"q", std::string(FirstCodePoints(es[1], 4)) + "*"}, {"size", "20"}});
      queries.push_back({{"q", en[1] + " -" + en[0]}, {"lang", "en"}});
      queries.push_back({{"q", es[0]}, {"lang", "es"}, {"translations", "1"}});
      queries.push_back({{"q", en[1]}, {"group", "pair"}});
    }
    return queries;
  }

  static inline std::string setup_error_;
  static inline std::unique_ptr<TempDir> temp_;
  static inline fs::path dir_, remote_stub_;
  static inline std::vector<std::pair<std::string, std::string>> pairs_;
  static inline std::unique_ptr<TcpServer> tcp_[2];
  static inline std::unique_ptr<Server> single_, local_, remote_;
};

TEST_F(ShardsTest, TheIndexerSplitsDocumentsByAStableHashAndWritesAStub) {
  const std::string stub = test_support::ReadAll(dir_ / "three/index/XAPIANDB");
  EXPECT_NE(stub.find("auto shard-0\nauto shard-1\nauto shard-2\n"), std::string::npos) << stub;
  // Every shard got documents, and all of them together are the one index's.
  const json one = Answer(*single_, "/api/health")["body"]["index"];
  const json three = Answer(*local_, "/api/health")["body"]["index"];
  EXPECT_EQ(three["shards"], 3);
  EXPECT_EQ(three["documents"], one["documents"]);
  EXPECT_EQ(three["passages"], one["passages"]);
  EXPECT_EQ(three["languages"], one["languages"]);
  EXPECT_GT(one["documents"].get<int>(), 2 * kDescriptionPairs);
}

// Xapian 1.4 weighs a synonym of many terms (a prefix* query's completions)
// with a frequency it estimates in each shard from the terms that shard has:
// the scores of such queries differ slightly with the sharding (see
// docs/SCALING.md). Everything else must still be the same, and the hits
// nearly so: the same ones, within 3% of their single-index scores.
void ExpectNearlySame(const json& sharded, const json& single, const std::string& what) {
  json a = sharded, b = single;
  const json hits_a = a["body"]["hits"], hits_b = b["body"]["hits"];
  a["body"].erase("hits");
  b["body"].erase("hits");
  EXPECT_EQ(a, b) << what;
  std::map<std::string, double> scores;
  for (const json& hit : hits_b) scores[hit["id"]] = hit["score"];
  std::size_t common = 0;
  for (const json& hit : hits_a) {
    const auto it = scores.find(hit["id"]);
    if (it == scores.end()) continue;
    ++common;
    EXPECT_NEAR(hit["score"].get<double>(), it->second, it->second * 0.03) << what;
  }
  EXPECT_GE(common * 10, hits_b.size() * 9) << what;
}

// Beyond SearchEngine::kExactCountUpTo matches, a total is Xapian's estimate,
// and the facets are scaled to it: an estimate made from what each sharding
// saw. Everything else must be the same, and the estimates near each other.
void ExpectSameButEstimates(const json& sharded, const json& single, const std::string& what) {
  json a = sharded, b = single;
  for (json* answer : {&a, &b}) {
    (*answer)["body"].erase("total");
    (*answer)["body"].erase("facets");
  }
  EXPECT_EQ(a, b) << what;
  const double total = single["body"]["total"];
  EXPECT_EQ(sharded["body"]["total_exact"], false) << what;
  EXPECT_NEAR(sharded["body"]["total"].get<double>(), total, total / 4) << what;
}

TEST_F(ShardsTest, ShardedAnswersAreTheSingleIndexAnswers) {
  int compared = 0, with_hits = 0, estimated = 0;
  for (const Params& params : Queries()) {
    const std::string target = SearchTarget(params);
    const json single = Answer(*single_, target);
    ASSERT_EQ(single["status"], 200) << target << " " << single.dump();
    const json local = Answer(*local_, target);
    const json remote = Answer(*remote_, target);
    if (single["body"]["total_exact"] == false) {
      ++estimated;
      ExpectSameButEstimates(local, single, target + " (3 local shards)");
      ExpectSameButEstimates(remote, single, target + " (2 remote shards)");
    } else if (params.front().second.find('*') != std::string::npos) {
      ExpectNearlySame(local, single, target + " (3 local shards)");
      ExpectNearlySame(remote, single, target + " (2 remote shards)");
    } else {
      EXPECT_EQ(local, single) << target << " (3 local shards)";
      EXPECT_EQ(remote, single) << target << " (2 remote shards)";
    }
    ++compared;
    with_hits += single["body"]["hits"].empty() ? 0 : 1;
  }
  EXPECT_GT(compared, 200);
  EXPECT_GT(with_hits, compared * 9 / 10) << "queries drawn from the corpus find something";
  EXPECT_EQ(estimated, 1) << "grouped in pairs, the beacons alone are estimated";
}

TEST_F(ShardsTest, BeyondTheSortedPassEqualWeightsComeInPassageIdOrder) {
  for (const Server* server : {single_.get(), local_.get(), remote_.get()}) {
    std::vector<std::string> ids;
    for (int page = 1; page <= 3; ++page) {
      const json hits = Answer(
          *server, "/api/search?q=beacon&size=20&page=" + std::to_string(page))["body"]["hits"];
      for (const json& hit : hits) ids.push_back(hit["id"]);
    }
    std::vector<std::string> all;
    for (int i = 0; i < kBeacons; ++i)
      all.push_back(schema::PassageId("beacon-" + std::to_string(9999 - i), 0));
    std::sort(all.begin(), all.end());
    all.resize(60);
    EXPECT_EQ(ids, all);
  }
}

TEST_F(ShardsTest, PagesFollowOneAnother) {
  // 25 lanterns of equal weight: pages of 7 are the slices of one list.
  for (const Server* server : {single_.get(), local_.get(), remote_.get()}) {
    const json all = Answer(*server, "/api/search?q=lantern&size=28")["body"]["hits"];
    ASSERT_EQ(all.size(), 25u);
    for (int page = 1; page <= 4; ++page) {
      const json hits = Answer(
          *server, "/api/search?q=lantern&size=7&page=" + std::to_string(page))["body"]["hits"];
      for (std::size_t i = 0; i < hits.size(); ++i)
        EXPECT_EQ(hits[i]["id"], all[(page - 1) * 7 + i]["id"]) << "page " << page;
    }
  }
}

TEST_F(ShardsTest, PassagesAndTranslationsAcrossShards) {
  // A Spanish description and its English original live in whichever shards
  // their ids hash to; each passage still names its twin.
  for (int i = 0; i < 20; ++i) {
    const std::string id = schema::PassageId("pkg-" + std::to_string(i) + "/es", 0);
    const json single = Answer(*single_, "/api/passages/" + id);
    ASSERT_EQ(single["status"], 200) << single.dump();
    EXPECT_FALSE(single["body"]["translation"].is_null()) << id;
    EXPECT_EQ(Answer(*local_, "/api/passages/" + id), single);
    EXPECT_EQ(Answer(*remote_, "/api/passages/" + id), single);
  }
}

// Corrections read the vocabulary too: the same over local and remote shards.
TEST_F(ShardsTest, SuggestionsAndCorrectionsOverShards) {
  for (const char* target : {"/api/suggest?q=lant", "/api/suggest?q=ciud", "/api/search?q=lanterm",
                             "/api/search?q=kaleidoskope%20valley"}) {
    EXPECT_EQ(Answer(*local_, target), Answer(*single_, target)) << target;
    EXPECT_EQ(Answer(*remote_, target), Answer(*single_, target)) << target;
  }
  EXPECT_EQ(Answer(*single_, "/api/search?q=lanterm")["body"]["did_you_mean"], "lantern");
}

// Completions read the vocabulary, which is metadata: remote shards serve it.
TEST_F(ShardsTest, SuggestionsOverRemoteShards) {
  for (const char* target :
       {"/api/suggest?q=lant", "/api/suggest?q=ciud", "/api/suggest?q=ciudades%20crea",
        "/api/suggest?q=gastronomia", "/api/suggest?q=the%20"}) {
    const json single = Answer(*single_, target);
    ASSERT_EQ(single["status"], 200) << target;
    EXPECT_FALSE(single["body"]["suggestions"].empty()) << target;
    EXPECT_EQ(Answer(*remote_, target), single) << target;
  }
}

// The tests below stop shards; each brings them back before it ends.

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Polls `target` on `server` until its "partial" is `partial` (10 s at most).
json AwaitPartial(const Server& server, const std::string& target, bool partial) {
  json answer;
  for (int i = 0; i < 100; ++i) {
    answer = ShardsTest::Answer(server, target);
    if (answer["status"] == 200 && answer["body"]["partial"] == partial) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return answer;
}

TEST_F(ShardsTest, ADownShardIsAClearErrorOrWithPartialTheOtherShardsAnswer) {
  auto partial = StartServer(remote_stub_, {"--remote-timeout", "1", "--partial"}, "partial");
  ASSERT_EQ(setup_error_, "");
  const std::string target = "/api/search?q=package&size=100";
  const json whole = Answer(*partial, target);
  ASSERT_EQ(whole["status"], 200);
  EXPECT_EQ(whole["body"]["partial"], false);
  EXPECT_EQ(whole, Answer(*single_, target));

  tcp_[1]->Kill();
  auto start = std::chrono::steady_clock::now();
  const json refused = Answer(*remote_, target);
  EXPECT_LT(SecondsSince(start), 5.0) << "a shard that is down never hangs a query";
  EXPECT_EQ(refused["status"], 503) << refused.dump();
  const std::string message = refused["body"]["error"]["message"];
  EXPECT_NE(message.find("127.0.0.1:" + std::to_string(tcp_[1]->port())), std::string::npos)
      << "the error names the shard: " << message;

  const json part = Answer(*partial, target);
  ASSERT_EQ(part["status"], 200) << part.dump();
  EXPECT_EQ(part["body"]["partial"], true);
  EXPECT_GT(part["body"]["total"].get<int>(), 0);
  EXPECT_LT(part["body"]["total"], whole["body"]["total"]);
  std::set<std::string> ids;
  for (const json& hit : whole["body"]["hits"]) ids.insert(hit["id"].get<std::string>());
  for (const json& hit : part["body"]["hits"]) {
    EXPECT_TRUE(ids.count(hit["id"].get<std::string>()))
        << "a partial answer's hits are some of the whole answer's: " << hit.dump();
  }
  const json health = Answer(*partial, "/api/health");
  EXPECT_EQ(health["body"]["index"]["partial"], true);
  EXPECT_EQ(health["body"]["index"]["shards"], 2);

  ASSERT_EQ(tcp_[1]->Restart(), "");
  EXPECT_EQ(AwaitPartial(*partial, target, false), whole) << "the shard is tried again";
  EXPECT_EQ(AwaitPartial(*remote_, target, false), whole);
  EXPECT_EQ(partial->Stop(), 0);
}

TEST_F(ShardsTest, AHungShardTimesOutAndNeverHangsAQuery) {
  auto partial = StartServer(remote_stub_, {"--remote-timeout", "1", "--partial"}, "partial-hung");
  ASSERT_EQ(setup_error_, "");
  const std::string target = "/api/search?q=binary&size=50";
  const json whole = Answer(*partial, target);
  ASSERT_EQ(whole["status"], 200);
  EXPECT_EQ(Answer(*remote_, target), whole);

  tcp_[0]->Signal(SIGSTOP);  // it and its connections' processes: they accept, never answer
  auto start = std::chrono::steady_clock::now();
  const json refused = Answer(*remote_, target);
  EXPECT_LT(SecondsSince(start), 8.0) << "the remote timeout (1 s) bounds the query";
  EXPECT_EQ(refused["status"], 503) << refused.dump();
  start = std::chrono::steady_clock::now();
  const json part = Answer(*partial, target);
  EXPECT_LT(SecondsSince(start), 8.0);
  EXPECT_EQ(part["status"], 200) << part.dump();
  EXPECT_EQ(part["body"]["partial"], true);
  tcp_[0]->Signal(SIGCONT);
  EXPECT_EQ(AwaitPartial(*partial, target, false), whole);
  EXPECT_EQ(AwaitPartial(*remote_, target, false), whole);
  EXPECT_EQ(partial->Stop(), 0);
}

}  // namespace
}  // namespace sarea::server_test
