#include "server/search_engine.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string_view>

#include <fcntl.h>
#include <sys/stat.h>
#include <xapian.h>

#include "common/analyzer.h"
#include "common/query_builder.h"
#include "common/record_codec.h"
#include "common/schema.h"
#include "common/shards.h"
#include "common/snippet.h"

namespace sarea::server {
namespace {

// Each passage's language by document number, read from the language terms'
// posting lists: the language facets need the language of every match, and
// reading it as a value costs a B-tree seek and a chunk decoding per match
// (5.6% of a search's server CPU over the handbook). A Searcher builds one
// when a search first needs it after its database changed.
class LanguageTable {
 public:
  static constexpr std::uint16_t kNone = 0;  // no language term

  explicit LanguageTable(const Xapian::Database& db) {
    by_doc_.assign(db.get_lastdocid() + 1, kNone);
    names_.emplace_back();  // kNone's
    const std::string prefix = schema::kLangPrefix;
    for (auto t = db.allterms_begin(prefix); t != db.allterms_end(prefix); ++t) {
      if (names_.size() > UINT16_MAX) break;  // beyond 65535 languages, in none
      const auto index = static_cast<std::uint16_t>(names_.size());
      names_.push_back((*t).substr(prefix.size()));
      for (auto d = db.postlist_begin(*t); d != db.postlist_end(*t); ++d) {
        if (*d < by_doc_.size()) by_doc_[*d] = index;
      }
    }
  }

  // The index of `doc`'s language (kNone when the table does not know it).
  std::uint16_t IndexOf(Xapian::docid doc) const {
    return doc < by_doc_.size() ? by_doc_[doc] : kNone;
  }
  const std::string& Name(std::uint16_t index) const { return names_[index]; }
  std::size_t size() const { return names_.size(); }

 private:
  std::vector<std::uint16_t> by_doc_;
  std::vector<std::string> names_;
};

}  // namespace

// Each passage's id by document number, in one database. Hits of equal weight
// are ordered by passage id, and reading the id as a value costs a B-tree
// seek, a block read and a chunk decoding per candidate: at 100 copies of the
// handbook, where a query's best passages tie with their 99 copies, about
// half of a search's CPU. A document number names one passage for the life
// of a database (the indexer replaces a passage by its id term, and Xapian
// never reuses a number), so the table only grows: a new revision reads the
// ids of the documents added since. The searchers share it.
class SearchEngine::PassageIds {
 public:
  // The ids of `db`'s documents; those of `before`, the same database at an
  // earlier revision, are kept.
  PassageIds(const Xapian::Database& db, const PassageIds* before)
      : uuid_(db.get_uuid()), last_(db.get_lastdocid()) {
    Xapian::docid from = 1;
    if (before) {
      chars_ = before->chars_;
      ends_ = before->ends_;
      from = before->last_ + 1;
    } else {
      ends_.push_back(0);
    }
    ends_.reserve(static_cast<std::size_t>(last_) + 1);
    const Xapian::ValueIterator end = db.valuestream_end(schema::kSlotId);
    Xapian::ValueIterator v = db.valuestream_begin(schema::kSlotId);
    if (from > 1 && v != end) v.skip_to(from);
    for (; v != end && v.get_docid() <= last_; ++v) {
      const std::string id = *v;
      if (chars_.size() + id.size() > std::numeric_limits<std::uint32_t>::max()) break;
      ends_.resize(v.get_docid(), static_cast<std::uint32_t>(chars_.size()));
      chars_ += id;
      ends_.push_back(static_cast<std::uint32_t>(chars_.size()));
    }
    // Documents without an id, or beyond what offsets can hold: unknown.
    ends_.resize(static_cast<std::size_t>(last_) + 1, static_cast<std::uint32_t>(chars_.size()));
  }

  // Orders hits of equal weight by passage id: from `ids` when a search has
  // them (else, and for a document they do not know, from the id's value).
  class Key : public Xapian::KeyMaker {
   public:
    explicit Key(const PassageIds* ids) : ids_(ids) {}
    std::string operator()(const Xapian::Document& doc) const override {
      if (ids_) {
        const std::string_view id = ids_->Find(doc.get_docid());
        if (!id.empty()) return std::string(id);
      }
      return doc.get_value(schema::kSlotId);
    }

