// Tests for the sarea-index binary (indexer/main.cc): each test runs the real
// program as a child process on a corpus in its own temporary directory and
// checks the exit code, the --json report and the index it leaves on disk.
#include <fcntl.h>
#include <linux/capability.h>
#include <pty.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <xapian.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/analyzer.h"
#include "common/schema.h"

namespace sarea::indexer {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr char kIndexer[] = SAREA_BIN_DIR "/sarea-index";
constexpr char kSeedFile[] = "creative-cities-network.txt";

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
  ASSERT_TRUE(out.good()) << path;
}

// An English paragraph long enough for the language identifier to be sure.
std::string EnglishText(const std::string& word) {
  return "The " + word +
         " was the subject of a long conversation between the neighbours, who "
         "agreed that the whole town should know about it before the winter.\n";
}

struct RunResult {
  int exit_code = -1;  // 128 + signal when killed
  std::string out;
  std::string err;

  json Json() const { return json::parse(out, nullptr, /*allow_exceptions=*/false); }
};

// A started sarea-index whose stdout and stderr go to files.
struct Child {
  pid_t pid = -1;
  fs::path out;
  fs::path err;
  bool without_read_override = false;  // root, but unable to read 0000 files
  int err_fd = -1;                     // when >= 0, stderr goes here instead of `err`
};

// Drops root's power to read any file from the bounding set, so the exec'd
// indexer meets file permissions like any user (CI runs as root).
void DropReadOverride() {
  ::prctl(PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, 0, 0, 0);
  ::prctl(PR_CAPBSET_DROP, CAP_DAC_READ_SEARCH, 0, 0, 0);
}

// Runs sarea-index in `cwd` with stdout and stderr to the files named in `child`.
void Spawn(const std::vector<std::string>& args, const fs::path& cwd, Child& child) {
  std::vector<std::string> argv_strings = {kIndexer};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_strings) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const std::string out = child.out.string(), err = child.err.string(), dir = cwd.string();
  const bool drop = child.without_read_override;
  const int given_err_fd = child.err_fd;
  child.pid = ::fork();
  if (child.pid == 0) {  // only async-signal-safe calls from here
    if (drop) DropReadOverride();
    const int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err_fd =
        given_err_fd >= 0 ? given_err_fd : ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out_fd < 0 || err_fd < 0 || ::dup2(out_fd, 1) < 0 || ::dup2(err_fd, 2) < 0 ||
        (!dir.empty() && ::chdir(dir.c_str()) != 0)) {
      ::_exit(127);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  EXPECT_GT(child.pid, 0) << "fork failed";
}

RunResult Wait(const Child& child) {
  int status = 0;
  RunResult result;
  if (::waitpid(child.pid, &status, 0) != child.pid) return result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = ReadAll(child.out);
  result.err = ReadAll(child.err);
  return result;
}

// True once the child has exited (it is left to Wait to reap it).
bool Exited(const Child& child) {
  siginfo_t info{};
  ::waitid(P_PID, child.pid, &info, WEXITED | WNOHANG | WNOWAIT);
  return info.si_pid == child.pid;
}

// Everything read from `fd` until the other side is gone (EIO for a
// pseudo-terminal whose last slave descriptor was closed, 0 for a pipe).
std::string ReadUntilClosed(int fd) {
  std::string bytes;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      bytes.append(buf, static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return bytes;
    }
  }
}

// Every spelling the index has seen (form terms), in any language.
bool IndexHasWord(const Xapian::Database& db, const std::string& word) {
  for (auto it = db.allterms_begin(schema::kFormPrefix); it != db.allterms_end(schema::kFormPrefix);
       ++it) {
    if (schema::WordOfFormTerm(*it) == word) return true;
  }
  return false;
}

