// Crash consistency of sarea-index (issue #7): the indexer is killed with
// SIGKILL at random moments of runs over a few thousand documents while a
// server reads the index, and must always leave an index that opens, passes
// xapian-check and is served at its last committed revision; a run after the
// kills converges to exactly what one uninterrupted run builds. The same for a
// killed --rebuild (the live index untouched, the leftovers cleaned up by the
// next run) and for a full disk (exit 2, a clear message, the index intact).
//
// The environment scales it: SAREA_CRASH_KILLS (default 4), SAREA_CRASH_DOCS
// (default 1200) and SAREA_CRASH_SEED (default: random, printed so that a
// failure can be replayed). scripts/crash-test runs the full 20 kills over
// 5000 documents.
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <xapian.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/record_codec.h"
#include "common/schema.h"
#include "tests/indexer/indexer_fixture.h"
#include "tests/server/server_fixture.h"
#include "tests/support/process.h"

namespace sarea::indexer_test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

int EnvInt(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::atoi(value) : fallback;
}

// ------------------------------------------------------------------ corpus

constexpr const char* kEnglishWords[] = {
    "museum",  "festival",  "library",  "garden",  "harbour", "theatre", "market",
    "bridge",  "orchestra", "workshop", "gallery", "river",   "school",  "kitchen",
    "poetry",  "cinema",    "design",   "pottery", "textile", "craft",   "music",
    "printer", "archive",   "lantern",  "mosaic",  "castle",  "village", "island"};
constexpr const char* kSpanishWords[] = {
    "museo",    "festival", "biblioteca", "jardín",   "puerto",   "teatro",    "mercado",
    "puente",   "orquesta", "taller",     "galería",  "río",      "escuela",   "cocina",
    "poesía",   "cine",     "diseño",     "cerámica", "textil",   "artesanía", "música",
    "imprenta", "archivo",  "farol",      "mosaico",  "castillo", "pueblo",    "isla"};
constexpr int kWords = sizeof(kEnglishWords) / sizeof(kEnglishWords[0]);

// Document `doc` at `version` (>= 1): one to three English paragraphs, each
// followed by its Spanish translation; a word of its own ("ref<doc>") and the
// version ("edition<version>") make every document and every edit findable.
std::string DocumentText(int doc, int version) {
  std::mt19937 rng(static_cast<unsigned>(doc * 7919 + version));
  auto word = [&](int& i) { return i = static_cast<int>(rng() % kWords); };
  std::string text;
  const int paragraphs = 1 + static_cast<int>(rng() % 3);
  for (int p = 0; p < paragraphs; ++p) {
    int a = 0, b = 0, c = 0;
    word(a), word(b), word(c);
    text += "The " + std::string(kEnglishWords[a]) + " of the " + kEnglishWords[b] +
            " was discussed by the neighbours of the " + kEnglishWords[c] +
            ", who agreed that everyone in the city should see it before the winter. "
            "This is reference ref" +
            std::to_string(doc) + " of edition" + std::to_string(version) + ".\n\n";
    text += "El " + std::string(kSpanishWords[a]) + " de la " + kSpanishWords[b] +
            " fue discutido por los vecinos del " + kSpanishWords[c] +
            ", que acordaron que todos en la ciudad debían verlo antes del invierno. "
            "Esta es la referencia ref" +
            std::to_string(doc) + " de la edition" + std::to_string(version) + ".\n\n";
  }
  return text;
}

// A corpus state: the version of each document, 0 when it is absent.
using CorpusState = std::vector<int>;

std::string DocumentPath(int doc) {
  return "cities/" + std::to_string(doc % 10) + "/doc" + std::to_string(doc) + ".txt";
}

// Makes `dir` hold `state` (writing only what differs from `before`).
void WriteState(const fs::path& dir, const CorpusState& state, const CorpusState& before) {
  for (size_t doc = 0; doc < state.size(); ++doc) {
    if (doc < before.size() && state[doc] == before[doc]) continue;
    const fs::path path = dir / DocumentPath(static_cast<int>(doc));
    if (state[doc] == 0) {
      fs::remove(path);
    } else {
      ASSERT_TRUE(test_support::WriteAll(path, DocumentText(static_cast<int>(doc), state[doc])));
    }
  }
}

