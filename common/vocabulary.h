// The index's vocabulary: every spelling its passages have (form entries, the
// way from "creacion" back to "creación") and every pair of consecutive words
// (bigram entries, the completions of "ciudades crea"), each with the number
// of passages that have it. Completions, "did you mean" (suggest.h) and the
// query builder's accent-insensitive words read it.
//
// It lives in metadata (schema.h: VocabularyMetaKey), one entry per distinct
// spelling or pair and shard, with the count in the key. Each shard counts its
// own passages; readers sum over the shards.
#ifndef SAREA_COMMON_VOCABULARY_H_
#define SAREA_COMMON_VOCABULARY_H_

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <xapian.h>

#include "common/analyzer.h"

namespace sarea {

struct VocabularyEntry {
  std::string term;  // schema::FormTerm or schema::BigramTerm
  long count = 0;    // passages that have it, over all shards
};

// The first `limit` entries (in term order) whose terms start with
// `term_prefix`, each counted over all of `shards` (each database on its own:
// a combined Database reads only its first's metadata). The same entries
// however the passages are spread over shards. Throws Xapian::Error.
std::vector<VocabularyEntry> ReadVocabulary(const std::vector<Xapian::Database>& shards,
                                            std::string_view term_prefix, std::size_t limit);

// The vocabulary entries of a passage of `lang` analysed into `tokens`, each once.
std::vector<std::string> VocabularyTerms(const std::vector<Token>& tokens, std::string_view lang);

// Net changes to one database's vocabulary, gathered over many passages and
// written in one go: one metadata change per entry, not one per passage.
class VocabularyChanges {
 public:
  // Counts the entries of one passage added (+1) or removed (-1).
  void Count(const std::vector<std::string>& terms, int sign);
  // Writes the changed counts into `db`, then forgets them. Call inside the
  // transaction that writes the passages. Throws Xapian::Error.
  void Apply(Xapian::WritableDatabase& db);
  bool empty() const { return deltas_.empty(); }

 private:
  std::unordered_map<std::string, long> deltas_;
};

}  // namespace sarea

#endif  // SAREA_COMMON_VOCABULARY_H_
