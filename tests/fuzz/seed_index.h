// The seed corpus indexed once per fuzzing process, by the real indexer, into
// a temporary directory removed at exit: what the query and HTTP targets read.
#ifndef SAREA_TESTS_FUZZ_SEED_INDEX_H_
#define SAREA_TESTS_FUZZ_SEED_INDEX_H_

#include <cstdlib>
#include <filesystem>
#include <string>

#include "indexer/indexer.h"
#include "tests/fuzz/fuzz_util.h"

namespace sarea::fuzz {

inline const std::string& SeedIndex() {
  static const std::string index = [] {
    std::string dir = (std::filesystem::temp_directory_path() / "sarea-fuzz-XXXXXX").string();
    if (!::mkdtemp(dir.data())) Fail("cannot create a temporary directory");
    static const std::filesystem::path root = dir;
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(root, ec);
    });
    indexer::IndexOptions options;
    options.corpus = std::filesystem::path(SAREA_SOURCE_DIR) / "corpus";
    options.index = root / "index";
    const Result<indexer::Report> report = indexer::RunIndexer(options);
    if (!report.ok()) Fail("cannot index the seed corpus: " + report.status().message());
    return options.index.string();
  }();
  return index;
}

}  // namespace sarea::fuzz

#endif  // SAREA_TESTS_FUZZ_SEED_INDEX_H_
