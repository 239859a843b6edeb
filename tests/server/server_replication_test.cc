// Read replicas with Xapian's own replication: the indexer host serves its
// index with xapian-replicate-server; two replicas copy it with
// xapian-replicate, each with a sarea-serve over its copy. After the corpus
// changes and is indexed again, one more replication brings both replicas to
// the new revision, which their servers answer without a restart.
#include <stdlib.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/server/server_fixture.h"

namespace sarea::server_test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test_support::TempDir;

class ReplicationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = temp_.path();
    // Changesets let a replica take only what a commit changed.
    ::setenv("XAPIAN_MAX_CHANGESETS", "10", 1);
    WriteCorpus(dir_ / "corpus");
    ASSERT_EQ(Index(), 0);
    port_ = FreeLoopbackPort();
    test_support::SpawnOptions options;
    options.program = "/usr/bin/xapian-replicate-server";
    options.args = {"--interface", "127.0.0.1", "--port", std::to_string(port_),
                    (dir_ / "master").string()};
    options.out = {dir_ / "replicate-server.log", true};
    options.err = {dir_ / "replicate-server.log", true};
    master_ = test_support::Spawn(options);
    for (int i = 0; i < 200 && !AcceptsConnections(port_); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_TRUE(AcceptsConnections(port_)) << test_support::ReadAll(dir_ / "replicate-server.log");
  }
  void TearDown() override {
    ::unsetenv("XAPIAN_MAX_CHANGESETS");
    test_support::Kill(master_);
  }

  int Index() {
    return RunIndexer({"--corpus", (dir_ / "corpus").string(), "--index",
                       (dir_ / "master/index").string(), "--quiet"},
                      dir_ / "index.log");
  }

  // One xapian-replicate pass of the master's "index" into replica `n`.
  int Replicate(int n) {
    test_support::SpawnOptions options;
    options.program = "/usr/bin/xapian-replicate";
    options.args = {"--host=127.0.0.1", "--port=" + std::to_string(port_),
                    "--master=index",   "--one-shot",
                    "--quiet",          (dir_ / ("replica-" + std::to_string(n))).string()};
    options.out = {dir_ / "replicate.log", true};
    options.err = {dir_ / "replicate.log", true};
    return test_support::WaitAtMost(test_support::Spawn(options), std::chrono::seconds(60));
  }

  // The master index's revision and passages.
  json MasterIndex() {
    Server server;
    const std::string error =
        server.Start({"--index", (dir_ / "master/index").string(), "--port", "0", "--threads", "1"},
                     dir_ / "master-serve.err");
    if (!error.empty()) return {{"error", error}};
    json index = Get(server.port(), "/api/health").Json()["index"];
    server.Stop();
    return index;
  }

  TempDir temp_{"sarea-replication-"};
  fs::path dir_;
  int port_ = 0;
  pid_t master_ = -1;
};

// Polls a server's /api/health until it reports `revision` (10 s at most).
json AwaitRevision(const Server& server, const json& revision) {
  json index;
  for (int i = 0; i < 100; ++i) {
    index = Get(server.port(), "/api/health").Json()["index"];
    if (index.is_object() && index["revision"] == revision) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return index;
}

TEST_F(ReplicationTest, ReplicasConvergeOnTheNewRevisionWithoutARestart) {
  ASSERT_EQ(Replicate(0), 0) << test_support::ReadAll(dir_ / "replicate.log");
  ASSERT_EQ(Replicate(1), 0) << test_support::ReadAll(dir_ / "replicate.log");
  Server replicas[2];
  for (int n = 0; n < 2; ++n) {
    ASSERT_EQ(replicas[n].Start({"--index", (dir_ / ("replica-" + std::to_string(n))).string(),
                                 "--port", "0", "--threads", "2"},
                                dir_ / ("replica-" + std::to_string(n) + ".err")),
              "");
  }
  const json before = MasterIndex();
  ASSERT_TRUE(before.contains("revision")) << before.dump();
  for (const Server& replica : replicas) {
    EXPECT_EQ(Get(replica.port(), "/api/health").Json()["index"], before);
    EXPECT_EQ(Get(replica.port(), SearchTarget({{"q", "zeppelinarium"}})).Json()["total"], 0);
  }

  // The corpus changes; the indexer commits a new revision on the master.
  test_support::WriteAll(dir_ / "corpus/en/new.txt",
                         "The zeppelinarium of the harbour opened its doors to the town.\n");
  ASSERT_EQ(Index(), 0) << test_support::ReadAll(dir_ / "index.log");
  const json after = MasterIndex();
  ASSERT_NE(after["revision"], before["revision"]);

  for (int n = 0; n < 2; ++n) {
    ASSERT_EQ(Replicate(n), 0) << test_support::ReadAll(dir_ / "replicate.log");
    EXPECT_EQ(AwaitRevision(replicas[n], after["revision"]), after) << "replica " << n;
    const json found = Get(replicas[n].port(), SearchTarget({{"q", "zeppelinarium"}})).Json();
    EXPECT_EQ(found["total"], 1) << found.dump();
  }
  for (Server& replica : replicas) EXPECT_EQ(replica.Stop(), 0);
}

}  // namespace
}  // namespace sarea::server_test
