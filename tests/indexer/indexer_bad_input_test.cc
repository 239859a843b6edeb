// Tests for what sarea-index does with files it cannot index: each is reported
// in "failed" with its reason while the good files are still indexed, and an
// indexed file that turns bad keeps its passages. See indexer_fixture.h.
#include <unistd.h>

#include <gtest/gtest.h>
#include <xapian.h>

#include <filesystem>
#include <iterator>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/indexer/indexer_fixture.h"

namespace sarea::indexer_test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

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

}  // namespace
}  // namespace sarea::indexer_test
