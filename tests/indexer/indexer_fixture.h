// The fixture of the sarea-index tests (tests/indexer/indexer_*_test.cc): each
// test runs the real program as a child process on a corpus in its own
// temporary directory and checks the exit code, the --json report and the
// index it leaves on disk.
#ifndef SAREA_TESTS_INDEXER_INDEXER_FIXTURE_H_
#define SAREA_TESTS_INDEXER_INDEXER_FIXTURE_H_

#include <sys/types.h>

#include <gtest/gtest.h>
#include <xapian.h>

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/process.h"

namespace sarea::indexer_test {

inline constexpr char kIndexer[] = SAREA_BIN_DIR "/sarea-index";
inline constexpr char kSeedFile[] = "creative-cities-network.txt";  // in corpus/

// An English paragraph about `word`, long enough for the language identifier
// to be sure.
std::string EnglishText(const std::string& word);

// A finished sarea-index run.
struct RunResult {
  int exit_code = -1;  // 128 + signal when killed; -1 if it could not be waited for
  std::string out;
  std::string err;

  // stdout parsed; a discarded value (is_discarded()) if it is not JSON.
  nlohmann::json Json() const { return nlohmann::json::parse(out, nullptr, false); }
};

// A started sarea-index whose stdout and stderr go to the files `out` and `err`.
struct Child {
  pid_t pid = -1;
  std::filesystem::path out;
  std::filesystem::path err;
};

// Waits for `child` and collects its exit code and output (none if it could
// not be waited for).
RunResult Wait(const Child& child);

// True if the index has seen the spelling `word` (a form entry of its
// vocabulary), in any language; `db` is one database, not a combined one.
bool IndexHasWord(const Xapian::Database& db, const std::string& word);

// The number of passages of document `doc_id` (a path or a jsonl id), only
// those of `lang` when it is given.
int PassagesOf(const Xapian::Database& db, const std::string& doc_id, const std::string& lang = "");

// The number of distinct documents in the index.
int DistinctDocuments(const Xapian::Database& db);

// What the metadata entry `key` = `value` says of the index's content: a file
// record without the file's recorded size and times ("stat"), which say when
// it was hashed (a run records them only once they have settled), so two runs
// over the same files may differ there.
std::string MetadataContent(const std::string& key, const std::string& value);

// The reason given for `path` in a report's "failed", or "" when it is not there.
std::string FailureReason(const nlohmann::json& report, const std::string& path);

// A test's own directory: corpus_ (empty at first), index_ (not yet created),
// and a scratch directory for the output of each run. Programs run in dir_.
class IndexerCliTest : public ::testing::Test {
 protected:
  void SetUp() override;

  // Writes `bytes` to corpus_/rel.
  void Write(const std::string& rel, const std::string& bytes);
  // Copies the seed corpus file (5 English and 5 Spanish passages) into corpus_.
  void CopySeed();

  // --corpus corpus_ --index index_, then `extra`.
  std::vector<std::string> IndexArgs(std::vector<std::string> extra = {"--json"}) const;
  // Starts sarea-index with `args`; the caller waits for it.
  Child Start(const std::vector<std::string>& args);
  // Runs sarea-index with `args` to completion.
  RunResult Run(const std::vector<std::string>& args) { return Wait(Start(args)); }
  // Like Run, but stderr is a pseudo-terminal; `err` is all the terminal got
  // (with its \n turned into \r\n by the line discipline).
  RunResult RunOnTerminal(const std::vector<std::string>& args);
  // One run with IndexArgs(extra) plus --json; fails the test unless it exits
  // `expected_exit` and stdout is a JSON object, which is returned ({} if not).
  nlohmann::json Index(int expected_exit, std::vector<std::string> extra = {});
  // Opens index_ for reading; throws Xapian::Error if it cannot be opened.
  Xapian::Database Open() const { return Xapian::Database(index_.string()); }

  test_support::TempDir temp_{"sarea_cli_"};
  std::filesystem::path dir_;
  std::filesystem::path corpus_;
  std::filesystem::path index_;
  int runs_ = 0;
  bool without_read_override_ = false;  // root, but unable to read 0000 files

 private:
  // Fresh output file names for the next run.
  Child NextChild();
  test_support::SpawnOptions Options(const std::vector<std::string>& args,
                                     const Child& child) const;
};

}  // namespace sarea::indexer_test

#endif  // SAREA_TESTS_INDEXER_INDEXER_FIXTURE_H_
