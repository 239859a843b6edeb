#include "tests/indexer/indexer_fixture.h"

#include <cstdint>
#include <utility>

#include "common/schema.h"
#include "common/vocabulary.h"

namespace sarea::indexer_test {

namespace fs = std::filesystem;
using nlohmann::json;
using test_support::ReadAll;

std::string EnglishText(const std::string& word) {
  return "The " + word +
         " was the subject of a long conversation between the neighbours, who "
         "agreed that the whole town should know about it before the winter.\n";
}

RunResult Wait(const Child& child) {
  RunResult result;
  result.exit_code = test_support::Wait(child.pid);
  if (result.exit_code < 0) return result;
  result.out = ReadAll(child.out);
  result.err = ReadAll(child.err);
  return result;
}

bool IndexHasWord(const Xapian::Database& db, const std::string& word) {
  for (const VocabularyEntry& entry : ReadVocabulary({db}, schema::kFormPrefix, SIZE_MAX)) {
    if (schema::WordOfFormTerm(entry.term) == word) return entry.count > 0;
  }
  return false;
}

int PassagesOf(const Xapian::Database& db, const std::string& doc_id, const std::string& lang) {
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

std::string MetadataContent(const std::string& key, const std::string& value) {
  if (key.rfind(schema::kMetaFilePrefix, 0) != 0) return value;
  json record = json::parse(value, nullptr, false);
  if (!record.is_object()) return value;
  record.erase("stat");
  return record.dump();
}

std::string FailureReason(const json& report, const std::string& path) {
  for (const json& failure : report.value("failed", json::array())) {
    if (failure.value("path", "") == path) return failure.value("reason", "");
  }
  return "";
}

void IndexerCliTest::SetUp() {
  ASSERT_FALSE(temp_.path().empty()) << "mkdtemp failed";
  dir_ = temp_.path();
  corpus_ = dir_ / "corpus";
  index_ = dir_ / "idx" / "index";
  fs::create_directories(corpus_);
  fs::create_directories(dir_ / "scratch");
}

void IndexerCliTest::Write(const std::string& rel, const std::string& bytes) {
  EXPECT_TRUE(test_support::WriteAll(corpus_ / rel, bytes)) << corpus_ / rel;
}

void IndexerCliTest::CopySeed() {
  fs::copy_file(fs::path(SAREA_SOURCE_DIR) / "corpus" / kSeedFile, corpus_ / kSeedFile);
}

std::vector<std::string> IndexerCliTest::IndexArgs(std::vector<std::string> extra) const {
  std::vector<std::string> args = {"--corpus", corpus_.string(), "--index", index_.string()};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

Child IndexerCliTest::Start(const std::vector<std::string>& args) {
  Child child = NextChild();
  child.pid = test_support::Spawn(Options(args, child));
  EXPECT_GT(child.pid, 0) << "fork failed";
  return child;
}

RunResult IndexerCliTest::RunOnTerminal(const std::vector<std::string>& args) {
  const Child files = NextChild();
  test_support::TerminalRun run = test_support::RunWithTerminalStderr(Options(args, files));
  RunResult result;
  result.exit_code = run.exit_code;
  if (result.exit_code >= 0) result.out = ReadAll(files.out);
  result.err = std::move(run.shown);
  return result;
}

json IndexerCliTest::Index(int expected_exit, std::vector<std::string> extra) {
  extra.push_back("--json");
  const RunResult run = Run(IndexArgs(extra));
  EXPECT_EQ(run.exit_code, expected_exit) << run.err;
  const json report = run.Json();
  EXPECT_TRUE(report.is_object()) << "stdout: " << run.out << "\nstderr: " << run.err;
  return report.is_object() ? report : json::object();
}

Child IndexerCliTest::NextChild() {
  const std::string n = std::to_string(runs_++);
  return Child{-1, dir_ / "scratch" / ("out" + n), dir_ / "scratch" / ("err" + n)};
}

test_support::SpawnOptions IndexerCliTest::Options(const std::vector<std::string>& args,
                                                   const Child& child) const {
  test_support::SpawnOptions options;
  options.program = kIndexer;
  options.args = args;
  options.cwd = dir_;
  options.out.file = child.out;
  options.err.file = child.err;
  options.without_read_override = without_read_override_;
  return options;
}

}  // namespace sarea::indexer_test
