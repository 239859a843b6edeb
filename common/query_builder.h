// The query side of the analysis: a user's query string to a Xapian::Query.
//
// Syntax, as on the web: words (any order, ranked by BM25, at least one must
// match), "exact phrase", +required, -excluded, a OR b, a AND b, NOT a, prefix*,
// and the filters lang:xx and doc:ID. A query that does not parse (an
// unbalanced quote, a lone operator) is read again as plain words and flagged
// `relaxed`.
//
// The query is read once in every language of the index (or those asked for),
// each word through the same Analyzer as the indexer: a reading in language L
// only uses L's terms, so it only matches passages of L. A word also matches every
// spelling the index has seen with the same accent-folded form ("creacion" finds
// "creación" and the other way round), through schema.h's form terms. Free-text
// stopwords of L are dropped from L's reading unless every word is a stopword.
#ifndef SAREA_COMMON_QUERY_BUILDER_H_
#define SAREA_COMMON_QUERY_BUILDER_H_

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <xapian.h>

#include "common/analyzer.h"
#include "common/status.h"

namespace sarea {

// What building a query reads from the index besides its terms' statistics:
// the spellings the index has seen of a word (its form entries, as keys) and
// synonyms.txt's groups. A query reads each once. A caller that knows when the
// index's revision changes (the server's searchers) can keep them for the
// revision's later queries (QueryOptions::kept_reads): reading a word's forms
// is a new B-tree cursor over the metadata, 6% of the server's CPU a search.
struct IndexReads {
  struct Forms {
    std::set<std::string> keys;  // of every spelling read
    long passages = 0;           // passages having one of them (summed over spellings)
  };
  std::map<std::string, Forms> forms;                              // prefix + '\0' + limit
  std::map<std::string, std::vector<std::string>> synonyms;        // by synonym key
  std::map<std::string, Xapian::doccount, std::less<>> termfreqs;  // by term, summed
  std::size_t size() const { return forms.size() + synonyms.size() + termfreqs.size(); }
};

// Kept reads beyond this many are dropped (all at once) by the next query.
inline constexpr std::size_t kMaxKeptReads = 20000;

// The spellings the index has seen of the accent-folded word `folded` in
// `lang` (its form entries, at most as many as a query word reads), as a
// query reads them: from `reads` when there, else read into it. Throws
// Xapian::Error.
const IndexReads::Forms& ReadWordForms(Analyzer& analyzer,
                                       const std::vector<Xapian::Database>& shards,
                                       IndexReads& reads, const std::string& lang,
                                       const std::string& folded);

// The number of passages of `shards` having `term`, from `reads` when there,
// else read into it (a B-tree lookup, often a block read, each). Throws
// Xapian::Error.
Xapian::doccount ReadTermFreq(const std::vector<Xapian::Database>& shards, IndexReads& reads,
                              const std::string& term);

struct QueryOptions {
  // Read the query only in these languages (normalised codes); empty: every
  // language of the index. Unknown languages are an error.
  std::vector<std::string> languages;
  // Also match passages whose translation matches, ranked below direct matches
  // of equal strength (their weight is scaled by kTranslationWeight).
  bool via_translation = false;
  // The query will run as built (no filter added around it) over one local
  // database (not several shards, not a remote one). Without doc: filters,
  // it is then built under OP_MAX, one alternative per language (its reading
  // and, with translations, those of its passages' translations), which lets
  // the matcher skip more than OP_OR does and weighs every passage the same.
  // Xapian 1.4.22 crashes on OP_MAX over several databases and under another
  // operator, so every other query gets OP_OR.
  bool single_database = false;
  // The index's languages (IndexLanguages over every shard), when the caller
  // keeps them for the open revision; empty: read from the shards.
  std::vector<std::string> index_languages;
  // What earlier queries read from the same revision of the same shards,
  // added to by this one; the caller empties it when the revision changes.
  // Null: the query reads for itself.
  IndexReads* kept_reads = nullptr;
};

inline constexpr double kTranslationWeight = 0.5;

struct BuiltQuery {
  Xapian::Query query;
  std::vector<std::string> languages;  // the readings made
  // The keys that can match, by language: what a snippet highlights.
  std::map<std::string, std::set<std::string>> keys_by_lang;
  bool relaxed = false;  // the query did not parse and was read as plain words
};

// The languages that have passages in `db`, sorted. Throws Xapian::Error.
std::vector<std::string> IndexLanguages(const Xapian::Database& db);

// `langs` (IndexLanguages(db)) ordered by their passages in `db`, most first.
// Throws Xapian::Error.
std::vector<std::string> LanguagesBySize(const Xapian::Database& db,
                                         std::vector<std::string> langs);

// The codes of the language tags `asked`, each one of `available` (the index's
// languages); `available` itself when none are asked. kInvalidArgument names
// the index's languages.
Result<std::vector<std::string>> CheckLanguages(const std::vector<std::string>& available,
                                                const std::vector<std::string>& asked);

class QueryBuilder {
 public:
  // `analyzer` must outlive the builder; both belong to one thread.
  explicit QueryBuilder(Analyzer& analyzer) : analyzer_(analyzer) {}

  // A query of punctuation or filters only matches nothing. Errors:
  // kInvalidArgument for a blank query, a query of exclusions only, or
  // an unknown language (the message names the index's languages); kUnavailable
  // when the database changed underneath (reopen it and build again).
  // `shards`: the index's databases, each opened on its own (one, unsharded):
  // the vocabulary of accent-insensitive words and prefixes is read from each.
  Result<BuiltQuery> Build(std::string_view query, const std::vector<Xapian::Database>& shards,
                           const QueryOptions& options = {});

 private:
  Analyzer& analyzer_;
};

}  // namespace sarea

#endif  // SAREA_COMMON_QUERY_BUILDER_H_