   private:
    const PassageIds* ids_;
  };

  const std::string& uuid() const { return uuid_; }
  Xapian::docid last() const { return last_; }
  // Document `doc`'s passage id; empty when the table does not know it.
  std::string_view Find(Xapian::docid doc) const {
    if (doc == 0 || doc >= ends_.size()) return {};
    return std::string_view(chars_).substr(ends_[doc - 1], ends_[doc] - ends_[doc - 1]);
  }

 private:
  std::string uuid_;
  Xapian::docid last_;
  std::string chars_;                // the ids, one after the other
  std::vector<std::uint32_t> ends_;  // by document number: where its id ends in chars_
};

namespace {

// What a request checks of the index path before it trusts the databases it
// has open (Searcher::Refresh): what the path names, through every link (a
// database or stub directory, or a stub file) and, for a stub directory, its
// XAPIANDB. Two system calls.
struct PathKey {
  struct FileId {
    std::uint64_t dev = 0, ino = 0, size = 0;
    // Birth (where the file system keeps it: inode numbers are reused at
    // once) and last change of contents, in ns.
    std::int64_t born = 0, modified = 0;
    bool operator==(const FileId& o) const {
      return dev == o.dev && ino == o.ino && size == o.size && born == o.born &&
             modified == o.modified;
    }
  };
  FileId target, stub;  // all 0 when there is none

  static PathKey Of(const std::string& path) {
    PathKey key;
    struct statx st {};
    if (!Stat(path, &st)) return key;
    // A directory's contents change with every commit of a database in it
    // (and its modification time with them): only its identity counts.
    const bool dir = S_ISDIR(st.stx_mode);
    key.target = Id(st, /*contents=*/!dir);
    if (dir && Stat(path + "/" + kStubFileName, &st)) key.stub = Id(st, /*contents=*/true);
    return key;
  }
  static bool Stat(const std::string& path, struct statx* st) {
    // (Without statx, on an old kernel or behind a sandbox's filter, every
    // key is alike: a swap is then seen within kResolveSeconds, and a
    // database removed or replaced at its path by Reopen.)
    return ::statx(AT_FDCWD, path.c_str(), 0,
                   STATX_TYPE | STATX_INO | STATX_SIZE | STATX_MTIME | STATX_BTIME, st) == 0;
  }
  static FileId Id(const struct statx& st, bool contents) {
    const auto ns = [](const struct statx_timestamp& t) {
      return static_cast<std::int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec;
    };
    FileId id;
    id.dev = (static_cast<std::uint64_t>(st.stx_dev_major) << 32) | st.stx_dev_minor;
    id.ino = st.stx_ino;
    if (st.stx_mask & STATX_BTIME) id.born = ns(st.stx_btime);
    if (contents) {
      id.size = st.stx_size;
      id.modified = ns(st.stx_mtime);
    }
    return id;
  }
  bool operator==(const PathKey& o) const { return target == o.target && stub == o.stub; }

  // The identity of the file at `path` if it was last written kSettledSeconds
  // ago or more (by the real-time clock, which file times follow), else
  // nullopt. Two writes within one tick of the file system's clock (a few
  // ms) can leave files alike in size and times, and the second may take the
  // first's inode number; a settled file cannot be followed by one alike: any
  // later write is dated after it. (Git's "racy" index entries, the same
  // rule.) One system call.
  static constexpr double kSettledSeconds = 2;
  static std::optional<FileId> Settled(const std::string& path) {
    struct statx st {};
    if (!Stat(path, &st) || (st.stx_mask & STATX_MTIME) == 0) return std::nullopt;
    const FileId id = Id(st, /*contents=*/true);
    const std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    if (now - id.modified < static_cast<std::int64_t>(kSettledSeconds * 1e9)) return std::nullopt;
    return id;
  }
};

}  // namespace

// One thread's view of the index: a Database over its shards (one, for an
// unsharded index) and the analysis that goes with it.
class SearchEngine::Searcher {
 public:
  Searcher(const std::string& index, const RemoteOptions& remote)
      : index_(index), remote_(remote), builder_(analyzer_) {}