// About 3% of the documents edited, 1% removed, 1% (absent ones) added back.
CorpusState Mutate(CorpusState state, std::mt19937& rng) {
  for (int& version : state) {
    const unsigned roll = rng() % 100;
    if (version > 0 && roll < 3) {
      ++version;
    } else if (version > 0 && roll == 3) {
      version = 0;
    } else if (version == 0 && roll < 50) {
      version = 1;
    }
  }
  return state;
}

// --------------------------------------------------------------- the index

// Everything a search can see of an index: its documents (each passage, as
// read back, and values, by passage id), every term with its frequencies, the
// spelling and synonym tables and the metadata. Two indexes with the same
// fingerprint answer every query alike (Xapian's internal document numbers
// aside). How records are stored is not content: which passages the record
// dictionary was trained on, and which were compressed with it, depend on
// where a run was killed.
std::map<std::string, std::string> Fingerprint(const Xapian::Database& db) {
  std::map<std::string, std::string> out;
  PassageReader reader({db});
  out["doccount"] = std::to_string(db.get_doccount());
  out["length"] = std::to_string(db.get_total_length());
  for (auto t = db.allterms_begin(); t != db.allterms_end(); ++t) {
    out["term " + *t] =
        std::to_string(t.get_termfreq()) + "/" + std::to_string(db.get_collection_freq(*t));
  }
  for (auto t = db.allterms_begin(schema::kPassageIdPrefix);
       t != db.allterms_end(schema::kPassageIdPrefix); ++t) {
    const Xapian::Document doc = db.get_document(*db.postlist_begin(*t));
    std::string values;
    for (auto v = doc.values_begin(); v != doc.values_end(); ++v) {
      values += std::to_string(v.get_valueno()) + "=" + *v + ";";
    }
    const Result<Passage> passage = reader.Read(doc);
    out["doc " + *t] = (passage.ok() ? PassageRecord(*passage) : passage.status().ToString()) +
                       "|" + values + "|" + std::to_string(doc.termlist_count());
  }
  for (auto s = db.spellings_begin(); s != db.spellings_end(); ++s) {
    out["spelling " + *s] = std::to_string(s.get_termfreq());
  }
  // (Synonyms are metadata. The commit stamp is not content: like a revision
  // number, it differs between any two runs. Nor is the record dictionary, nor
  // the indexer's table of lemmas, which keeps what killed runs looked up,
  // nor the files' recorded times.)
  for (auto m = db.metadata_keys_begin(); m != db.metadata_keys_end(); ++m) {
    if (*m != schema::kMetaCommit && *m != schema::kMetaRecordDictionary &&
        *m != schema::kMetaLemmas)
      out["metadata " + *m] = MetadataContent(*m, db.get_metadata(*m));
  }
  return out;
}

// The entries where `a` and `b` differ, at most `limit` of them, for a message.
std::string Differences(const std::map<std::string, std::string>& a,
                        const std::map<std::string, std::string>& b, int limit = 8) {
  std::string out;
  int shown = 0;
  auto show = [&](const std::string& key, const std::string& left, const std::string& right) {
    if (shown++ < limit) out += "  " + key + ": [" + left + "] vs [" + right + "]\n";
  };
  for (const auto& [key, value] : a) {
    const auto other = b.find(key);
    if (other == b.end()) {
      show(key, value, "absent");
    } else if (other->second != value) {
      show(key, value, other->second);
    }
  }
  for (const auto& [key, value] : b) {
    if (a.count(key) == 0) show(key, "absent", value);
  }
  if (shown > limit) out += "  ... " + std::to_string(shown - limit) + " more\n";
  return out;
}

