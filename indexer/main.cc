// sarea-index: builds and updates the search index from a corpus directory.
//
// Exit codes: 0 all indexed; 1 some files failed (the rest was indexed and
// committed); 2 usage error, or the index cannot be opened or is locked.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "common/analyzer.h"
#include "common/language_identifier.h"
#include "common/passage.h"
#include "common/readers.h"
#include "indexer/indexer.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitSomeFailed = 1;
constexpr int kExitUsage = 2;

// The document id a file gets when indexed: its path relative to the corpus when
// it lies inside it, else its file name.
std::string DocumentIdFor(const std::string& path, const std::string& corpus) {
  std::error_code ec;
  const auto file = std::filesystem::weakly_canonical(path, ec);
  const auto root = std::filesystem::weakly_canonical(corpus, ec);
  const auto rel = file.lexically_relative(root);
  if (!rel.empty() && *rel.begin() != "..") return rel.generic_string();
  return std::filesystem::path(path).filename().string();
}

// --analyze: one JSON line per passage of FILE, no index touched.
int Analyze(const std::string& path, const std::string& corpus,
            const std::vector<std::string>& expected_languages) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "sarea-index: cannot read " << path << "\n";
    return kExitSomeFailed;
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  sarea::Result<sarea::ReadResult> read = sarea::ReadFile(DocumentIdFor(path, corpus), bytes.str());
  if (!read.ok()) {
    std::cerr << "sarea-index: " << path << ": " << read.status().message() << "\n";
    return kExitSomeFailed;
  }
  sarea::Analyzer analyzer;
  sarea::LanguageIdentifier identifier(sarea::LanguageIdentifierOptions{expected_languages});
  std::vector<std::vector<sarea::Passage>> docs;
  std::map<std::string, std::size_t> by_id;
  for (const sarea::SourceDocument& doc : read->documents) {
    by_id[doc.id] = docs.size();
    docs.push_back(sarea::BuildPassages(doc, identifier));
  }
  // Stated pairs within the file, as the indexer makes them (on a conflict
  // the smaller id wins); those across files need the index.
  std::set<std::size_t> paired;
  for (const auto& [id, i] : by_id) {
    const auto target = by_id.find(read->documents[i].translation_of);
    if (target == by_id.end() || paired.count(i) || paired.count(target->second)) continue;
    sarea::PairStatedTranslations(docs[i], docs[target->second]);
    paired.insert({i, target->second});
  }
  for (const std::vector<sarea::Passage>& passages : docs) {
    for (const sarea::Passage& p : passages) {
      nlohmann::json line = {{"doc", p.doc},
                             {"passage", p.id},
                             {"lang", p.lang},
                             {"text", p.text},
                             {"translation", p.translation.empty() ? nlohmann::json(nullptr)
                                                                   : nlohmann::json(p.translation)},
                             {"terms", sarea::PassageKeyTerms(p, analyzer)}};
      std::cout << line.dump() << "\n";
    }
  }
  for (const std::string& error : read->record_errors)
    std::cerr << "sarea-index: " << path << ": " << error << "\n";
  return read->record_errors.empty() ? kExitOk : kExitSomeFailed;
}

// A run that stops with an error says why on stderr and, with --json, in the report.
int Fail(const sarea::Status& status, bool json) {
  std::cerr << "sarea-index: " << status.message() << "\n";
  if (json) {
    std::cout << nlohmann::json{{"error",
                                 {{"code", sarea::StatusCodeName(status.code())},
                                  {"message", status.message()}}}}
                     .dump()
              << std::endl;
  }
  return kExitUsage;
}

// What the terminate handler needs to report as Index() would.
std::filesystem::path g_index;
bool g_json = false;

// Xapian 1.4.22's commit_transaction() can throw again from a destructor while
// it unwinds a failed write (seen with a full disk: the vocabulary's metadata
// is written at commit), which ends in std::terminate. Nothing of the
// transaction was committed, so the index is at its last committed revision,
// as after any failed write: report it as such, with the ordinary exit code,
// rather than abort with a core dump.
[[noreturn]] void OnTerminate() {
  sarea::Status status = sarea::Status::Internal("terminated by an unexpected error");
  if (const std::exception_ptr e = std::current_exception()) {
    try {
      std::rethrow_exception(e);
    } catch (const Xapian::Error& error) {
      status = sarea::indexer::IndexWriteError(error, g_index);
    } catch (const std::exception& error) {
      status = sarea::Status::Internal(std::string("internal error: ") + error.what());
    } catch (...) {
    }
  }
  std::_Exit(Fail(status, g_json));
}

int Index(const sarea::indexer::IndexOptions& options, bool json, bool quiet) {
  g_index = options.index;
  g_json = json;
  std::set_terminate(OnTerminate);
  sarea::Result<sarea::indexer::Report> report = sarea::indexer::RunIndexer(options);
  if (!report.ok()) return Fail(report.status(), json);
  for (const auto& failure : report->failed) {
    std::cerr << "sarea-index: failed: " << failure.path << ": " << failure.reason << "\n";
  }
  if (json)
    std::cout << report->ToJson().dump() << "\n";
  else if (!quiet)
    std::cout << "sarea-index: " << report->Summary() << "\n";
  return report->failed.empty() ? kExitOk : kExitSomeFailed;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Builds and updates the sarea search index from a corpus directory."};
  sarea::indexer::IndexOptions options;
  bool json = false, quiet = false;
  std::string analyze;
  std::string corpus = options.corpus.string(), index = options.index.string();
  app.add_option("--corpus", corpus, "corpus directory")->capture_default_str();
  app.add_option("--index", index, "index path")->capture_default_str();
  app.add_flag("--rebuild", options.rebuild,
               "build a fresh index beside the live one and swap it in");
  app.add_flag("--checksum", options.checksum,
               "read and hash every file, even one whose size and times are those recorded");
  app.add_option("--shards", options.shards,
                 "split the index into N shards (a stub database over N databases); "
                 "changing the count needs --rebuild (default: as the index is, 1 for a new one)")
      ->check(CLI::Range(1u, 256u));
  app.add_flag("--json", json, "print one JSON report at the end");
  app.add_flag("--quiet", quiet, "no progress bar and no summary");
  app.add_option("--analyze", analyze,
                 "print each passage of FILE with its language and terms; no index");
  app.add_option("--max-file-size", options.max_file_bytes,
                 "larger files are reported and not read")
      ->capture_default_str();
  app.add_option("--languages", options.expected_languages,
                 "the collection's languages, for passages too short to tell")
      ->delimiter(',')
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  try {
    if (!analyze.empty()) return Analyze(analyze, corpus, options.expected_languages);
    options.corpus = corpus;
    options.index = index;
    options.progress = !quiet && !json;
    return Index(options, json, quiet);
  } catch (const std::exception& e) {
    std::cerr << "sarea-index: internal error: " << e.what() << "\n";
    return kExitUsage;
  }
}