  // An open, current database, or kUnavailable when there is no index (or a
  // shard is down and partial answers are not allowed).
  //
  // Resolving the index path (its real path, a stub's list of shards) takes a
  // dozen system calls, 12% of a suggestion's CPU. What replaces the index
  // mostly changes what the path names: an indexer run that swaps
  // generations points the path's symlink at a new generation, a parent
  // directory may be a swapped link too, an index removed and built again is
  // a new directory, xapian-replicate and an editor rewrite a stub (a stub
  // directory's XAPIANDB, or the stub file the path names). So a request
  // stats what the path names (PathKey), and the path is resolved in full
  // when that changed, when nothing is open, when the open database was
  // removed or replaced (Reopen), and at least every kResolveSeconds (a
  // stub rewritten within the file system's timestamp tick at the same
  // size, a shard that a stub names swapped under it).
  Status Refresh() {
    const auto now = std::chrono::steady_clock::now();
    PathKey key = PathKey::Of(index_);
    const bool retry_down =
        !down_.empty() && now - opened_at_ > std::chrono::duration<double>(kRetryDownSeconds);
    if (db_ && key == key_ && !retry_down &&
        now - resolved_at_ <= std::chrono::duration<double>(kResolveSeconds)) {
      if (Reopen()) return Status::Ok();
      // Not the database opened any more: resolved and opened afresh below.
    }
    key_ = std::move(key);
    resolved_at_ = now;
    Result<std::vector<ShardSpec>> specs = ResolveShards(index_);
    if (!specs.ok()) {
      db_.reset();
      if (specs.status().code() != StatusCode::kUnavailable) return specs.status();
      return Status::Unavailable("no index at " + index_ + " (run sarea-index)");
    }
    // Open the databases themselves, so reopen() never mixes two generations;
    // shards that were down are tried again now and then.
    if (!db_ || *specs != specs_ || retry_down || !Reopen()) return Open(*specs);
    return Status::Ok();
  }

  void Forget() {
    db_.reset();
    languages_.reset();
    index_languages_.reset();
    kept_reads_ = IndexReads();
    reader_.reset();
    version_path_.clear();
    version_.reset();
  }
  Xapian::Database& db() { return *db_; }
  // Reads the passages of db()'s documents.
  PassageReader& reader() { return *reader_; }
  // The passages' languages in the open revision, by document number; null
  // over several shards (see LanguageCounts).
  const LanguageTable* languages() {
    if (shards_.size() != 1) return nullptr;
    if (!languages_) languages_.emplace(*db_);
    return &*languages_;
  }
  // The index's languages in the open revision: sorted (IndexLanguages), and
  // most passages first (LanguagesBySize). Kept, since every search and
  // suggestion asks: reading them seeks through the term list each time.
  struct IndexLanguageLists {
    std::vector<std::string> sorted, by_size;
  };
  const IndexLanguageLists& index_languages() {
    if (!index_languages_) {
      std::vector<std::string> sorted = IndexLanguages(*db_);
      std::vector<std::string> by_size = LanguagesBySize(*db_, sorted);
      index_languages_.emplace(IndexLanguageLists{std::move(sorted), std::move(by_size)});
    }
    return *index_languages_;
  }
  // The shards that are open, each on its own (they share the combined db's state).
  const std::vector<Xapian::Database>& shards() const { return shards_; }
  // The shards left out of this answer because they were down.
  const std::vector<std::string>& down() const { return down_; }
  // Whether a shard is served by xapian-tcpsrv.
  bool remote() const {
    return std::any_of(specs_.begin(), specs_.end(), [](const ShardSpec& s) { return s.remote(); });
  }
  Analyzer& analyzer() { return analyzer_; }
  QueryBuilder& builder() { return builder_; }
  // What the queries of the open revision read of its vocabulary and synonyms.
  IndexReads* kept_reads() { return &kept_reads_; }

 private:
  static constexpr double kRetryDownSeconds = 5;
  static constexpr double kResolveSeconds = 1;