// xapian-check's verdict on the database directory `dir`: "" if it passes.
std::string XapianCheck(const fs::path& dir, const fs::path& log) {
  test_support::SpawnOptions options;
  options.program = "/usr/bin/xapian-check";
  options.args = {dir.string()};
  options.out.file = log;
  options.err.file = log;
  options.err.append = true;
  const int code = test_support::WaitAtMost(test_support::Spawn(options), 120s);
  if (code == 0) return "";
  return "xapian-check " + dir.string() + " exited " + std::to_string(code) + ":\n" +
         test_support::ReadAll(log);
}

// The hits of a search: the total, then each score in rank order with the
// ids that have it, sorted (documents of equal weight come in Xapian's
// document-number order, which differs between two builds of the same
// content); the ids of the last score are left out when the page is full, as
// which of them made the page depends on that order too.
std::string Results(int port, const std::string& q) {
  constexpr int kSize = 50;
  const server_test::Reply reply = server_test::Get(
      port, "/api/search?size=" + std::to_string(kSize) + "&q=" + server_test::Encode(q));
  if (reply.status != 200) return "status " + std::to_string(reply.status) + ": " + reply.body;
  const json body = reply.Json();
  std::vector<std::pair<std::string, std::vector<std::string>>> groups;  // score, ids
  for (const json& hit : body["hits"]) {
    const std::string score = hit.value("score", json()).dump();
    if (groups.empty() || groups.back().first != score) groups.push_back({score, {}});
    groups.back().second.push_back(hit.value("id", ""));
  }
  std::string out = "total " + body.value("total", json()).dump() + "\n";
  for (size_t i = 0; i < groups.size(); ++i) {
    auto& [score, ids] = groups[i];
    std::sort(ids.begin(), ids.end());
    out += score + " x" + std::to_string(ids.size()) + ":";
    if (i + 1 < groups.size() || body["hits"].size() < kSize) {
      for (const std::string& id : ids) out += " " + id;
    }
    out += "\n";
  }
  return out;
}

const std::vector<std::string> kQueries = {
    "museum",          "biblioteca",       "\"river of the\"",   "puerto -mercado",
    "ref17",           "edition2",         "castle OR castillo", "jardin",
    "neighbours city", "vecinos invierno", "lantern mosaic",     "ref3 edition1"};

// ----------------------------------------------------------------- fixture

class CrashTest : public IndexerCliTest {
 protected:
  void SetUp() override {
    IndexerCliTest::SetUp();
    if (::testing::Test::IsSkipped()) return;
    seed_ = static_cast<unsigned>(
        EnvInt("SAREA_CRASH_SEED", static_cast<int>(std::random_device()() >> 1)));
    docs_ = EnvInt("SAREA_CRASH_DOCS", 1200);
    kills_ = EnvInt("SAREA_CRASH_KILLS", 4);
    std::cerr << "[ crash    ] SAREA_CRASH_SEED=" << seed_ << " SAREA_CRASH_DOCS=" << docs_
              << " SAREA_CRASH_KILLS=" << kills_ << "\n";
    rng_.seed(seed_);
    reference_ = dir_ / "reference" / "index";
    state_.assign(static_cast<size_t>(docs_), 1);
    WriteState(corpus_, state_, {});
  }

  // Builds corpus_ uninterrupted and from empty into the reference index;
  // returns the seconds the run took.
  double BuildReference() {
    const auto start = Clock::now();
    const RunResult run = Run({"--corpus", corpus_.string(), "--index", reference_.string(),
                               "--json", "--rebuild", "--shards", std::to_string(shards_)});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return std::chrono::duration<double>(Clock::now() - start).count();
  }

  // Starts sarea-index with `args` and kills it after `delay`; true if it was
  // killed, false if it had finished by then (successfully: the test fails
  // otherwise), in `*seconds` seconds.
  bool RunAndKill(const std::vector<std::string>& args, std::chrono::microseconds delay,
                  double* seconds = nullptr) {
    const auto start = Clock::now();
    const Child child = Start(args);
    const auto deadline = start + delay;
    while (Clock::now() < deadline && !test_support::Exited(child.pid)) {
      std::this_thread::sleep_for(std::min<Clock::duration>(1ms, deadline - Clock::now()));
    }
    const bool running = !test_support::Exited(child.pid);
    if (running) ::kill(child.pid, SIGKILL);
    const RunResult run = Wait(child);
    if (seconds != nullptr) *seconds = std::chrono::duration<double>(Clock::now() - start).count();
    // (It may also have finished between the look and the kill.)
    if (running && run.exit_code == 128 + SIGKILL) return true;
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return false;
  }

