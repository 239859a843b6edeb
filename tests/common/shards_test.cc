#include "common/shards.h"

#include <gtest/gtest.h>
#include <xapian.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace sarea {
namespace {

namespace fs = std::filesystem;

class ShardsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("sarea-shards-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path Database(const std::string& name) {
    fs::create_directories((dir_ / name).parent_path());
    Xapian::WritableDatabase(dir_ / name, Xapian::DB_CREATE_OR_OPEN).close();
    return fs::canonical(dir_ / name);
  }
  fs::path Write(const std::string& name, const std::string& text) {
    fs::create_directories((dir_ / name).parent_path());
    std::ofstream(dir_ / name) << text;
    return dir_ / name;
  }
  // The message of a failed ResolveShards, or "" if it succeeded.
  std::string Error(const fs::path& index) {
    const Result<std::vector<ShardSpec>> shards = ResolveShards(index);
    return shards.ok() ? "" : shards.status().message();
  }

  fs::path dir_;
};

TEST_F(ShardsTest, ADatabaseDirectoryIsOneLocalShard) {
  const fs::path db = Database("one");
  const Result<std::vector<ShardSpec>> shards = ResolveShards(dir_ / "one");
  ASSERT_TRUE(shards.ok()) << shards.status().message();
  EXPECT_EQ(*shards, (std::vector<ShardSpec>{{db.string(), "", 0}}));
}

TEST_F(ShardsTest, StubsListLocalAndRemoteShardsInOrder) {
  const fs::path a = Database("a"), b = Database("b");
  Write("stub", "# shards\n\nauto a\nremote search1.example:7001\r\nglass " + b.string() +
                    "\nremote [::1]:7002\n");
  const Result<std::vector<ShardSpec>> shards = ResolveShards(dir_ / "stub");
  ASSERT_TRUE(shards.ok()) << shards.status().message();
  EXPECT_EQ(*shards, (std::vector<ShardSpec>{{a.string(), "", 0},
                                             {"", "search1.example", 7001},
                                             {b.string(), "", 0},
                                             {"", "::1", 7002}}));
  EXPECT_EQ((*shards)[1].Describe(), "remote search1.example:7001");
  EXPECT_EQ((*shards)[3].Describe(), "remote [::1]:7002");
  EXPECT_EQ((*shards)[0].Describe(), a.string());
}

TEST_F(ShardsTest, StubDirectoriesAndStubsWithinStubsAreExpanded) {
  // How sarea-index lays out a sharded generation, and xapian-replicate a replica.
  const fs::path s0 = Database("gen/shard-0"), s1 = Database("gen/shard-1");
  Write("gen/XAPIANDB", "auto shard-0\nauto shard-1\n");
  fs::create_symlink("gen", dir_ / "index");
  Write("outer", "auto index\nremote 10.0.0.1:7001\n");
  const Result<std::vector<ShardSpec>> shards = ResolveShards(dir_ / "outer");
  ASSERT_TRUE(shards.ok()) << shards.status().message();
  EXPECT_EQ(*shards, (std::vector<ShardSpec>{
                         {s0.string(), "", 0}, {s1.string(), "", 0}, {"", "10.0.0.1", 7001}}));
}

TEST_F(ShardsTest, BadLinesAreNamedByFileAndLine) {
  Database("a");
  const std::string stub = (dir_ / "stub").string();
  Write("stub", "auto a\nremote :xapian-progsrv /srv/db\n");
  EXPECT_EQ(Error(dir_ / "stub"), stub + ":2: remote programs are not supported; serve the " +
                                      "shard with xapian-tcpsrv and list it as remote HOST:PORT");
  Write("stub", "remote host\n");
  EXPECT_EQ(Error(dir_ / "stub"), stub + ":1: a remote database needs HOST:PORT");
  Write("stub", "remote host:70000\n");
  EXPECT_EQ(Error(dir_ / "stub"), stub + ":1: bad port in remote host:70000");
  Write("stub", "remote host:7x\n");
  EXPECT_EQ(Error(dir_ / "stub"), stub + ":1: bad port in remote host:7x");
  Write("stub", "remote :7001\n");
  EXPECT_NE(Error(dir_ / "stub"), "");
  Write("stub", "inmemory\n");
  EXPECT_EQ(Error(dir_ / "stub"),
            stub + ":1: not a database line (auto PATH, glass PATH or remote HOST:PORT)");
}

TEST_F(ShardsTest, MissingDatabasesAndLoopsAreErrors) {
  EXPECT_EQ(Error(dir_ / "nothing"), "no index at " + (dir_ / "nothing").string());
  EXPECT_EQ(ResolveShards(dir_ / "nothing").status().code(), StatusCode::kUnavailable);
  Write("stub", "auto missing\n");
  EXPECT_EQ(ResolveShards(dir_ / "stub").status().code(), StatusCode::kUnavailable);
  fs::create_directories(dir_ / "empty");
  EXPECT_EQ(Error(dir_ / "empty"), "no database in " + (dir_ / "empty").string());
  Write("loop", "auto loop\n");
  EXPECT_NE(Error(dir_ / "loop").find("nested too deep"), std::string::npos)
      << Error(dir_ / "loop");
}

}  // namespace
}  // namespace sarea
