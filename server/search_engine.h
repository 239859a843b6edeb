// The search engine behind sarea-serve: queries, passages and index statistics
// over a Xapian index that sarea-index may update or replace at any moment.
//
// No HTTP here: requests and answers are plain structs, errors are Status codes
// (the HTTP layer maps them). A Xapian::Database is not thread-safe, so the
// engine keeps a pool of searchers, each with its own Database, Analyzer and
// QueryBuilder, and lends one to each call. Before every call a searcher
// reopens its database (cheap when nothing changed) or, when the index path now
// names another database (a --rebuild swap, a parent link swapped, an index
// built again, a stub rewritten as xapian-replicate rewrites a replica's:
// seen in what the path names, stat'ed each call), opens the new one; a shard
// that a stub names, swapped under it, is seen within a second. On
// DatabaseModifiedError the whole call is redone on a reopened database.
//
// Thread-safe: any number of threads may call at once; calls beyond the pool
// size wait for a searcher.
#ifndef SAREA_SERVER_SEARCH_ENGINE_H_
#define SAREA_SERVER_SEARCH_ENGINE_H_

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/passage.h"
#include "common/status.h"
#include "common/suggest.h"

namespace sarea::server {

struct SearchRequest {
  std::string query;                   // the user's query string (see query_builder.h)
  std::vector<std::string> languages;  // only passages of these languages; empty: all
  std::string doc;                     // only passages of this document; "": all
  int page = 1;                        // 1-based
  int size = 10;                       // hits per page
  std::size_t snippet_length = 200;
  bool via_translation = false;  // also passages whose translation matched
  bool group_pairs = false;      // a passage and its translation come back as one hit
};

struct Hit {
  Passage passage;
  int rank = 0;  // 1-based over all pages
  double score = 0;
  std::string snippet;           // HTML: escaped text, matches in <mark>
  bool via_translation = false;  // matched only through its translation
  std::optional<Passage> translation;
  std::string translation_snippet;  // the query's words marked, else its opening
};

struct SearchResponse {
  std::vector<Hit> hits;
  unsigned total = 0;  // matching passages (an estimate unless total_exact)
  bool total_exact = true;
  // Passages per language over all matches (estimates unless total_exact).
  std::map<std::string, unsigned> lang_facets;
  bool relaxed = false;  // the query did not parse and was read as plain words
  // The query with its unknown words corrected, when that finds something and
  // at least as much; else "".
  std::string did_you_mean;
  // Some shards were down (RemoteOptions::allow_partial): hits, totals and
  // facets are those of the shards that answered.
  bool partial = false;
};

struct SuggestRequest {
  std::string typed;                   // what is in the search box so far
  std::vector<std::string> languages;  // vocabularies to complete from; empty: all
  std::size_t size = 8;
};

struct IndexStats {
  unsigned long revision = 0;  // a sharded index's: the sum of its shards'
  bool revision_known = true;  // false when a shard is remote (no revision there)
  unsigned shards = 1;
  bool partial = false;  // some shards are down
  unsigned documents = 0;
  unsigned passages = 0;
  std::map<std::string, unsigned> languages;  // passages per language
};

// How the engine treats the remote shards a stub database lists (common/shards.h).
struct RemoteOptions {
  // Connecting to a remote shard, and each exchange with it, gives up after this.
  double timeout_seconds = 5;
  // A shard that cannot be reached is left out and the answers say "partial";
  // else every call fails with kUnavailable while it is down.
  bool allow_partial = false;
};

class SearchEngine {
 public:
  // A search counts its matches up to this many (which bounds what counting
  // costs); beyond, its total is Xapian's estimate, and its facets are those
  // of the first matches, scaled to that total. (No time limit: Xapian 1.4's
  // Enquire::set_time_limit can write into the matcher's stack after it has
  // returned, when the limit expires as the match ends.)
  static constexpr unsigned kExactCountUpTo = 1000;
  // A query whose terms occur in more passages than this (summed) ranks
  // equal weights by passage id in its one pass; others fetch a page again
  // only when its edges cut equal weights (see Search).
  static constexpr unsigned kSortedPassFrom = 2 * kExactCountUpTo;

  // `index` is the index path as sarea-index was given it, or a stub database
  // listing local and remote shards (common/shards.h); it need not exist yet
  // (calls then fail with kUnavailable until it does). `searchers` >= 1.
  SearchEngine(std::string index, int searchers, RemoteOptions remote = {});
  ~SearchEngine();
  SearchEngine(const SearchEngine&) = delete;
  SearchEngine& operator=(const SearchEngine&) = delete;

  // Errors: kInvalidArgument (bad query or unknown language), kUnavailable (no
  // index), kInternal.
  Result<SearchResponse> Search(const SearchRequest& request);
  // A passage and its translation (when it has one). kNotFound for an unknown id.
  Result<std::pair<Passage, std::optional<Passage>>> GetPassage(const std::string& id);
  Result<IndexStats> Stats();
  // Completions of what is being typed (common/suggest.h). kInvalidArgument
  // for an unknown language.
  Result<std::vector<Suggestion>> Suggest(const SuggestRequest& request);

 private:
  class Searcher;
  class Lease;
  class PassageIds;
  template <typename T, typename F>
  Result<T> WithSearcher(F&& f);
  // The passage ids of `db`'s documents (one local database), shared by the
  // searchers; null when the database has no uuid to tell its generations apart.
  std::shared_ptr<const PassageIds> PassageIdsOf(const Xapian::Database& db);

  std::string index_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Searcher>> searchers_;
  std::vector<Searcher*> idle_;
  std::mutex ids_mutex_;
  // By database (uuid), the two most recently built: searchers move to a new
  // generation one by one.
  std::vector<std::shared_ptr<const PassageIds>> ids_;
};

}  // namespace sarea::server

#endif  // SAREA_SERVER_SEARCH_ENGINE_H_