  // A moment in [0, seconds), in microseconds.
  std::chrono::microseconds RandomMoment(double seconds) {
    return std::chrono::microseconds(
        static_cast<long>(std::uniform_real_distribution<double>(0.0, seconds)(rng_) * 1e6));
  }

  // The databases of a generation: itself, or its shards.
  std::vector<fs::path> Databases(const fs::path& generation) const {
    if (shards_ == 1) return {generation};
    std::vector<fs::path> dirs;
    for (int i = 0; i < shards_; ++i) dirs.push_back(generation / ("shard-" + std::to_string(i)));
    return dirs;
  }

  // Fingerprint of each database of the index at `index`.
  std::map<std::string, std::string> FingerprintOf(const fs::path& index) const {
    std::map<std::string, std::string> out;
    for (const fs::path& db : Databases(fs::canonical(index))) {
      // Shards by name ("shard-1 term ..."); one database's keys as they are
      // (its directory is a generation, which differs between the two).
      const std::string shard = shards_ == 1 ? "" : db.filename().string() + " ";
      for (const auto& [key, value] : Fingerprint(Xapian::Database(db.string())))
        out[shard + key] = value;
    }
    return out;
  }

  // xapian-check's verdict on every database of a generation: "" if all pass.
  std::string CheckAll(const fs::path& generation) const {
    std::string out;
    for (const fs::path& db : Databases(generation))
      out += XapianCheck(db, dir_ / "scratch" / "check.log");
    return out;
  }

  // The checks after each kill: the index opens (unless the run was killed
  // before it created one), xapian-check passes on the live generation, and
  // the server answers at the index's committed revision.
  void CheckAfterKill(const std::string& when) {
    SCOPED_TRACE(when);
    if (!fs::exists(fs::symlink_status(index_))) return;
    const fs::path live = fs::canonical(index_);
    unsigned long revision = 0;
    unsigned passages = 0;
    try {
      const Xapian::Database db = Open();
      for (const fs::path& shard : Databases(live))
        revision += Xapian::Database(shard.string()).get_revision();
      for (auto t = db.allterms_begin(schema::kLangPrefix);
           t != db.allterms_end(schema::kLangPrefix); ++t) {
        passages += t.get_termfreq();
      }
    } catch (const Xapian::Error& e) {
      FAIL() << "the index does not open after a kill: " << e.get_description();
    }
    EXPECT_EQ(CheckAll(live), "");
    const server_test::Reply health = server_test::Get(server_.port(), "/api/health");
    ASSERT_EQ(health.status, 200) << health.body;
    EXPECT_EQ(health.Json()["index"]["revision"], revision) << health.body;
    EXPECT_EQ(health.Json()["index"]["passages"], passages) << health.body;
    const server_test::Reply search = server_test::Get(server_.port(), "/api/search?q=museum");
    EXPECT_EQ(search.status, 200) << search.body;
  }

  // The generation a rebuild over `live` would build first.
  static fs::path NextGenerationAbove(const fs::path& live) {
    const std::string name = live.filename().string();
    const int n = std::stoi(name.substr(name.find('@') + 1));
    return live.parent_path() / ("index@" + std::to_string(n + 1));
  }

  void StartServer() {
    const std::string error = server_.Start(
        {"--index", index_.string(), "--port", "0", "--threads", "2"}, dir_ / "server.err");
    ASSERT_EQ(error, "");
  }

  // Only the live generation, the one before it, the link and the lock are
  // left beside the index.
  void ExpectNoLeftovers() {
    const std::string live = fs::read_symlink(index_).string();
    int generations = 0;
    for (const auto& entry : fs::directory_iterator(index_.parent_path())) {
      const std::string name = entry.path().filename().string();
      if (name == "index" || name == "index.lock") continue;
      EXPECT_EQ(name.rfind("index@", 0), 0u) << "left over: " << name;
      ++generations;
    }
    EXPECT_LE(generations, 2) << "live " << live;
  }