  // Brings the open databases to their latest revision (what was kept for
  // the revision before is dropped when it changed). False, with nothing
  // open, when a database is no longer the one opened: removed (reopen()
  // throws, possibly after moving other shards on), or another one at its
  // path (an index built again under the same names, which reopen() would
  // not notice: it keeps reading the files it has open).
  //
  // Every commit writes a local database's version file anew and renames it
  // over the old one, and reopen() reads it (open, two reads, close: about
  // a tenth of a suggestion's CPU). When the file is the one seen before the
  // last reopen, and was settled then (PathKey::Settled), nothing was
  // committed since and the revision open is the latest: one statx instead.
  // It is taken before reopen(), so that a commit between the two is seen
  // by the next call.
  bool Reopen() {
    std::optional<PathKey::FileId> version;
    if (!version_path_.empty()) {
      version = PathKey::Settled(version_path_);
      if (version && version == version_) return true;
    }
    version_.reset();
    try {
      if (db_->reopen()) {
        languages_.reset();
        index_languages_.reset();
        kept_reads_ = IndexReads();
      }
    } catch (const Xapian::DatabaseOpeningError&) {
      Forget();
      return false;
    }
    if (db_->get_uuid() != uuid_) {
      Forget();
      return false;
    }
    version_ = version;
    return true;
  }

  Status Open(const std::vector<ShardSpec>& specs) {
    Forget();
    shards_.clear();
    down_.clear();
    // (Glass's version file; a database of another format has none, and is
    // then reopened on every call.)
    const std::string version_path =
        specs.size() == 1 && !specs.front().remote() ? specs.front().path + "/iamglass" : "";
    const std::optional<PathKey::FileId> version =
        version_path.empty() ? std::nullopt : PathKey::Settled(version_path);
    Xapian::Database combined;
    const auto timeout_ms = static_cast<unsigned>(remote_.timeout_seconds * 1000);
    for (const ShardSpec& spec : specs) {
      std::string failed;  // why the shard cannot be opened
      try {
        Xapian::Database shard =
            spec.remote() ? Xapian::Remote::open(spec.host, spec.port, timeout_ms, timeout_ms)
                          : Xapian::Database(spec.path);
        combined.add_database(shard);
        shards_.push_back(std::move(shard));
        continue;
      } catch (const Xapian::NetworkError& e) {
        failed = e.get_msg();
      } catch (const Xapian::DatabaseOpeningError& e) {
        failed = e.get_msg();
      }
      if (specs.size() == 1 && !spec.remote()) {
        shards_.clear();
        return Status::Unavailable("cannot open the index at " + index_ + ": " + failed);
      }
      if (!remote_.allow_partial) {
        shards_.clear();
        return Status::Unavailable("shard " + spec.Describe() + " is unavailable: " + failed);
      }
      down_.push_back(spec.Describe());
    }
    if (shards_.empty())
      return Status::Unavailable("no shard of the index at " + index_ + " is up");
    db_.emplace(std::move(combined));
    uuid_ = db_->get_uuid();
    reader_.emplace(shards_);
    specs_ = specs;
    version_path_ = version_path;
    version_ = version;
    opened_at_ = std::chrono::steady_clock::now();
    return Status::Ok();
  }

