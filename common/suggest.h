// The search box's helpers over an index: completions of what is being typed,
// and "did you mean" corrections of words the index does not have.
//
// Both come from the index's vocabulary (vocabulary.h: the spellings seen and
// the pairs of consecutive words, with how many passages have them), which is
// per language, so a Spanish word is only ever corrected into a Spanish one,
// and which local and remote shards alike serve.
#ifndef SAREA_COMMON_SUGGEST_H_
#define SAREA_COMMON_SUGGEST_H_

#include <string>
#include <string_view>
#include <vector>

#include <xapian.h>

#include "common/analyzer.h"
#include "common/query_builder.h"

namespace sarea {

struct Suggestion {
  std::string text;  // the whole query to offer, in the corpus's spelling
  std::string lang;  // the language whose vocabulary completed it
};

// At most `size` completions of `typed`, best first. The last word of `typed`
// is a prefix, accents optional ("gastronomia" -> "gastronomía"); after a
// previous word only words that follow it somewhere are offered ("ciudades
// crea" -> "ciudades creativas"); after a trailing space, the words that
// follow the last one. Words before the last are kept as typed. Stopwords
// are not offered unless typed in full. `langs`: the vocabularies to use
// (codes the index has). `shards`: the index's databases, each opened on its
// own (vocabulary.h). Throws Xapian::Error (DatabaseModifiedError: reopen and
// call again).
std::vector<Suggestion> Complete(std::string_view typed,
                                 const std::vector<Xapian::Database>& shards,
                                 const std::vector<std::string>& langs, std::size_t size);

inline constexpr std::size_t kMaxCorrectedWords = 4;

struct Correction {
  std::string lang;   // whose spellings corrected it
  std::string query;  // the query with its unknown words replaced
  int distance = 0;   // edits (in code points) from the query, over all its words
};

// "Did you mean": for each of `langs`, `query` with every word that the index
// has in no language replaced by that language's closest spelling: among the
// spellings that start with the word's first letter (accents aside), the
// nearest with accents ignored (at most 2 edits; swapping two neighbouring
// letters is one), then the one most passages have. A word is known when some
// language has one of its spellings or one of its analysis keys ("creativo"
// matches "creativos"). A language that cannot correct every unknown word
// gives none; the result is sorted by distance. Empty when every word is
// known. Filters (lang:, doc:), operators and prefix* words are left as they
// are. `shards` are the databases `db` combines, each opened on its own (or
// just `db`); `index_langs` the index's languages, most passages first
// (LanguagesBySize), in the order they are asked whether they know a word. A
// query with more than kMaxCorrectedWords unknown words gets none: such a
// query is rarely a typing error, and each word costs a scan. A word's
// spellings are read as the query builder reads them, through `reads` when
// given (what the query's building read: QueryOptions::kept_reads). Throws
// Xapian::Error.
std::vector<Correction> SpellingCorrections(std::string_view query, const Xapian::Database& db,
                                            const std::vector<Xapian::Database>& shards,
                                            const std::vector<std::string>& index_langs,
                                            const std::vector<std::string>& langs,
                                            Analyzer& analyzer, IndexReads* reads = nullptr);

}  // namespace sarea

#endif  // SAREA_COMMON_SUGGEST_H_