  // Kills land anywhere: in the first build, its compaction, the runs that
  // finish it, and incremental runs over an edited corpus (each round edits a
  // few percent of the documents first). Then one run finishes the work and
  // the index is the one an uninterrupted run builds from the final corpus.
  void KillRunsThenFinish();

  unsigned seed_ = 0;
  int docs_ = 0;
  int kills_ = 0;
  int shards_ = 1;
  std::mt19937 rng_;
  CorpusState state_;
  fs::path reference_;
  server_test::Server server_;
};

// --------------------------------------------------------------- the tests

void CrashTest::KillRunsThenFinish() {
  const double full = BuildReference();  // of the first corpus: how long a run takes
  std::cerr << "[ crash    ] an uninterrupted build takes " << full << " s\n";
  StartServer();

  // Each kill comes at a random moment of what the last finished run took.
  double typical = full;
  int killed = 0, finished = 0;
  std::mt19937 edits(seed_ + 1);
  for (int round = 0; killed < kills_ && round < 4 * kills_; ++round) {
    if (round > 0) {
      const CorpusState next = Mutate(state_, edits);
      WriteState(corpus_, next, state_);
      state_ = next;
    }
    const auto delay = RandomMoment(typical);
    double seconds = 0;
    if (RunAndKill(IndexArgs({"--json", "--shards", std::to_string(shards_)}), delay, &seconds)) {
      ++killed;
      CheckAfterKill("round " + std::to_string(round) + ", killed after " +
                     std::to_string(delay.count() / 1000) + " ms");
    } else {
      ++finished;
      typical = seconds;
    }
    if (HasFatalFailure()) return;
  }
  std::cerr << "[ crash    ] " << killed << " kills survived, " << finished
            << " runs finished before their moment\n";
  EXPECT_GE(killed, kills_);

  const json finish = Index(0);
  EXPECT_EQ(finish["failed"], json::array());
  const json again = Index(0);
  EXPECT_EQ(again["added"], 0) << again.dump();
  EXPECT_EQ(again["updated"], 0) << again.dump();
  EXPECT_EQ(again["deleted"], 0) << again.dump();
  EXPECT_EQ(CheckAll(fs::canonical(index_)), "");
  ExpectNoLeftovers();

  BuildReference();  // of the final corpus
  const auto expected = FingerprintOf(reference_);
  const auto got = FingerprintOf(index_);
  EXPECT_TRUE(expected == got) << "differences (reference vs killed):\n"
                               << Differences(expected, got);
  server_test::Server reference_server;
  ASSERT_EQ(
      reference_server.Start({"--index", reference_.string(), "--port", "0", "--threads", "2"},
                             dir_ / "reference-server.err"),
      "");
  for (const std::string& q : kQueries) {
    EXPECT_EQ(Results(server_.port(), q), Results(reference_server.port(), q)) << q;
  }
  EXPECT_EQ(reference_server.Stop(), 0);
  EXPECT_EQ(server_.Stop(), 0);
}

TEST_F(CrashTest, KilledRunsConvergeToTheUninterruptedIndex) { KillRunsThenFinish(); }

// The same over 3 shards, each batch committed shard by shard (shard 0 last):
// a kill between two shards' commits is finished by the next run too.
TEST_F(CrashTest, KilledShardedRunsConvergeToTheUninterruptedIndex) {
  shards_ = 3;
  KillRunsThenFinish();
}