// Passages of document `doc_id` (a path or a jsonl id), of `lang` when given.
int PassagesOf(const Xapian::Database& db, const std::string& doc_id,
               const std::string& lang = "") {
  Xapian::Query query(schema::DocTerm(doc_id));
  if (!lang.empty()) query = Xapian::Query(Xapian::Query::OP_AND, query, schema::LangTerm(lang));
  Xapian::Enquire enquire(db);
  enquire.set_query(query);
  return static_cast<int>(enquire.get_mset(0, 10000).size());
}

int DistinctDocuments(const Xapian::Database& db) {
  int n = 0;
  for (auto it = db.allterms_begin(schema::kDocPrefix); it != db.allterms_end(schema::kDocPrefix);
       ++it) {
    ++n;
  }
  return n;
}

// The reason given for `path` in a report's "failed", or "" when it is not there.
std::string FailureReason(const json& report, const std::string& path) {
  for (const json& failure : report.value("failed", json::array())) {
    if (failure.value("path", "") == path) return failure.value("reason", "");
  }
  return "";
}

class IndexerCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "sarea_cli_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    corpus_ = dir_ / "corpus";
    index_ = dir_ / "idx" / "index";
    fs::create_directories(corpus_);
    fs::create_directories(dir_ / "scratch");
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  void Write(const std::string& rel, const std::string& bytes) { WriteAll(corpus_ / rel, bytes); }
  void CopySeed() {
    fs::copy_file(fs::path(SAREA_SOURCE_DIR) / "corpus" / kSeedFile, corpus_ / kSeedFile);
  }

  std::vector<std::string> IndexArgs(std::vector<std::string> extra = {"--json"}) const {
    std::vector<std::string> args = {"--corpus", corpus_.string(), "--index", index_.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
  Child Start(const std::vector<std::string>& args) {
    const std::string n = std::to_string(runs_++);
    Child child{-1, dir_ / "scratch" / ("out" + n), dir_ / "scratch" / ("err" + n),
                without_read_override_};
    Spawn(args, dir_, child);
    return child;
  }
  RunResult Run(const std::vector<std::string>& args) { return Wait(Start(args)); }
  // Like Run, but stderr is a pseudo-terminal; `err` is all the terminal got
  // (with its \n turned into \r\n by the line discipline).
  RunResult RunOnTerminal(const std::vector<std::string>& args) {
    int master = -1, terminal = -1;
    if (::openpty(&master, &terminal, nullptr, nullptr, nullptr) != 0) {
      ADD_FAILURE() << "openpty: " << std::strerror(errno);
      return {};
    }
    // Only the child's stderr (dup2 clears the flag) keeps the terminal open.
    ::fcntl(master, F_SETFD, FD_CLOEXEC);
    ::fcntl(terminal, F_SETFD, FD_CLOEXEC);
    const std::string n = std::to_string(runs_++);
    Child child{-1, dir_ / "scratch" / ("out" + n), dir_ / "scratch" / ("err" + n),
                without_read_override_, terminal};
    Spawn(args, dir_, child);
    ::close(terminal);  // so that reading ends once the child has exited
    const std::string shown = ReadUntilClosed(master);
    ::close(master);
    RunResult result = Wait(child);
    result.err = shown;
    return result;
  }
  // One --json run; fails the test unless stdout is a JSON object.
  json Index(int expected_exit, std::vector<std::string> extra = {}) {
    extra.push_back("--json");
    const RunResult run = Run(IndexArgs(extra));
    EXPECT_EQ(run.exit_code, expected_exit) << run.err;
    const json report = run.Json();
    EXPECT_TRUE(report.is_object()) << "stdout: " << run.out << "\nstderr: " << run.err;
    return report.is_object() ? report : json::object();
  }
  Xapian::Database Open() const { return Xapian::Database(index_.string()); }

  fs::path dir_;
  fs::path corpus_;
  fs::path index_;
  int runs_ = 0;
  bool without_read_override_ = false;
};

// -------------------------------------------------------------- seed corpus

TEST_F(IndexerCliTest, SeedCorpusIsIndexedOnceThenUnchanged) {
  CopySeed();
  const json first = Index(0);
  EXPECT_EQ(first["added"], 1);
  EXPECT_EQ(first["passages"], json({{"en", 5}, {"es", 5}}));
  EXPECT_EQ(first["failed"], json::array());
  EXPECT_EQ(Open().get_doccount(), 10u);

  const json second = Index(0);
  EXPECT_EQ(second["added"], 0);
  EXPECT_EQ(second["updated"], 0);
  EXPECT_EQ(second["deleted"], 0);
  EXPECT_EQ(second["unchanged"], 1);
  EXPECT_EQ(second["passages"], json({{"en", 5}, {"es", 5}}));

  const RunResult human = Run(IndexArgs({}));
  EXPECT_EQ(human.exit_code, 0) << human.err;
  EXPECT_NE(human.out.find("nothing changed"), std::string::npos) << human.out;
}

TEST_F(IndexerCliTest, ReportHasExactlyTheDocumentedKeys) {
  Write("good.txt", EnglishText("lighthouse"));
  Write("bad.txt", "\xff\xfe");
  const json report = Index(1);
  std::set<std::string> keys;
  for (const auto& item : report.items()) keys.insert(item.key());
  EXPECT_EQ(keys, (std::set<std::string>{"added", "updated", "deleted", "unchanged", "skipped",
                                         "passages", "indexed", "failed", "rebuilt", "seconds"}));
  EXPECT_TRUE(report["passages"].is_object());
  EXPECT_TRUE(report["indexed"].is_object());
  EXPECT_TRUE(report["rebuilt"].is_boolean());
  EXPECT_TRUE(report["seconds"].is_number());
  ASSERT_TRUE(report["failed"].is_array());
  ASSERT_EQ(report["failed"].size(), 1u);
  std::set<std::string> failure_keys;
  for (const auto& item : report["failed"][0].items()) failure_keys.insert(item.key());
  EXPECT_EQ(failure_keys, (std::set<std::string>{"path", "reason"}));
}

// ------------------------------------------------------ incremental updates

TEST_F(IndexerCliTest, AddedFileIsAdded) {
  CopySeed();
  Index(0);
  Write("notes/harbour.txt", EnglishText("lighthouse"));
  const json report = Index(0);
  EXPECT_EQ(report["added"], 1);
  EXPECT_EQ(report["unchanged"], 1);
  EXPECT_TRUE(IndexHasWord(Open(), "lighthouse"));
  EXPECT_GT(PassagesOf(Open(), "notes/harbour.txt"), 0);
}

TEST_F(IndexerCliTest, ChangedFileReplacesItsPassages) {
  Write("a.txt", EnglishText("lighthouse"));
  Index(0);
  ASSERT_TRUE(IndexHasWord(Open(), "lighthouse"));
  Write("a.txt", EnglishText("bakery"));
  const json report = Index(0);
  EXPECT_EQ(report["updated"], 1);
  EXPECT_EQ(report["added"], 0);
  const Xapian::Database db = Open();
  EXPECT_TRUE(IndexHasWord(db, "bakery"));
  EXPECT_FALSE(IndexHasWord(db, "lighthouse"));
  EXPECT_EQ(static_cast<int>(db.get_doccount()), PassagesOf(db, "a.txt"));
}

TEST_F(IndexerCliTest, DeletedFileLosesItsPassages) {
  CopySeed();
  Write("a.txt", EnglishText("lighthouse"));
  Index(0);
  const int before = static_cast<int>(Open().get_doccount());
  const int of_a = PassagesOf(Open(), "a.txt");
  ASSERT_GT(of_a, 0);
  fs::remove(corpus_ / "a.txt");
  const json report = Index(0);
  EXPECT_EQ(report["deleted"], 1);
  EXPECT_EQ(report["unchanged"], 1);
  const Xapian::Database db = Open();
  EXPECT_EQ(static_cast<int>(db.get_doccount()), before - of_a);
  EXPECT_EQ(PassagesOf(db, "a.txt"), 0);
  EXPECT_FALSE(IndexHasWord(db, "lighthouse"));
}

// A new schema or analyzer version re-analyses everything; documents removed
// meanwhile must still be deleted.
TEST_F(IndexerCliTest, VersionChangeStillDeletesRemovedDocuments) {
  Write("a.txt", EnglishText("lighthouse"));
  Write("b.txt", EnglishText("bakery"));
  Write("r.jsonl", R"({"id":"x","text":"The harbour of the old town is full of fishing boats."})"
                   "\n"
                   R"({"id":"y","text":"The museum of the old town opens every morning at nine."})"
                   "\n");
  Index(0);
  {
    Xapian::WritableDatabase db(index_.string());
    db.set_metadata(schema::kMetaAnalyzerVersion, std::to_string(kAnalyzerVersion - 1));
    db.commit();
  }
  fs::remove(corpus_ / "b.txt");
  Write("r.jsonl", R"({"id":"x","text":"The harbour of the old town is full of fishing boats."})"
                   "\n");
  const json report = Index(0);
  EXPECT_EQ(report["updated"], 2);  // a.txt and x, re-analysed
  EXPECT_EQ(report["deleted"], 2);  // b.txt and y
  const Xapian::Database db = Open();
  EXPECT_EQ(PassagesOf(db, "b.txt"), 0);
  EXPECT_EQ(PassagesOf(db, "y"), 0);
  EXPECT_EQ(DistinctDocuments(db), 2);
  Index(0);  // y's file record now lists only x: nothing would ever delete y
  EXPECT_EQ(PassagesOf(Open(), "y"), 0);
}

// --------------------------------------------------------------- rebuilding

TEST_F(IndexerCliTest, RebuildSwapsInNewGenerationsAndKeepsOnlyThePrevious) {
  CopySeed();
  Index(0);
  ASSERT_TRUE(fs::is_symlink(index_));
  EXPECT_EQ(fs::read_symlink(index_), "index@1");
  const Xapian::Database before = Open();

  for (int generation = 2; generation <= 3; ++generation) {
    const Child child = Start(IndexArgs({"--json", "--rebuild"}));
    while (!Exited(child)) {  // readers can open the index throughout
      try {
        EXPECT_EQ(Open().get_doccount(), 10u);
      } catch (const Xapian::Error& e) {
        ADD_FAILURE() << "index not openable during rebuild: " << e.get_description();
      }
      std::this_thread::sleep_for(5ms);
    }
    const RunResult run = Wait(child);
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const json report = run.Json();
    EXPECT_EQ(report["rebuilt"], true);
    EXPECT_EQ(report["added"], 1);
    EXPECT_EQ(report["passages"], json({{"en", 5}, {"es", 5}}));
    EXPECT_EQ(fs::read_symlink(index_), "index@" + std::to_string(generation));
    EXPECT_EQ(Open().get_doccount(), 10u);
    if (generation == 2) {
      EXPECT_EQ(before.get_doccount(), 10u);  // readers of the old generation still work
    }
  }
  EXPECT_FALSE(fs::exists(index_.parent_path() / "index@1"));
  EXPECT_TRUE(fs::is_directory(index_.parent_path() / "index@2"));
}

// index_store.h: a plain database directory at the path is moved aside on
// rebuild "to become a generation", and the previous generation is kept.
TEST_F(IndexerCliTest, RebuildKeepsAPlainIndexDirectoryAsThePreviousGeneration) {
  CopySeed();
  Index(0);
  const fs::path live = fs::canonical(index_);
  fs::remove(index_);
  fs::rename(live, index_);  // now a plain Xapian directory, made "by another tool"
  ASSERT_EQ(Open().get_doccount(), 10u);

  Index(0, {"--rebuild"});
  ASSERT_TRUE(fs::is_symlink(index_));
  int kept = 0;
  for (const auto& entry : fs::directory_iterator(index_.parent_path())) {
    if (entry.path().filename().string().rfind("index@", 0) == 0 &&
        entry.path() != fs::canonical(index_)) {
      ++kept;
      EXPECT_EQ(Xapian::Database(entry.path().string()).get_doccount(), 10u);
    }
  }
  EXPECT_EQ(kept, 1) << "the replaced plain index should be kept as the previous generation";
}

// ---------------------------------------------------------------- bad files

TEST_F(IndexerCliTest, BadFilesAreReportedAndGoodOnesStillIndexed) {
  using namespace std::string_literals;
  const struct {
    const char* path;
    std::string bytes;
    const char* reason;
  } kCases[] = {
      {"utf8.txt", "caf\xc3\xa9 \xff bad", "invalid UTF-8 at byte 6"},
      {"binary.txt", "text\0with\0nul"s, "binary file"},
      {"binary.md",
       "\x7f"
       "ELF\0\0\0"s,
       "binary file"},
      {"empty.txt", "", "empty file"},
      {"blank.txt", " \n\t\r\n  \n", "empty file"},
      {"blank.html", "   \n", "empty file"},
      {"large.txt", std::string(2000, 'a') + "\n", "file too large"},
  };
  for (const auto& c : kCases) Write(c.path, c.bytes);
  Write("good.txt", EnglishText("lighthouse"));
  Write("image.png", "\x89PNG\r\n\x1a\n\0\0"s);
  Write("paper.pdf", "%PDF-1.4\n");

  const json report = Index(1, {"--max-file-size", "1000"});
  for (const auto& c : kCases) {
    EXPECT_NE(FailureReason(report, c.path).find(c.reason), std::string::npos)
        << c.path << ": " << report["failed"].dump();
  }
  EXPECT_EQ(report["failed"].size(), std::size(kCases));
  EXPECT_EQ(report["added"], 1);
  EXPECT_EQ(report["skipped"], 2);
  EXPECT_TRUE(IndexHasWord(Open(), "lighthouse"));
}

TEST_F(IndexerCliTest, FileOverTheDefaultLimitIsReportedTooLarge) {
  Write("good.txt", EnglishText("lighthouse"));
  Write("huge.txt", "");
  ASSERT_EQ(::truncate((corpus_ / "huge.txt").c_str(), 100 << 20), 0);  // sparse: fast
  const json report = Index(1);
  EXPECT_NE(FailureReason(report, "huge.txt").find("file too large"), std::string::npos)
      << report.dump();
  EXPECT_EQ(report["added"], 1);
}

TEST_F(IndexerCliTest, UnreadableFileIsReported) {
  Write("good.txt", EnglishText("lighthouse"));
  Write("secret.txt", EnglishText("bakery"));
  fs::permissions(corpus_ / "secret.txt", fs::perms::none);
  without_read_override_ = true;  // as root, the indexer could read it anyway
  const json report = Index(1);
  EXPECT_NE(FailureReason(report, "secret.txt").find("permission denied"), std::string::npos)
      << report.dump();
  EXPECT_EQ(report["added"], 1);
}

TEST_F(IndexerCliTest, BadJsonlLineIsReportedAndTheOtherRecordsIndexed) {
  Write("records.jsonl", R"({"id":"r1","text":"The harbour of the old town is full of boats."})"
                         "\n{this is not json\n"
                         R"({"id":"r2","text":"The museum of the old town opens at nine."})"
                         "\n");
  const json report = Index(1);
  EXPECT_EQ(report["added"], 2);
  EXPECT_NE(FailureReason(report, "records.jsonl").find("line 2"), std::string::npos)
      << report.dump();
  EXPECT_GT(PassagesOf(Open(), "r1"), 0);
  EXPECT_GT(PassagesOf(Open(), "r2"), 0);
}

TEST_F(IndexerCliTest, IndexedFileThatTurnsBadKeepsItsPassages) {
  const struct {
    const char* name;
    std::string bytes;
    const char* reason;
  } kCases[] = {
      {"invalid UTF-8", "\xff\xfe broken", "invalid UTF-8"},
      {"emptied", "", "empty file"},
      {"grown too large", std::string(5000, 'a'), "file too large"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    Write("a.txt", EnglishText("lighthouse"));
    Index(0, {"--max-file-size", "1000"});
    const int passages = PassagesOf(Open(), "a.txt");
    ASSERT_GT(passages, 0);
    Write("a.txt", c.bytes);
    const json report = Index(1, {"--max-file-size", "1000"});
    EXPECT_NE(FailureReason(report, "a.txt").find(c.reason), std::string::npos) << report.dump();
    EXPECT_EQ(report["deleted"], 0);
    EXPECT_EQ(PassagesOf(Open(), "a.txt"), passages);
    EXPECT_TRUE(IndexHasWord(Open(), "lighthouse"));
  }
}

// ----------------------------------------------------- corpus walk, formats

TEST_F(IndexerCliTest, HiddenFilesAndDirectoriesAreIgnored) {
  Write("a.txt", EnglishText("lighthouse"));
  Write(".git/x.txt", EnglishText("bakery"));
  Write(".git/config", "[core]\n");
  Write(".hidden.txt", EnglishText("windmill"));
  Write("sub/.cache/y.md", EnglishText("orchard"));
  const json report = Index(0);
  EXPECT_EQ(report["added"], 1);
  EXPECT_EQ(report["skipped"], 0);
  EXPECT_EQ(report["failed"], json::array());
  EXPECT_EQ(DistinctDocuments(Open()), 1);
}

// A symbolic link to a file is followed (the walk keeps what is_regular_file
// accepts) and is a document of its own, under the link's path.
TEST_F(IndexerCliTest, SymlinkedFileIsIndexedUnderItsOwnPath) {
  Write("a.txt", EnglishText("lighthouse"));
  fs::create_symlink("a.txt", corpus_ / "b.txt");
  const json report = Index(0);
  EXPECT_EQ(report["failed"], json::array());
  EXPECT_EQ(report["added"], 2);
  EXPECT_GT(PassagesOf(Open(), "b.txt"), 0);
}

TEST_F(IndexerCliTest, MarkdownHtmlAndJsonlAreIndexed) {
  Write("guide.md",
        "# Harbour guide\n\nThe lighthouse keeper watched the stormy harbour every night, "
        "and the fishermen trusted him with their lives.\n");
  Write("pagina.html",
        "<!doctype html><html lang=\"es\"><head><title>Panadería</title></head><body>"
        "<p>La panadería del pueblo prepara pan fresco y pasteles todas las mañanas para "
        "los vecinos del barrio.</p></body></html>");
  Write("records.jsonl",
        R"({"id":"r1","text":"The museum of the old town opens every morning at nine."})"
        "\n"
        R"({"id":"r2","lang":"es","text":"El museo de la ciudad abre todas las mañanas."})"
        "\n");
  const json report = Index(0);
  EXPECT_EQ(report["added"], 4);
  const Xapian::Database db = Open();
  EXPECT_GT(PassagesOf(db, "guide.md", "en"), 0);
  const int html = PassagesOf(db, "pagina.html");
  EXPECT_GT(html, 0);
  EXPECT_EQ(PassagesOf(db, "pagina.html", "es"), html);
  EXPECT_GT(PassagesOf(db, "r1", "en"), 0);
  EXPECT_GT(PassagesOf(db, "r2", "es"), 0);
  EXPECT_TRUE(IndexHasWord(db, "panadería"));
}

// ------------------------------------------------------------- progress bar

// progress.h: the bar is drawn on stderr only when it is a terminal, and
// main.cc turns it off for --quiet and --json.
constexpr int kProgressFiles = 30;

class IndexerProgressTest : public IndexerCliTest {
 protected:
  void SetUp() override {
    IndexerCliTest::SetUp();
    for (int i = 0; i < kProgressFiles; ++i) {
      Write("f" + std::to_string(i) + ".txt", EnglishText("item" + std::to_string(i)));
    }
  }
};

TEST_F(IndexerProgressTest, BarIsDrawnWhenStderrIsATerminal) {
  const RunResult run = RunOnTerminal(IndexArgs({}));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  // The last file is always drawn, whatever the rate limit skipped.
  EXPECT_NE(run.err.find("\r[" + std::string(30, '#') + "] 30/30 files "), std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("files/s"), std::string::npos) << run.err;
  EXPECT_NE(run.out.find("sarea-index: 30 added"), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find("files/s"), std::string::npos) << "the bar is not on stdout";
}

TEST_F(IndexerProgressTest, QuietDrawsNoBarAndNoSummaryOnATerminal) {
  const RunResult run = RunOnTerminal(IndexArgs({"--quiet"}));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err.find("files/s"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("\r["), std::string::npos) << run.err;
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(DistinctDocuments(Open()), kProgressFiles);
}

TEST_F(IndexerProgressTest, JsonDrawsNoBarOnATerminal) {
  const RunResult run = RunOnTerminal(IndexArgs({"--json"}));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err.find("files/s"), std::string::npos) << run.err;
  const json report = run.Json();
  ASSERT_TRUE(report.is_object()) << run.out;
  EXPECT_EQ(report["added"], kProgressFiles);
}

TEST_F(IndexerProgressTest, NoBarWhenStderrIsNotATerminal) {
  const RunResult run = Run(IndexArgs({}));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err.find("\r["), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("files/s"), std::string::npos) << run.err;
  EXPECT_NE(run.out.find("sarea-index: 30 added"), std::string::npos) << run.out;
}

