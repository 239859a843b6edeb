// A glass database in a temporary directory that passages are written to as
// the indexer writes them: their terms, and their vocabulary counted (which
// the in-memory backend cannot hold: it lists no metadata keys).
#ifndef SAREA_TESTS_COMMON_SCRATCH_INDEX_H_
#define SAREA_TESTS_COMMON_SCRATCH_INDEX_H_

#include <string>
#include <vector>

#include <xapian.h>

#include "common/analyzer.h"
#include "common/passage.h"
#include "common/vocabulary.h"
#include "tests/support/process.h"

namespace sarea::test_support {

class ScratchIndex {
 public:
  ScratchIndex()
      : dir_("scratch-index-"),
        db_((dir_.path() / "db").string(),
            Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_BACKEND_GLASS) {}

  // Writes `p` (with its twin's keys, when given) and counts its vocabulary.
  void Add(const Passage& p, Analyzer& analyzer, const Passage* translation = nullptr) {
    std::vector<std::string> vocabulary;
    db_.add_document(ToXapianDocument(p, analyzer, translation, &vocabulary));
    VocabularyChanges changes;
    changes.Count(vocabulary, +1);
    changes.Apply(db_);
  }

  Xapian::WritableDatabase& db() { return db_; }
  // The database as the one shard of an index.
  std::vector<Xapian::Database> shards() const { return {db_}; }

 private:
  TempDir dir_;
  Xapian::WritableDatabase db_;
};

}  // namespace sarea::test_support

#endif  // SAREA_TESTS_COMMON_SCRATCH_INDEX_H_