  std::string index_;
  RemoteOptions remote_;
  std::vector<ShardSpec> specs_;
  PathKey key_;  // of the index path when last resolved
  std::chrono::steady_clock::time_point resolved_at_;
  std::optional<Xapian::Database> db_;
  std::string uuid_;  // db_'s when opened (its shards', one after the other)
  // One local database's version file ("" otherwise), and its identity when
  // read by the last open or reopen, if it was settled then (see Reopen).
  std::string version_path_;
  std::optional<PathKey::FileId> version_;
  std::optional<LanguageTable> languages_;             // of db_'s revision, built when first needed
  std::optional<IndexLanguageLists> index_languages_;  // likewise
  IndexReads kept_reads_;                              // likewise
  std::optional<PassageReader> reader_;                // over shards_
  std::vector<Xapian::Database> shards_;
  std::vector<std::string> down_;
  std::chrono::steady_clock::time_point opened_at_;
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

SearchEngine::SearchEngine(std::string index, int searchers, RemoteOptions remote)
    : index_(std::move(index)) {
  for (int i = 0; i < std::max(1, searchers); ++i) {
    searchers_.push_back(std::make_unique<Searcher>(index_, remote));
    idle_.push_back(searchers_.back().get());
  }
}

SearchEngine::~SearchEngine() = default;

std::shared_ptr<const SearchEngine::PassageIds> SearchEngine::PassageIdsOf(
    const Xapian::Database& db) {
  const std::string uuid = db.get_uuid();
  if (uuid.empty()) return nullptr;
  const Xapian::docid last = db.get_lastdocid();
  std::lock_guard<std::mutex> lock(ids_mutex_);
  const auto known =
      std::find_if(ids_.begin(), ids_.end(), [&](const auto& t) { return t->uuid() == uuid; });
  if (known != ids_.end()) {
    // A table of a later revision knows every document of this one.
    if ((*known)->last() >= last) return *known;
    *known = std::make_shared<const PassageIds>(db, known->get());
    return *known;
  }
  if (ids_.size() == 2) ids_.erase(ids_.begin());
  ids_.push_back(std::make_shared<const PassageIds>(db, nullptr));
  return ids_.back();
}

// Runs `f(searcher)` on a fresh database; redoes it from scratch when the index
// changed underneath (Xapian keeps only two revisions for readers).
template <typename T, typename F>
Result<T> SearchEngine::WithSearcher(F&& f) {
  constexpr int kAttempts = 3;
  std::string last_network_error;
  Status last_unavailable =
      Status::Unavailable("the index kept changing during the query; try again");
  Lease lease(*this);
  Searcher& searcher = *lease;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    try {
      Status status = searcher.Refresh();
      if (!status.ok()) return status;
      Result<T> result = f(searcher);
      // The query builder reports a modified database as kUnavailable.
      if (result.ok() || result.status().code() != StatusCode::kUnavailable) return result;
      last_unavailable = result.status();
    } catch (const Xapian::DatabaseModifiedError&) {
    } catch (const Xapian::NetworkError& e) {
      // A remote shard went away or timed out: reopen, which leaves it out
      // (partial answers) or reports it (not allowed).
      last_network_error = e.get_description();
    } catch (const Xapian::DatabaseOpeningError& e) {
      searcher.Forget();
      return Status::Unavailable("the index cannot be read: " + e.get_msg());
    } catch (const Xapian::Error& e) {
      searcher.Forget();
      return Status::Internal(e.get_description());
    }
    searcher.Forget();  // open afresh on the next attempt
  }
  if (!last_network_error.empty())
    return Status::Unavailable("a shard of the index failed: " + last_network_error);
  return last_unavailable;
}

namespace {

// The passage with `id`, or nullopt.
std::optional<Passage> FindPassage(Xapian::Database& db, PassageReader& reader,
                                   const std::string& id) {
  const std::string term = schema::PassageIdTerm(id);
  Xapian::PostingIterator it = db.postlist_begin(term);
  if (it == db.postlist_end(term)) return std::nullopt;
  Result<Passage> passage = reader.Read(db.get_document(*it));
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
  enquire.set_weighting_scheme(schema::Weighting());
  return enquire.get_mset(0, 0, upto).get_matches_estimated();
}

// Passages per language among the matches a search shows it, and among the
// first `limit` of them. Xapian shows a match spy every match, in document
// order, until it has counted as many as it was asked to; after that mostly
// those that may still make the page, the heaviest: a sample biased to one
// language when that language's words weigh more. The first ones are as fair
// a sample as the document order. (Over remote shards, Xapian's own
// ValueCountMatchSpy: a spy of ours would have to be registered with
// xapian-tcpsrv.)
class LanguageCounts : public Xapian::MatchSpy {
 public:
  struct Counts {
    std::map<std::string, unsigned> by_lang;
    Xapian::doccount seen = 0;
  };
  // `table`: the passages' languages by document number. Null over several
  // shards: a match spy is shown each document with its number in its own
  // shard (Document::get_docid), so the language is then read as a value.
  LanguageCounts(const LanguageTable* table, Xapian::doccount limit)
      : table_(table), limit_(limit) {
    names_.emplace_back();  // LanguageTable::kNone's
    if (table_) {
      for (std::size_t i = 1; i < table_->size(); ++i)
        names_.push_back(table_->Name(static_cast<std::uint16_t>(i)));
    }
    all_.resize(names_.size());
    first_.resize(names_.size());
  }
  void operator()(const Xapian::Document& doc, double) override {
    const std::size_t lang =
        table_ ? table_->IndexOf(doc.get_docid()) : IndexOfName(doc.get_value(schema::kSlotLang));
    ++all_[lang];
    if (first_seen_ == limit_) return;
    ++first_seen_;
    ++first_[lang];
  }
  Counts all() const { return Collect(all_); }
  Counts first() const { return Collect(first_); }

