#include "server/search_engine.h"

#include <algorithm>
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

SearchEngine::SearchEngine(std::string index, int searchers, double time_limit)
    : index_(std::move(index)), time_limit_(time_limit) {
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

// The passage with `id`, or nullopt.
std::optional<Passage> FindPassage(Xapian::Database& db, const std::string& id) {
  const std::string term = schema::PassageIdTerm(id);
  Xapian::PostingIterator it = db.postlist_begin(term);
  if (it == db.postlist_end(term)) return std::nullopt;
  Result<Passage> passage = FromXapianDocument(db.get_document(*it));
  if (!passage.ok()) return std::nullopt;
  return std::move(passage).value();
}

// True when only the X terms (the translation's) of the query matched the hit.
bool MatchedOnlyViaTranslation(const Xapian::Enquire& enquire, const Xapian::MSetIterator& hit) {
  for (auto t = enquire.get_matching_terms_begin(hit); t != enquire.get_matching_terms_end(hit);
       ++t) {
    if ((*t).rfind(schema::kKeyPrefix, 0) == 0) return false;
  }
  return true;
}

// The number of matches of `query` (exact up to `upto`), with the request's
// document filter.
Xapian::doccount CountMatches(Xapian::Database& db, Xapian::Query query, const std::string& doc,
                              Xapian::doccount upto) {
  if (!doc.empty()) {
    query = Xapian::Query(Xapian::Query::OP_FILTER, query, Xapian::Query(schema::DocTerm(doc)));
  }
  Xapian::Enquire enquire(db);
  enquire.set_query(query);
  return enquire.get_mset(0, 0, upto).get_matches_estimated();
}

std::map<std::string, unsigned> CountsOf(const Xapian::ValueCountMatchSpy& spy) {
  std::map<std::string, unsigned> counts;
  for (auto it = spy.values_begin(); it != spy.values_end(); ++it) counts[*it] = it.get_termfreq();
  return counts;
}

}  // namespace

Result<SearchResponse> SearchEngine::Search(const SearchRequest& request) {
  return WithSearcher<SearchResponse>([&](Searcher& s) -> Result<SearchResponse> {
    Result<BuiltQuery> built = s.builder().Build(
        request.query, s.db(), QueryOptions{request.languages, request.via_translation});
    if (!built.ok()) return built.status();
    Xapian::Query query = built->query;
    if (!request.doc.empty()) {
      query = Xapian::Query(Xapian::Query::OP_FILTER, query,
                            Xapian::Query(schema::DocTerm(request.doc)));
    }
    Xapian::Enquire enquire(s.db());
    enquire.set_query(query);
    if (time_limit_ > 0) enquire.set_time_limit(time_limit_);
    if (request.group_pairs) enquire.set_collapse_key(schema::kSlotPair);
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
      Hit hit;
      hit.passage = std::move(passage).value();
      hit.rank = ++rank;
      hit.score = it.get_weight();
      hit.snippet =
          MakeSnippet(hit.passage.text, hit.passage.lang, built->keys_by_lang[hit.passage.lang],
                      s.analyzer(), SnippetOptions{request.snippet_length});
      hit.via_translation = request.via_translation && MatchedOnlyViaTranslation(enquire, it);
      if (!hit.passage.translation.empty())
        hit.translation = FindPassage(s.db(), hit.passage.translation);
      if (hit.translation) {
        hit.translation_snippet = MakeSnippet(hit.translation->text, hit.translation->lang,
                                              built->keys_by_lang[hit.translation->lang],
                                              s.analyzer(), SnippetOptions{request.snippet_length});
      }
      response.hits.push_back(std::move(hit));
    }
    // "Did you mean": the closest correction (one per language) that finds
    // something and at least as much as the query (a word that no language
    // has is a typing error, whatever the other words found); between
    // corrections as close, the one that finds the most.
    const std::vector<Correction> corrections =
        SpellingCorrections(request.query, s.db(), built->languages, s.analyzer());
    Xapian::doccount best = std::max<Xapian::doccount>(response.total, 1) - 1;
    for (const Correction& c : corrections) {
      if (!response.did_you_mean.empty() && c.distance > corrections.front().distance) break;
      Result<BuiltQuery> corrected = s.builder().Build(
          c.query, s.db(), QueryOptions{request.languages, request.via_translation});
      if (!corrected.ok()) continue;
      const Xapian::doccount found =
          CountMatches(s.db(), corrected->query, request.doc, kExactCountUpTo);
      if (found > best) {
        best = found;
        response.did_you_mean = c.query;
      }
    }
    return response;
  });
}

Result<std::pair<Passage, std::optional<Passage>>> SearchEngine::GetPassage(const std::string& id) {
  using Answer = std::pair<Passage, std::optional<Passage>>;
  return WithSearcher<Answer>([&](Searcher& s) -> Result<Answer> {
    std::optional<Passage> passage = FindPassage(s.db(), id);
    if (!passage) return Status::NotFound("no passage with id '" + id + "'");
    std::optional<Passage> translation;
    if (!passage->translation.empty()) translation = FindPassage(s.db(), passage->translation);
    return Answer{std::move(*passage), std::move(translation)};
  });
}

Result<std::vector<Suggestion>> SearchEngine::Suggest(const SuggestRequest& request) {
  return WithSearcher<std::vector<Suggestion>>([&](Searcher& s) -> Result<std::vector<Suggestion>> {
    Result<std::vector<std::string>> langs =
        CheckLanguages(IndexLanguages(s.db()), request.languages);
    if (!langs.ok()) return langs.status();
    return Complete(request.typed, s.db(), *langs, request.size);
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