// ------------------------------------------------------ locking, usage, exit

TEST_F(IndexerCliTest, SecondWriterFailsWhileTheLockIsHeld) {
  CopySeed();
  fs::create_directories(index_.parent_path());
  const std::string lock_path = index_.string() + ".lock";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  const RunResult locked = Run(IndexArgs());
  EXPECT_EQ(locked.exit_code, 2);
  EXPECT_NE(locked.err.find("locked"), std::string::npos) << locked.err;
  ::close(fd);

  const RunResult unlocked = Run(IndexArgs());
  EXPECT_EQ(unlocked.exit_code, 0) << unlocked.err;
  EXPECT_EQ(unlocked.Json()["added"], 1);
}

TEST_F(IndexerCliTest, UsageErrorsExitTwoAndHelpExitsZero) {
  const RunResult unknown = Run({"--no-such-flag"});
  EXPECT_EQ(unknown.exit_code, 2) << unknown.err;

  const fs::path missing = dir_ / "no-such-corpus";
  const RunResult no_corpus =
      Run({"--corpus", missing.string(), "--index", index_.string(), "--quiet"});
  EXPECT_EQ(no_corpus.exit_code, 2);
  EXPECT_NE(no_corpus.err.find(missing.string() + " does not exist"), std::string::npos)
      << no_corpus.err;
  EXPECT_FALSE(fs::exists(index_.parent_path())) << "nothing is created for a usage error";

  const RunResult help = Run({"--help"});
  EXPECT_EQ(help.exit_code, 0) << help.err;
  EXPECT_NE(help.out.find("--rebuild"), std::string::npos) << help.out;
}