// A --rebuild killed anywhere leaves the live index as it was (or, killed
// after its swap, the complete new generation); the next run removes what
// the killed ones left.
TEST_F(CrashTest, KilledRebuildLeavesTheLiveIndexAndTheNextRunCleansUp) {
  const auto start = Clock::now();
  Index(0);
  const double full = std::chrono::duration<double>(Clock::now() - start).count();
  const auto expected = Fingerprint(Open());
  StartServer();

  int killed = 0, swapped = 0, partial = 0;
  for (int round = 0; round < std::max(3, kills_); ++round) {
    const fs::path live = fs::canonical(index_);
    const unsigned long revision = Open().get_revision();
    const auto delay = RandomMoment(1.5 * full);  // a rebuild also compacts
    const bool was_killed = RunAndKill(IndexArgs({"--json", "--rebuild"}), delay);
    killed += was_killed;
    const std::string when = "round " + std::to_string(round) + ", after " +
                             std::to_string(delay.count() / 1000) + " ms";
    SCOPED_TRACE(when);
    if (fs::canonical(index_) == live) {
      EXPECT_EQ(Open().get_revision(), revision);
      EXPECT_FALSE(!was_killed) << "a finished rebuild swaps in a new generation";
    } else {
      ++swapped;
    }
    const fs::path above = NextGenerationAbove(fs::canonical(index_));
    partial += fs::exists(above);
    EXPECT_TRUE(expected == Fingerprint(Open())) << Differences(expected, Fingerprint(Open()));
    CheckAfterKill(when);
    if (HasFatalFailure()) return;
  }
  std::cerr << "[ crash    ] " << killed << " rebuilds killed (" << partial
            << " leaving a partial generation), " << swapped << " swapped in\n";

  const json next = Index(0);
  EXPECT_EQ(next["added"], 0) << next.dump();
  ExpectNoLeftovers();
  EXPECT_TRUE(expected == Fingerprint(Open()));
  EXPECT_EQ(server_.Stop(), 0);
}

// ----------------------------------------------------------------- disk full

// A small tmpfs holds the index: the first corpus fits, ten times more does
// not. Needs the right to mount (root); skipped otherwise.
class DiskFullTest : public IndexerCliTest {
 protected:
  void SetUp() override {
    IndexerCliTest::SetUp();
    disk_ = dir_ / "disk";
    fs::create_directories(disk_);
    if (::mount("tmpfs", disk_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "size=3m") != 0) {
      GTEST_SKIP() << "cannot mount a tmpfs here (" << std::strerror(errno)
                   << "); the full-disk test needs root";
    }
    mounted_ = true;
    index_ = disk_ / "index";
  }
  void TearDown() override {
    if (mounted_) ::umount2(disk_.c_str(), MNT_DETACH);
  }
  fs::path disk_;
  bool mounted_ = false;
};

TEST_F(DiskFullTest, FullDiskFailsClearlyAndKeepsTheCommittedIndex) {
  for (int doc = 0; doc < 40; ++doc) Write(DocumentPath(doc), DocumentText(doc, 1));
  Index(0);
  const unsigned documents = Open().get_doccount();
  ASSERT_GT(documents, 0u);

  for (int doc = 40; doc < 4000; ++doc) Write(DocumentPath(doc), DocumentText(doc, 1));
  const RunResult full = Run(IndexArgs());
  EXPECT_EQ(full.exit_code, 2) << full.err;
  EXPECT_NE(full.err.find("no space left on the device"), std::string::npos) << full.err;
  const json report = full.Json();
  EXPECT_EQ(report["error"]["code"], "io_error") << full.out;

  // The index opens at a committed revision, passes xapian-check, and still
  // holds what it held (and perhaps the batches committed before the disk
  // filled).
  const Xapian::Database db = Open();
  EXPECT_GE(db.get_doccount(), documents);
  EXPECT_EQ(XapianCheck(fs::canonical(index_), dir_ / "scratch" / "check.log"), "");

  // Once the disk is larger, a run finishes the work.
  ASSERT_EQ(
      ::mount("tmpfs", disk_.c_str(), "tmpfs", MS_REMOUNT | MS_NOSUID | MS_NODEV, "size=256m"), 0)
      << std::strerror(errno);
  const json fixed = Index(0);
  EXPECT_EQ(fixed["failed"], json::array());
  EXPECT_EQ(DistinctDocuments(Open()), 4000);
  EXPECT_EQ(XapianCheck(fs::canonical(index_), dir_ / "scratch" / "check.log"), "");
}

}  // namespace
}  // namespace sarea::indexer_test