 private:
  std::size_t IndexOfName(const std::string& lang) {
    const auto it = std::find(names_.begin(), names_.end(), lang);
    if (it != names_.end()) return static_cast<std::size_t>(it - names_.begin());
    names_.push_back(lang);
    all_.push_back(0);
    first_.push_back(0);
    return names_.size() - 1;
  }
  // A match without a language (none has none) is seen, in no language.
  Counts Collect(const std::vector<unsigned>& counts) const {
    Counts out;
    for (std::size_t i = 0; i < counts.size(); ++i) {
      out.seen += counts[i];
      if (counts[i] > 0 && i != LanguageTable::kNone) out.by_lang[names_[i]] = counts[i];
    }
    return out;
  }

  const LanguageTable* table_;
  Xapian::doccount limit_;
  std::vector<std::string> names_;     // by language index
  std::vector<unsigned> all_, first_;  // matches by language index
  Xapian::doccount first_seen_ = 0;
};

// The facets of a search of `total` matches: `all` when they are all of
// them, else the `first` ones scaled to `total` (then an estimate).
std::map<std::string, unsigned> Facets(const LanguageCounts::Counts& all,
                                       const LanguageCounts::Counts& first, unsigned total) {
  if (all.seen >= total || first.seen == 0) return all.by_lang;
  std::map<std::string, unsigned> counts = first.by_lang;
  const double scale = static_cast<double>(total) / first.seen;
  for (auto& [lang, count] : counts) count = static_cast<unsigned>(std::lround(count * scale));
  return counts;
}

// At least as many passages as `query` can match: its terms' frequencies over
// `shards`, summed (kept in `reads` for the open revision).
Xapian::doccount CandidatesAtMost(const std::vector<Xapian::Database>& shards, IndexReads& reads,
                                  const Xapian::Query& query) {
  Xapian::doccount sum = 0;
  for (auto t = query.get_unique_terms_begin(); t != query.get_unique_terms_end(); ++t)
    sum += ReadTermFreq(shards, reads, *t);
  return sum;
}

}  // namespace

Result<SearchResponse> SearchEngine::Search(const SearchRequest& request) {
  return WithSearcher<SearchResponse>([&](Searcher& s) -> Result<SearchResponse> {
    // (A document filter goes around the query: not "as built".)
    const QueryOptions options{request.languages, request.via_translation,
                               s.shards().size() == 1 && !s.remote() && request.doc.empty(),
                               s.index_languages().sorted, s.kept_reads()};
    Result<BuiltQuery> built = s.builder().Build(request.query, s.shards(), options);
    if (!built.ok()) return built.status();
    Xapian::Query query = built->query;
    if (!request.doc.empty()) {
      query = Xapian::Query(Xapian::Query::OP_FILTER, query,
                            Xapian::Query(schema::DocTerm(request.doc)));
    }
    const auto make_enquire = [&] {
      Xapian::Enquire enquire(s.db());
      enquire.set_query(query);
      enquire.set_weighting_scheme(schema::Weighting());
      if (request.group_pairs) enquire.set_collapse_key(schema::kSlotPair);
      return enquire;
    };
    // Hits of equal weight must come in passage-id order, the same however the
    // index is sharded (Xapian orders them by document number, which is not).
    // Sorting by relevance then id reads every candidate's id until the
    // counting is done (about 7% of a search over the handbook); fetching the
    // page again sorted, only when its edges cut equal weights, passes over
    // every match once more. So a query that can match many passages sorts
    // in its one pass: its id reads stop at about kExactCountUpTo, where a
    // second pass would not (100 copies of a passage tie at every page's
    // edge). Not over remote shards: a match spy then overcounts (SCALING.md).
    const bool sorted_pass =
        !s.remote() && CandidatesAtMost(s.shards(), *s.kept_reads(), query) > kSortedPassFrom;
    // Ids from the shared table over one local database (a key maker sees
    // each shard's own document numbers, as a match spy does), when a pass
    // is sorted.
    std::shared_ptr<const PassageIds> ids;
    std::optional<PassageIds::Key> id_key;
    const auto sort_by_id = [&](Xapian::Enquire& e) {
      if (!id_key) {
        if (s.shards().size() == 1 && !s.remote()) ids = PassageIdsOf(s.db());
        id_key.emplace(ids.get());
      }
      if (ids) {
        e.set_sort_by_relevance_then_key(&*id_key, false);
      } else {
        e.set_sort_by_relevance_then_value(schema::kSlotId, false);
      }
    };
    Xapian::Enquire enquire = make_enquire();
    if (sorted_pass) sort_by_id(enquire);
    Xapian::ValueCountMatchSpy remote_langs(schema::kSlotLang);
    std::optional<LanguageCounts> sample;
    if (s.remote()) {
      enquire.add_matchspy(&remote_langs);
    } else {
      enquire.add_matchspy(&sample.emplace(s.languages(), kExactCountUpTo));
    }
    const Xapian::doccount first = static_cast<Xapian::doccount>((request.page - 1) * request.size);
    const Xapian::doccount size = static_cast<Xapian::doccount>(request.size);
    // The page with one hit more on each side, to see whether hits of equal
    // weight straddle its edges (which of them make the page would then
    // depend on document numbers, which differ with the sharding).
    const Xapian::doccount before = first > 0 && !sorted_pass ? 1 : 0;
    Xapian::MSet mset =
        enquire.get_mset(first - before, size + before + (sorted_pass ? 0 : 1), kExactCountUpTo);
    SearchResponse response;
    response.total = mset.get_matches_estimated();
    response.total_exact = mset.get_matches_lower_bound() == mset.get_matches_upper_bound();
    if (s.remote()) {
      LanguageCounts::Counts counts;
      for (auto it = remote_langs.values_begin(); it != remote_langs.values_end(); ++it)
        counts.by_lang[*it] = it.get_termfreq();
      counts.seen = remote_langs.get_total();
      response.lang_facets = Facets(counts, counts, response.total);
    } else {
      // In pairs, Xapian estimates the number of groups even when it saw
      // every match (about 178 for 173 pairs of 174 passages). The spy sees
      // each match before collapsing, and the matcher skips none before
      // kExactCountUpTo: fewer seen is every match seen, and the lower
      // bound then counts the groups exactly. (Not over remote shards,
      // which collapse each on its own: twins paired across documents may
      // lie in two of them.)
      const LanguageCounts::Counts all = sample->all();
      if (request.group_pairs && all.seen < kExactCountUpTo) {
        response.total = mset.get_matches_lower_bound();
        response.total_exact = true;
      }
      response.lang_facets = Facets(all, sample->first(), response.total);
    }
    response.relaxed = built->relaxed;
    response.partial = !s.down().empty();
    const auto weight = [](const Xapian::MSet& m, Xapian::doccount i) { return m[i].get_weight(); };
    const bool tie_at_edge =
        !sorted_pass && ((before > 0 && mset.size() > 1 && weight(mset, 0) == weight(mset, 1)) ||
                         (mset.size() > before + size &&
                          weight(mset, before + size - 1) == weight(mset, before + size)));
    // Then the page again, ties in passage-id order: the same page however the
    // index is sharded (when the first pass was not sorted, see above).
    // Pairs always: which of two twins of equal weight stands for the pair
    // is decided by that order too.
    std::optional<Xapian::Enquire> ordered;
    Xapian::doccount skip = before;
    if (tie_at_edge || (request.group_pairs && !sorted_pass)) {
      ordered.emplace(make_enquire());
      sort_by_id(*ordered);
      mset = ordered->get_mset(first, size);
      skip = 0;
    }
    const Xapian::Enquire& matched = ordered ? *ordered : enquire;
    // The page's hits, equal weights in passage-id order as above.
    // (The id comes from the passage's data, which the page reads anyway:
    // a value read would cost a second lookup per hit.)
    struct PageHit {
      Xapian::MSetIterator it;
      Passage passage;
    };
    std::vector<PageHit> page;
    page.reserve(mset.size());  // (a PageHit is copied, not moved, when the vector grows)
    for (Xapian::doccount i = skip; i < mset.size() && i < skip + size; ++i) {
      const Xapian::MSetIterator it = mset[i];
      Result<Passage> passage = s.reader().Read(it.get_document());
      if (!passage.ok()) return passage.status();
      page.push_back({it, std::move(passage).value()});
    }
    std::stable_sort(page.begin(), page.end(), [](const PageHit& a, const PageHit& b) {
      const double wa = a.it.get_weight(), wb = b.it.get_weight();
      return wa != wb ? wa > wb : a.passage.id < b.passage.id;
    });
    int rank = static_cast<int>(first);
    for (PageHit& item : page) {
      const Xapian::MSetIterator& it = item.it;
      Hit hit;
      hit.passage = std::move(item.passage);
      hit.rank = ++rank;
      hit.score = it.get_weight();
      hit.snippet =
          MakeSnippet(hit.passage.text, hit.passage.lang, built->keys_by_lang[hit.passage.lang],
                      s.analyzer(), SnippetOptions{request.snippet_length});
      hit.via_translation = request.via_translation && MatchedOnlyViaTranslation(matched, it);
      if (!hit.passage.translation.empty())
        hit.translation = FindPassage(s.db(), s.reader(), hit.passage.translation);
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
        SpellingCorrections(request.query, s.db(), s.shards(), s.index_languages().by_size,
                            built->languages, s.analyzer(), s.kept_reads());
    Xapian::doccount best = std::max<Xapian::doccount>(response.total, 1) - 1;
    for (const Correction& c : corrections) {
      if (!response.did_you_mean.empty() && c.distance > corrections.front().distance) break;
      Result<BuiltQuery> corrected = s.builder().Build(c.query, s.shards(), options);
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
    std::optional<Passage> passage = FindPassage(s.db(), s.reader(), id);
    if (!passage && !s.down().empty())
      return Status::Unavailable("passage '" + id + "' may be on a shard that is down");
    if (!passage) return Status::NotFound("no passage with id '" + id + "'");
    std::optional<Passage> translation;
    if (!passage->translation.empty())
      translation = FindPassage(s.db(), s.reader(), passage->translation);
    return Answer{std::move(*passage), std::move(translation)};
  });
}

Result<std::vector<Suggestion>> SearchEngine::Suggest(const SuggestRequest& request) {
  return WithSearcher<std::vector<Suggestion>>([&](Searcher& s) -> Result<std::vector<Suggestion>> {
    Result<std::vector<std::string>> langs =
        CheckLanguages(s.index_languages().sorted, request.languages);
    if (!langs.ok()) return langs.status();
    return Complete(request.typed, s.shards(), *langs, request.size);
  });
}

Result<IndexStats> SearchEngine::Stats() {
  return WithSearcher<IndexStats>([&](Searcher& s) -> Result<IndexStats> {
    IndexStats stats;
    Xapian::Database& db = s.db();
    stats.passages = db.get_doccount();
    // Each shard has its documents' records; a sharded index's revision is
    // the sum of its shards', so it grows with every commit to any of them.
    const std::string prefix = schema::kMetaDocPrefix;
    for (const Xapian::Database& shard : s.shards()) {
      try {
        stats.revision += shard.get_revision();
      } catch (const Xapian::UnimplementedError&) {
        stats.revision_known = false;  // the remote backend does not tell
      }
      for (auto it = shard.metadata_keys_begin(prefix); it != shard.metadata_keys_end(prefix); ++it)
        ++stats.documents;
    }
    stats.shards = static_cast<unsigned>(s.shards().size() + s.down().size());
    stats.partial = !s.down().empty();
    for (const std::string& lang : IndexLanguages(db)) {
      stats.languages[lang] = db.get_termfreq(schema::LangTerm(lang));
    }
    return stats;
  });
}

}  // namespace sarea::server
