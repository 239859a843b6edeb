#include "server/search_engine.h"

#include <filesystem>
#include <optional>

#include <xapian.h>

#include "common/analyzer.h"
#include "common/query_builder.h"
#include "common/schema.h"
#include "common/snippet.h"

namespace sarea::server {
namespace fs = std::filesystem;

// One thread's view of the index: a Database and the analysis that goes with it.
class SearchEngine::Searcher {
 public:
  explicit Searcher(const std::string& index) : index_(index), builder_(analyzer_) {}

  // An open, current database, or kUnavailable when there is no index.
  Status Refresh() {
    std::error_code ec;
    const fs::path resolved = fs::canonical(index_, ec);
    if (ec) {
      db_.reset();
      return Status::Unavailable("no index at " + index_ + " (run sarea-index)");
    }
    try {
      if (!db_ || resolved != resolved_) {
        // Open the generation itself, so reopen() never mixes two generations.
        db_.emplace(resolved.string());
        resolved_ = resolved;
      } else {
        db_->reopen();
      }
    } catch (const Xapian::DatabaseOpeningError& e) {
      db_.reset();
      return Status::Unavailable("cannot open the index at " + index_ + ": " + e.get_msg());
    }
    return Status::Ok();
  }

  void Forget() { db_.reset(); }
  Xapian::Database& db() { return *db_; }
  Analyzer& analyzer() { return analyzer_; }
  QueryBuilder& builder() { return builder_; }

 private:
  std::string index_;
  fs::path resolved_;
  std::optional<Xapian::Database> db_;
  Analyzer analyzer_;
  QueryBuilder builder_;
};

// Borrows an idle searcher for the length of one call.
class SearchEngine::Lease {
 public:
  explicit Lease(SearchEngine& engine) : engine_(engine) {
    std::unique_lock<std::mutex> lock(engine_.mutex_);
    engine_.available_.wait(lock, [&] { return !engine_.idle_.empty(); });
    searcher_ = engine_.idle_.back();
    engine_.idle_.pop_back();
  }
  ~Lease() {
    {
      std::lock_guard<std::mutex> lock(engine_.mutex_);
      engine_.idle_.push_back(searcher_);
    }
    engine_.available_.notify_one();
  }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  Searcher& operator*() { return *searcher_; }

 private:
  SearchEngine& engine_;
  Searcher* searcher_;
};

SearchEngine::SearchEngine(std::string index, int searchers) : index_(std::move(index)) {
  for (int i = 0; i < std::max(1, searchers); ++i) {
    searchers_.push_back(std::make_unique<Searcher>(index_));
    idle_.push_back(searchers_.back().get());
  }
}

SearchEngine::~SearchEngine() = default;

// Runs `f(searcher)` on a fresh database; redoes it from scratch when the index
// changed underneath (Xapian keeps only two revisions for readers).
template <typename T, typename F>
Result<T> SearchEngine::WithSearcher(F&& f) {
  constexpr int kAttempts = 3;
  Lease lease(*this);
  Searcher& searcher = *lease;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    Status status = searcher.Refresh();
    if (!status.ok()) return status;
    try {
      Result<T> result = f(searcher);
      // The query builder reports a modified database as kUnavailable.
      if (result.ok() || result.status().code() != StatusCode::kUnavailable) return result;
    } catch (const Xapian::DatabaseModifiedError&) {
    } catch (const Xapian::DatabaseOpeningError& e) {
      searcher.Forget();
      return Status::Unavailable("the index cannot be read: " + e.get_msg());
    } catch (const Xapian::Error& e) {
      searcher.Forget();
      return Status::Internal(e.get_description());
    }
    searcher.Forget();  // open afresh on the next attempt
  }
  return Status::Unavailable("the index kept changing during the query; try again");
}

namespace {

std::map<std::string, unsigned> CountsOf(const Xapian::ValueCountMatchSpy& spy) {
  std::map<std::string, unsigned> counts;
  for (auto it = spy.values_begin(); it != spy.values_end(); ++it) counts[*it] = it.get_termfreq();
  return counts;
}

}  // namespace

Result<SearchResponse> SearchEngine::Search(const SearchRequest& request) {
  return WithSearcher<SearchResponse>([&](Searcher& s) -> Result<SearchResponse> {
    Result<BuiltQuery> built =
        s.builder().Build(request.query, s.db(), QueryOptions{request.languages});
    if (!built.ok()) return built.status();
    Xapian::Query query = built->query;
    if (!request.doc.empty()) {
      query = Xapian::Query(Xapian::Query::OP_FILTER, query,
                            Xapian::Query(schema::DocTerm(request.doc)));
    }
    Xapian::Enquire enquire(s.db());
    enquire.set_query(query);
    enquire.set_time_limit(kTimeBudgetSeconds);
    Xapian::ValueCountMatchSpy langs(schema::kSlotLang);
    enquire.add_matchspy(&langs);
    const Xapian::doccount first = static_cast<Xapian::doccount>((request.page - 1) * request.size);
    const Xapian::MSet mset = enquire.get_mset(first, request.size, kExactCountUpTo);
    SearchResponse response;
    response.total = mset.get_matches_estimated();
    response.total_exact = mset.get_matches_lower_bound() == mset.get_matches_upper_bound();
    response.lang_facets = CountsOf(langs);
    response.relaxed = built->relaxed;
    int rank = static_cast<int>(first);
    for (auto it = mset.begin(); it != mset.end(); ++it) {
      Result<Passage> passage = FromXapianDocument(it.get_document());
      if (!passage.ok()) return passage.status();
      Hit hit{std::move(passage).value(), ++rank, it.get_weight(), ""};
      hit.snippet =
          MakeSnippet(hit.passage.text, hit.passage.lang, built->keys_by_lang[hit.passage.lang],
                      s.analyzer(), SnippetOptions{request.snippet_length});
      response.hits.push_back(std::move(hit));
    }
    return response;
  });
}

Result<Passage> SearchEngine::GetPassage(const std::string& id) {
  return WithSearcher<Passage>([&](Searcher& s) -> Result<Passage> {
    const std::string term = schema::PassageIdTerm(id);
    Xapian::PostingIterator it = s.db().postlist_begin(term);
    if (it == s.db().postlist_end(term)) return Status::NotFound("no passage with id '" + id + "'");
    return FromXapianDocument(s.db().get_document(*it));
  });
}

Result<IndexStats> SearchEngine::Stats() {
  return WithSearcher<IndexStats>([&](Searcher& s) -> Result<IndexStats> {
    IndexStats stats;
    Xapian::Database& db = s.db();
    stats.revision = db.get_revision();
    stats.passages = db.get_doccount();
    const std::string prefix = schema::kMetaDocPrefix;
    for (auto it = db.metadata_keys_begin(prefix); it != db.metadata_keys_end(prefix); ++it)
      ++stats.documents;
    for (const std::string& lang : IndexLanguages(db)) {
      stats.languages[lang] = db.get_termfreq(schema::LangTerm(lang));
    }
    return stats;
  });
}

}  // namespace sarea::server