// ------------------------------------------------------------------ analyze

TEST_F(IndexerCliTest, AnalyzePrintsOneJsonLinePerPassageAndWritesNoIndex) {
  CopySeed();
  const RunResult run = Run({"--analyze", (corpus_ / kSeedFile).string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<json> lines;
  std::istringstream out(run.out);
  for (std::string line; std::getline(out, line);)
    lines.push_back(json::parse(line, nullptr, false));
  ASSERT_EQ(lines.size(), 10u) << run.out;
  std::map<std::string, int> by_lang;
  for (const json& line : lines) {
    ASSERT_TRUE(line.is_object());
    std::set<std::string> keys;
    for (const auto& item : line.items()) keys.insert(item.key());
    EXPECT_EQ(keys, (std::set<std::string>{"doc", "passage", "lang", "text", "terms"}));
    ++by_lang[line.value("lang", "")];
  }
  EXPECT_EQ(by_lang, (std::map<std::string, int>{{"en", 5}, {"es", 5}}));
  const std::string fourth = lines[3].value("text", "");
  for (const char* bullet : {"Strengthen the creation", "Develop centers of creativity",
                             "Improve access to and participation", "Fully integrate culture"}) {
    EXPECT_NE(fourth.find(bullet), std::string::npos) << bullet << " not in: " << fourth;
  }
  EXPECT_FALSE(fs::exists(dir_ / "data")) << "--analyze must not create the default index";
}

// -------------------------------------------------------------- kill safety

constexpr int kManyFiles = 300;  // more than one batch of 200

class KilledIndexerTest : public IndexerCliTest {
 protected:
  void SetUp() override {
    IndexerCliTest::SetUp();
    for (int i = 0; i < kManyFiles; ++i) {
      Write("notes/note" + std::to_string(i) + ".txt", EnglishText("item" + std::to_string(i)));
    }
  }
  // Starts an indexing run and kills it as soon as a reader sees its first
  // committed batch; false if it finished first.
  bool KillAfterFirstCommit() {
    const Child child = Start(IndexArgs());
    bool committed = false;
    for (; !committed && !Exited(child); std::this_thread::sleep_for(5ms)) {
      try {
        committed = Open().get_doccount() > 0;
      } catch (const Xapian::Error&) {  // not created yet
      }
    }
    ::kill(child.pid, SIGKILL);
    return Wait(child).exit_code == 128 + SIGKILL;
  }
  void ExpectIndexOpensOrIsAbsent() {
    if (!fs::exists(fs::symlink_status(index_))) return;
    try {
      Open();
    } catch (const Xapian::Error& e) {
      ADD_FAILURE() << "index does not open after a kill: " << e.get_description();
    }
  }
};

TEST_F(KilledIndexerTest, KilledRunLeavesAnOpenableIndexAndTheNextRunFinishes) {
  const Child early = Start(IndexArgs());
  std::this_thread::sleep_for(150ms);
  ::kill(early.pid, SIGKILL);
  Wait(early);
  ExpectIndexOpensOrIsAbsent();
  KillAfterFirstCommit();
  ExpectIndexOpensOrIsAbsent();

  const json finish = Index(0);
  EXPECT_EQ(finish["failed"], json::array());
  const json check = Index(0);
  EXPECT_EQ(check["unchanged"], kManyFiles);
  EXPECT_EQ(check["added"], 0);
  EXPECT_EQ(check["updated"], 0);
  EXPECT_EQ(DistinctDocuments(Open()), kManyFiles);
}

// indexer.h: "a killed run leaves the last committed state and the next run
// finishes the work": files of committed batches are not analysed again.
TEST_F(KilledIndexerTest, RunAfterAKillOnlyIndexesWhatWasNotCommitted) {
  if (!KillAfterFirstCommit()) GTEST_SKIP() << "the run finished before it could be killed";
  const int committed = DistinctDocuments(Open());
  ASSERT_GT(committed, 0);
  const json finish = Index(0);
  EXPECT_EQ(finish["updated"], 0) << finish.dump();
  EXPECT_EQ(finish["unchanged"], committed);
  EXPECT_EQ(finish["added"], kManyFiles - committed);
}

}  // namespace
}  // namespace sarea::indexer
