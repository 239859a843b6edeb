// Tests for the life of an index across sarea-index runs: --rebuild swaps in
// new generations while readers keep working, a second writer fails while the
// lock is held, a killed run leaves a usable index, and the progress bar is
// drawn only on a terminal. See indexer_fixture.h.
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <xapian.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/indexer/indexer_fixture.h"

namespace sarea::indexer_test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;
using test_support::Exited;

// --------------------------------------------------------------- rebuilding

// A build from empty is compacted into the next generation, which replaces
// the one it was built in: a first build ends at index@2, each rebuild builds
// one generation and swaps in the next.
TEST_F(IndexerCliTest, RebuildSwapsInNewGenerationsAndKeepsOnlyThePrevious) {
  CopySeed();
  const json first = Index(0);
  EXPECT_EQ(first["compacted"], true);
  ASSERT_TRUE(fs::is_symlink(index_));
  EXPECT_EQ(fs::read_symlink(index_), "index@2");
  EXPECT_FALSE(fs::exists(index_.parent_path() / "index@1"));
  const Xapian::Database before = Open();

  for (int generation = 4; generation <= 6; generation += 2) {
    const Child child = Start(IndexArgs({"--json", "--rebuild"}));
    while (!Exited(child.pid)) {  // readers can open the index throughout
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
    EXPECT_EQ(report["compacted"], true);
    EXPECT_FALSE(fs::exists(index_.parent_path() / ("index@" + std::to_string(generation - 1))));
    EXPECT_EQ(report["added"], 1);
    EXPECT_EQ(report["passages"], json({{"en", 5}, {"es", 5}}));
    EXPECT_EQ(fs::read_symlink(index_), "index@" + std::to_string(generation));
    EXPECT_EQ(Open().get_doccount(), 10u);
    if (generation == 4) {
      EXPECT_EQ(before.get_doccount(), 10u);  // readers of the old generation still work
    }
  }
  EXPECT_FALSE(fs::exists(index_.parent_path() / "index@2"));
  EXPECT_TRUE(fs::is_directory(index_.parent_path() / "index@4"));

  // An incremental run writes into the live generation, uncompacted.
  Write("more.txt", "One more paragraph about the network's cities.\n");
  const json more = Index(0);
  EXPECT_EQ(more["added"], 1);
  EXPECT_EQ(more["compacted"], false);
  EXPECT_EQ(fs::read_symlink(index_), "index@6");
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

// A run killed between making its swap link and renaming it over the index
// leaves "index.swap-<pid>"; the next run removes it (and a partial generation
// above the live one), and leaves anything else beside the index alone.
TEST_F(IndexerCliTest, NextRunRemovesWhatAKilledSwapLeft) {
  CopySeed();
  Index(0);
  const fs::path dir = index_.parent_path();
  fs::create_symlink("index@2", dir / "index.swap-4242");
  fs::create_directories(dir / "index@3");
  Write("more.txt", EnglishText("lighthouse"));
  Index(0);
  EXPECT_FALSE(fs::exists(fs::symlink_status(dir / "index.swap-4242")));
  EXPECT_FALSE(fs::exists(dir / "index@3"));
  EXPECT_EQ(fs::read_symlink(index_), "index@2");
}

// ------------------------------------------------------------------ locking

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
    for (; !committed && !Exited(child.pid); std::this_thread::sleep_for(5ms)) {
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
}  // namespace sarea::indexer_test
