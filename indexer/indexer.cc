#include "indexer/indexer.h"

#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>
#include <utility>

#include <xapian.h>

#include "common/analyzer.h"
#include "common/language_identifier.h"
#include "common/lemmatizer.h"
#include "common/passage.h"
#include "common/query_builder.h"
#include "common/readers.h"
#include "common/record_codec.h"
#include "common/schema.h"
#include "common/synonyms.h"
#include "common/vocabulary.h"
#include "indexer/index_store.h"
#include "indexer/progress.h"

namespace sarea::indexer {
namespace fs = std::filesystem;
namespace {

// Mixed into every content hash, so a new schema or analysis re-indexes all.
const std::string kVersionSalt = "schema=" + std::to_string(schema::kSchemaVersion) +
                                 ";analyzer=" + std::to_string(kAnalyzerVersion) + ";";

// How many files the preparing thread may read and analyse ahead of the writer.
constexpr std::size_t kFilesAhead = 8;

// Sets metadata `key` unless it already has `value`: a run that changes
// nothing then leaves the database without a modification, and its commit
// writes no new revision (no syncs, no reopening servers).
void SetMetadataIfOther(Xapian::WritableDatabase& db, const std::string& key,
                        const std::string& value) {
  if (db.get_metadata(key) != value) db.set_metadata(key, value);
}

// At the corpus root: synonym groups for queries (common/synonyms.h), not a document.
const char kSynonymsFile[] = "synonyms.txt";

// What the file system says of a file: while these are the ones recorded with
// a file's hash, its bytes are those hashed, and a run does not read it.
// Every write sets the modification and change times, and a rename or a copy
// makes another inode, so a change shows in them (the change time, which no
// program can set back, catches a copy that keeps the modification time);
// except a change within the times' resolution of the recorded state, which
// Settled() guards against. All zero: none recorded.
struct FileStat {
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;
  std::uint64_t inode = 0;

  bool operator==(const FileStat& o) const {
    return size == o.size && mtime_ns == o.mtime_ns && ctime_ns == o.ctime_ns && inode == o.inode;
  }
  bool operator!=(const FileStat& o) const { return !(*this == o); }
  bool Recorded() const { return *this != FileStat{}; }
};

// How long after its last change a file's times are trusted to show the next
// one: a change within a tick of the file system's clock (a few milliseconds
// on ext4, two seconds on FAT) leaves the times as they were.
constexpr std::chrono::seconds kSettle{2};

std::int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The file's stat, or none when it cannot be had (its read then says why).
std::optional<FileStat> StatFile(const fs::path& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  constexpr std::int64_t kNs = 1000000000;
  return FileStat{
      static_cast<std::uint64_t>(st.st_size), st.st_mtim.tv_sec * kNs + st.st_mtim.tv_nsec,
      st.st_ctim.tv_sec * kNs + st.st_ctim.tv_nsec, static_cast<std::uint64_t>(st.st_ino)};
}

// True when `stat`, taken at `seen`, may be recorded: its times are older
// than kSettle, so a change after it gets other times.
bool Settled(const FileStat& stat, std::int64_t seen) {
  const std::int64_t settle = std::chrono::nanoseconds(kSettle).count();
  return std::max(stat.mtime_ns, stat.ctime_ns) <= seen - settle;
}

struct FileRecord {
  std::string hash;  // "" when the file had bad records: read it again next run
  std::vector<std::string> docs;
  FileStat stat;  // when the file was hashed (none when not Settled then)
};

struct ScannedCorpus {
  std::vector<std::string> files;  // relative paths, sorted
  int skipped = 0;
};

bool Hidden(const fs::path& rel) {
  for (const fs::path& part : rel) {
    if (!part.empty() && part.string()[0] == '.') return true;
  }
  return false;
}

Result<ScannedCorpus> ScanCorpus(const fs::path& corpus) {
  std::error_code ec;
  if (!fs::is_directory(corpus, ec)) {
    return Status::InvalidArgument("corpus directory " + corpus.string() + " does not exist");
  }
  ScannedCorpus scanned;
  for (fs::recursive_directory_iterator
           it(corpus, fs::directory_options::skip_permission_denied, ec),
       end;
       it != end; it.increment(ec)) {
    if (ec) break;
    // Lexically: a symlinked file keeps its own name, not its target's.
    const fs::path rel = it->path().lexically_relative(corpus);
    if (Hidden(rel) || rel == kSynonymsFile) continue;
    if (!it->is_regular_file(ec)) continue;
    if (FormatForPath(rel.generic_string()) == Format::kUnknown)
      ++scanned.skipped;
    else
      scanned.files.push_back(rel.generic_string());
  }
  std::sort(scanned.files.begin(), scanned.files.end());
  return scanned;
}

// Reads a whole file; the reason in plain words when it cannot.
Result<std::string> ReadWholeFile(const fs::path& path, std::uintmax_t max_bytes) {
  std::error_code ec;
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec)
    return Status::IoError(ec == std::errc::no_such_file_or_directory ? "file vanished"
                                                                      : ec.message());
  if (size > max_bytes) {
    return Status::InvalidArgument("file too large (" + std::to_string(size) +
                                   " bytes; the limit is " + std::to_string(max_bytes) + ")");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::IoError(errno == EACCES   ? "permission denied"
                           : errno == ENOENT ? "file vanished"
                                             : std::strerror(errno));
  }
  std::string bytes(static_cast<std::size_t>(size), '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  if (in.bad()) return Status::IoError("read error");
  return bytes;
}

std::string DocumentHash(const SourceDocument& d) {
  nlohmann::json j = {
      {"title", d.title}, {"lang", d.lang}, {"url", d.url}, {"translation_of", d.translation_of}};
  for (const Block& b : d.blocks)
    j["blocks"].push_back({static_cast<int>(b.kind), b.level, b.lang, b.text});
  return schema::HashKey(kVersionSalt + j.dump());
}

// A document's passages, analysed into Xapian documents (one per passage).
struct PreparedDocument {
  std::vector<Passage> passages;
  std::vector<Xapian::Document> documents;
  std::vector<std::vector<std::string>> vocabularies;  // each passage's entries
};

// What a file becomes before any database work: read, parsed, and each
// document's passages analysed. Made ahead of the writer on a second thread.
struct PreparedFile {
  std::string rel;
  Status failed;           // the file could not be read or parsed: why
  std::string hash;        // of its bytes (with kVersionSalt)
  bool unchanged = false;  // the hash recorded for it: nothing more was done
  bool hashed = false;     // its bytes were read (not only its stat)
  FileStat stat;           // to record with its hash (none when not Settled)
  ReadResult read;
  std::vector<PreparedDocument> docs;  // parallel to read.documents
  std::exception_ptr error;            // thrown while preparing: the writer rethrows it
  // Trained on the plain records up to this file's: the writer stores it with
  // this file, and the files after it are compressed with it.
  std::shared_ptr<const RecordDictionary> dictionary;
  // The passages of those samples (document id, passage id), written plain.
  std::vector<std::pair<std::string, std::string>> samples;
};

// Builds each passage's Xapian document, with its twin's keys when the twin
// is among `passages`, and its vocabulary entries.
void ToXapianDocuments(PreparedDocument& prepared, Analyzer& analyzer,
                       RecordCompressor& compressor) {
  std::map<std::string, const Passage*> by_id;
  for (const Passage& p : prepared.passages) by_id[p.id] = &p;
  prepared.documents.clear();
  prepared.documents.reserve(prepared.passages.size());
  prepared.vocabularies.assign(prepared.passages.size(), {});
  for (std::size_t i = 0; i < prepared.passages.size(); ++i) {
    const Passage& p = prepared.passages[i];
    const auto twin = by_id.find(p.translation);
    prepared.documents.push_back(ToXapianDocument(p, analyzer,
                                                  twin == by_id.end() ? nullptr : twin->second,
                                                  &prepared.vocabularies[i], &compressor));
  }
}

// Reads and analyses files for the writer. Touches no database: everything it
// needs (the recorded hashes) is read before it starts. One per thread.
class Preparer {
 public:
  // `dictionary`: the index's (null when it has none: the preparer then
  // trains one on the first RecordDictionary::kTrainingBytes of records).
  Preparer(const IndexOptions& options, const std::map<std::string, FileRecord>& records,
           bool force, std::shared_ptr<const RecordDictionary> dictionary,
           std::shared_ptr<const Lemmatizer> lemmatizer)
      : options_(options),
        records_(records),
        force_(force),
        analyzer_(std::move(lemmatizer)),
        identifier_(LanguageIdentifierOptions{options.expected_languages}) {
    compressor_.set_dictionary(std::move(dictionary));
  }

  PreparedFile Prepare(const std::string& rel) {
    PreparedFile file;
    file.rel = rel;
    try {
      const fs::path path = options_.corpus / rel;
      const auto old = records_.find(rel);
      const FileRecord* recorded = old == records_.end() ? nullptr : &old->second;
      // Taken before the stat: whatever changes the file later has later times.
      const std::int64_t seen = NowNs();
      const std::optional<FileStat> stat = StatFile(path);
      if (!force_ && !options_.checksum && stat && stat->Recorded() && recorded &&
          !recorded->hash.empty() && recorded->stat == *stat &&
          stat->size <= options_.max_file_bytes) {
        file.unchanged = true;
        file.stat = *stat;
        return file;
      }
      Result<std::string> bytes = ReadWholeFile(path, options_.max_file_bytes);
      if (!bytes.ok()) {
        file.failed = bytes.status();
        return file;
      }
      file.hashed = true;
      file.hash = schema::HashKey(kVersionSalt + *bytes);
      if (stat && Settled(*stat, seen)) file.stat = *stat;
      if (!force_ && recorded && recorded->hash == file.hash) {
        file.unchanged = true;
        return file;
      }
      Result<ReadResult> read = ReadFile(rel, *bytes);
      if (!read.ok()) {
        file.failed = read.status();
        return file;
      }
      file.read = std::move(read).value();
      for (const SourceDocument& doc : file.read.documents) {
        PreparedDocument& prepared = file.docs.emplace_back();
        prepared.passages = BuildPassages(doc, identifier_);
        ToXapianDocuments(prepared, analyzer_, compressor_);
      }
      if (!compressor_.dictionary() && !trained_) Sample(file);
    } catch (...) {
      file.error = std::current_exception();
    }
    return file;
  }

 private:
  // Keeps the file's plain records as training samples; once there are
  // enough, trains the dictionary and hands it to the writer with the file.
  void Sample(PreparedFile& file) {
    for (const PreparedDocument& prepared : file.docs) {
      for (std::size_t i = 0; i < prepared.documents.size(); ++i) {
        samples_.push_back(prepared.documents[i].get_data());
        sample_bytes_ += samples_.back().size();
        sampled_.emplace_back(prepared.passages[i].doc, prepared.passages[i].id);
      }
    }
    if (sample_bytes_ < RecordDictionary::kTrainingBytes) return;
    trained_ = true;  // once a run, whatever comes of it
    file.dictionary = RecordDictionary::Train(samples_);
    compressor_.set_dictionary(file.dictionary);
    if (file.dictionary) file.samples = std::move(sampled_);
    std::vector<std::string>().swap(samples_);
  }

  const IndexOptions& options_;
  const std::map<std::string, FileRecord>& records_;
  bool force_;
  Analyzer analyzer_;
  LanguageIdentifier identifier_;
  RecordCompressor compressor_;
  std::vector<std::string> samples_;
  std::vector<std::pair<std::string, std::string>> sampled_;  // their passages
  std::size_t sample_bytes_ = 0;
  bool trained_ = false;
};

// A bounded first-in first-out hand-over from the preparing thread to the
// writer. Close() makes Push() give up, so the writer can stop the preparer.
// Files the writer is done with come back to be freed on the preparing thread:
// freeing a file's documents and passages was 7% of the writer's time.
class PreparedQueue {
 public:
  explicit PreparedQueue(std::size_t capacity) : capacity_(capacity) {}

  // False when the queue was closed.
  bool Push(PreparedFile file) {
    std::vector<PreparedFile> spent;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      spent.swap(spent_);
    }
    spent.clear();  // outside the lock
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    if (closed_) return false;
    items_.push_back(std::move(file));
    changed_.notify_all();
    return true;
  }
  // Hands a popped file back, to be freed by the next Push() (or with the
  // queue). The writer keeps nothing of it: Xapian's reference counts are
  // not atomic.
  void GiveBack(PreparedFile file) {
    std::lock_guard<std::mutex> lock(mutex_);
    spent_.push_back(std::move(file));
  }
  PreparedFile Pop() {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return !items_.empty(); });
    PreparedFile file = std::move(items_.front());
    items_.pop_front();
    changed_.notify_all();
    return file;
  }
  void Close() {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    changed_.notify_all();
  }

 private:
  std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<PreparedFile> items_;
  std::vector<PreparedFile> spent_;
  bool closed_ = false;
};

class Indexer {
 public:
  // `shards`: one database, or the shards of a sharded index in order.
  // `lemmatizer`: the run's, with the index's table of lemmas (SaveLemmas).
  Indexer(const IndexOptions& options, std::vector<Xapian::WritableDatabase>& shards, bool force,
          std::shared_ptr<const Lemmatizer> lemmatizer)
      : options_(options),
        shards_(shards),
        force_(force),
        lemmatizer_(lemmatizer),
        analyzer_(std::move(lemmatizer)),
        vocabulary_(shards.size()),
        run_stamp_(schema::HashKey(std::to_string(std::random_device()()) + "/" +
                                   std::to_string(std::random_device()()))) {}

  void Run(const ScannedCorpus& corpus, Report& report);

 private:
  enum class Change { kAdded, kUpdated, kDeleted, kUnchanged };

  // The shard that holds a document, its passages and its record.
  std::size_t ShardIndex(const std::string& doc_id) const {
    return schema::ShardOf(doc_id, static_cast<unsigned>(shards_.size()));
  }
  Xapian::WritableDatabase& Home(const std::string& doc_id) { return shards_[ShardIndex(doc_id)]; }
  // Where the corpus-wide records live (the file records).
  Xapian::WritableDatabase& Catalogue() { return shards_[0]; }
  void Tally(const std::string& doc_id, Change change);

  void BeginTransactions();
  void LoadFileRecords();
  // True when the file changed the index (unchanged and unreadable ones do not).
  bool ProcessFile(const PreparedFile& file);
  void IndexDocument(const SourceDocument& doc, const std::string& rel,
                     const PreparedDocument& prepared);
  void DeleteDocument(const std::string& doc_id);
  void RemoveVanished(const std::set<std::string>& present);
  void RemoveOrphans(const std::set<std::string>& present);
  void ApplyStatedPairs();
  void LoadSynonyms();
  std::shared_ptr<const RecordDictionary> LoadRecordDictionary();
  void CompressSamples();
  void SaveLemmas();
  void DeletePassages(const std::string& doc_id);
  void DeletePassagesBeyond(const std::string& doc_id, const std::set<std::string>& kept);
  void UncountStored(const Xapian::Document& stored, std::size_t shard);
  void Uncount(const Passage& stored, std::size_t shard);
  void Commit(bool last);
  std::vector<Passage> StoredPassages(const std::string& doc_id);
  void WritePassages(std::vector<Passage> passages, bool replace);
  void WritePassages(const PreparedDocument& prepared, bool replace);
  void SetPairedWith(const std::string& doc_id, const std::string& partner);
  void WriteFileRecord(const std::string& rel, const FileRecord& record);
  void Fail(const std::string& path, const std::string& reason) {
    report_->failed.push_back({path, reason});
  }

  const IndexOptions& options_;
  std::vector<Xapian::WritableDatabase>& shards_;
  bool force_;
  std::shared_ptr<const Lemmatizer> lemmatizer_;
  Analyzer analyzer_;                    // for pairs applied at the end of a run
  RecordCompressor compressor_;          // for the passages written here
  std::optional<PassageReader> reader_;  // of the stored passages
  // The passages (document id, passage id) whose records this run's record
  // dictionary was trained on, written before it and so plain.
  std::vector<std::pair<std::string, std::string>> plain_samples_;
  Report* report_ = nullptr;
  std::map<std::string, FileRecord> records_;       // by path, as committed before
  std::map<std::string, std::string> doc_sources_;  // doc id -> path, this run
  std::set<std::string> reindexed_;                 // docs whose passages this run rewrote
  std::set<std::string> read_;                      // files read and parsed this run
  // Vocabulary changes not yet written, per shard: one change per entry and
  // batch, not one per passage.
  std::vector<VocabularyChanges> vocabulary_;
  // Each commit stamps every shard alike (sharded indexes only): shards whose
  // stamps differ were left by a run killed between two of their commits.
  std::string run_stamp_;
  int commits_ = 0;
  bool torn_ = false;  // the last run was: the file records cannot be trusted
};

void Indexer::Tally(const std::string& doc_id, Change change) {
  const auto bump = [change](auto& counts) {
    switch (change) {
      case Change::kAdded:
        ++counts.added;
        break;
      case Change::kUpdated:
        ++counts.updated;
        break;
      case Change::kDeleted:
        ++counts.deleted;
        break;
      case Change::kUnchanged:
        ++counts.unchanged;
        break;
    }
  };
  bump(*report_);
  if (report_->shards.size() > 1) bump(report_->shards[ShardIndex(doc_id)]);
}

void Indexer::BeginTransactions() {
  for (Xapian::WritableDatabase& shard : shards_) shard.begin_transaction();
}

// A file whose record holds its current hash is not read again. In a sharded
// index that needs every shard to have committed what the record says; after
// a run killed between two shards' commits they may not have (a document
// deleted or rewritten in one shard while shard 0's record still names the
// file's former content, to which the file may come back). Then every file
// is read again, its documents compared with their own records.
void Indexer::LoadFileRecords() {
  const std::string prefix = schema::kMetaFilePrefix;
  Xapian::WritableDatabase& db = Catalogue();
  for (auto it = db.metadata_keys_begin(prefix); it != db.metadata_keys_end(prefix); ++it) {
    const nlohmann::json j = nlohmann::json::parse(db.get_metadata(*it), nullptr, false);
    if (!j.is_object() || !j.contains("path")) continue;
    FileRecord& record = records_[j.value("path", "")];
    record.hash = j.value("hash", "");
    record.docs = j.value("docs", std::vector<std::string>{});
    const nlohmann::json& stat = j.contains("stat") ? j["stat"] : nlohmann::json();
    if (stat.is_array() && stat.size() == 4 && stat[0].is_number_unsigned() &&
        stat[1].is_number_integer() && stat[2].is_number_integer() &&
        stat[3].is_number_unsigned()) {
      record.stat = {stat[0].get<std::uint64_t>(), stat[1].get<std::int64_t>(),
                     stat[2].get<std::int64_t>(), stat[3].get<std::uint64_t>()};
    }
  }
  const std::string stamp = db.get_metadata(schema::kMetaCommit);
  for (Xapian::WritableDatabase& shard : shards_)
    torn_ = torn_ || shard.get_metadata(schema::kMetaCommit) != stamp;
  if (torn_) {
    for (auto& [path, record] : records_) record.hash.clear();
  }
}

void Indexer::WriteFileRecord(const std::string& rel, const FileRecord& record) {
  const std::string key = schema::FileMetaKey(rel);
  if (record.docs.empty() && record.hash.empty()) return Catalogue().set_metadata(key, "");
  nlohmann::json j = {{"path", rel}, {"hash", record.hash}, {"docs", record.docs}};
  if (record.stat.Recorded()) {
    j["stat"] = {record.stat.size, record.stat.mtime_ns, record.stat.ctime_ns, record.stat.inode};
  }
  Catalogue().set_metadata(key, j.dump());
}

// The vocabulary counts, for each entry, the passages that have it, so it
// follows every passage written or deleted; each shard counts its own. A
// stored passage's entries are not terms: they come from its text again.
void Indexer::UncountStored(const Xapian::Document& stored, std::size_t shard) {
  Result<Passage> passage = reader_->Read(stored);
  if (passage.ok()) Uncount(*passage, shard);
}

void Indexer::Uncount(const Passage& stored, std::size_t shard) {
  vocabulary_[shard].Count(PassageVocabulary(stored, analyzer_), -1);
}

// Commits each shard's transaction with the vocabulary changes of its passages,
// shard 0 last: its file records say which files are done, so a run killed
// between two commits has the next one read again every file whose documents
// may be missing from some shard (their own records tell which are not).
//
// A run that found the shards torn keeps them marked so (shard 0's stamp
// differs) until its last commit: what it repairs is only known at its end
// (RemoveOrphans), so a kill before that must leave the next run repairing.
void Indexer::Commit(bool last) {
  const std::string stamp = run_stamp_ + "." + std::to_string(++commits_);
  for (std::size_t shard = shards_.size(); shard-- > 0;) {
    vocabulary_[shard].Apply(shards_[shard]);
    if (shards_.size() > 1) {
      shards_[shard].set_metadata(schema::kMetaCommit,
                                  shard == 0 && torn_ && !last ? stamp + " repairing" : stamp);
    }
    shards_[shard].commit_transaction();
  }
}

void Indexer::DeletePassages(const std::string& doc_id) { DeletePassagesBeyond(doc_id, {}); }

// Deletes the passages of `doc_id` whose ids are not in `kept`.
void Indexer::DeletePassagesBeyond(const std::string& doc_id, const std::set<std::string>& kept) {
  const std::string term = schema::DocTerm(doc_id);
  const std::size_t shard = ShardIndex(doc_id);
  Xapian::WritableDatabase& db = shards_[shard];
  std::vector<Xapian::docid> gone;
  for (auto it = db.postlist_begin(term); it != db.postlist_end(term); ++it) {
    const Xapian::Document stored = db.get_document(*it);
    if (kept.count(stored.get_value(schema::kSlotId))) continue;
    UncountStored(stored, shard);
    gone.push_back(*it);
  }
  for (const Xapian::docid id : gone) db.delete_document(id);
}

void Indexer::DeleteDocument(const std::string& doc_id) {
  DeletePassages(doc_id);
  Home(doc_id).set_metadata(schema::DocMetaKey(doc_id), "");
  Tally(doc_id, Change::kDeleted);
}

void Indexer::IndexDocument(const SourceDocument& doc, const std::string& rel,
                            const PreparedDocument& prepared) {
  Xapian::WritableDatabase& db = Home(doc.id);
  const std::string hash = DocumentHash(doc);
  const std::string meta_key = schema::DocMetaKey(doc.id);
  const nlohmann::json old = nlohmann::json::parse(db.get_metadata(meta_key), nullptr, false);
  const bool existed = old.is_object();
  if (!force_ && existed && old.value("hash", "") == hash) {
    Tally(doc.id, Change::kUnchanged);
    if (old.value("source", "") != rel) {
      nlohmann::json moved = old;
      moved["source"] = rel;
      db.set_metadata(meta_key, moved.dump());
    }
    return;
  }
  const std::vector<Passage>& passages = prepared.passages;
  // A passage's id is its document and position: a new version of the
  // document replaces its passages id by id, and Xapian then writes only
  // what differs (an appended paragraph leaves the others nearly untouched;
  // deleting them all and adding them again rewrote every posting).
  if (db.term_exists(schema::DocTerm(doc.id))) {
    std::set<std::string> kept;
    for (const Passage& p : passages) kept.insert(p.id);
    DeletePassagesBeyond(doc.id, kept);
    WritePassages(prepared, /*replace=*/true);
  } else {
    WritePassages(prepared, /*replace=*/false);
  }
  for (const Passage& p : passages) ++report_->indexed[p.lang];
  // No "paired_with": a stated pairing is (re)applied at the end of the run,
  // and a run killed before that applies it next time.
  nlohmann::json record = {
      {"doc", doc.id}, {"source", rel}, {"hash", hash}, {"passages", passages.size()}};
  if (!doc.translation_of.empty()) record["translation_of"] = doc.translation_of;
  db.set_metadata(meta_key, record.dump());
  reindexed_.insert(doc.id);
  Tally(doc.id, existed ? Change::kUpdated : Change::kAdded);
}

std::vector<Passage> Indexer::StoredPassages(const std::string& doc_id) {
  std::vector<Passage> passages;
  const std::string term = schema::DocTerm(doc_id);
  Xapian::WritableDatabase& db = Home(doc_id);
  for (auto it = db.postlist_begin(term); it != db.postlist_end(term); ++it) {
    Result<Passage> passage = reader_->Read(db.get_document(*it));
    if (passage.ok()) passages.push_back(std::move(*passage));
  }
  std::sort(passages.begin(), passages.end(),
            [](const Passage& a, const Passage& b) { return a.position < b.position; });
  return passages;
}

// Writes each passage (into its document's shard), with its twin's keys when
// the twin is among `passages`; with `replace`, over the stored passage of the
// same id (whose vocabulary is uncounted first, unless the text is the same),
// else as a new one.
void Indexer::WritePassages(std::vector<Passage> passages, bool replace) {
  PreparedDocument prepared;
  prepared.passages = std::move(passages);
  ToXapianDocuments(prepared, analyzer_, compressor_);
  WritePassages(prepared, replace);
}

void Indexer::WritePassages(const PreparedDocument& prepared, bool replace) {
  for (std::size_t i = 0; i < prepared.passages.size(); ++i) {
    const Passage& passage = prepared.passages[i];
    const Xapian::Document& doc = prepared.documents[i];
    const std::size_t shard = ShardIndex(passage.doc);
    Xapian::WritableDatabase& db = shards_[shard];
    if (!replace) {
      vocabulary_[shard].Count(prepared.vocabularies[i], +1);
      db.add_document(doc);
      continue;
    }
    const std::string id_term = schema::PassageIdTerm(passage.id);
    const Xapian::PostingIterator old = db.postlist_begin(id_term);
    bool same_text = false;
    if (old != db.postlist_end(id_term)) {
      Result<Passage> before = reader_->Read(db.get_document(*old));
      same_text = before.ok() && before->text == passage.text && before->lang == passage.lang;
      if (!same_text && before.ok()) Uncount(*before, shard);
    }
    if (!same_text) vocabulary_[shard].Count(prepared.vocabularies[i], +1);
    db.replace_document(id_term, doc);
  }
}

void Indexer::SetPairedWith(const std::string& doc_id, const std::string& partner) {
  Xapian::WritableDatabase& db = Home(doc_id);
  const std::string key = schema::DocMetaKey(doc_id);
  nlohmann::json record = nlohmann::json::parse(db.get_metadata(key), nullptr, false);
  if (!record.is_object()) return;
  if (partner.empty())
    record.erase("paired_with");
  else
    record["paired_with"] = partner;
  db.set_metadata(key, record.dump());
}

// Documents that state "translation_of" are paired with the document they
// name, across files, after every file has been read: the statement may come
// before or after its target, and either side may change alone. A pair is
// redone when either side was re-indexed or the pairing changed; a document
// that lost its stated partner goes back to the aligner's own pairs. The two
// sides may be in different shards: each passage keeps its twin's id and
// keys in its own document, so nothing needs them together.
void Indexer::ApplyStatedPairs() {
  struct Entry {
    std::string source, states, paired_with;
  };
  std::map<std::string, Entry> docs;
  const std::string prefix = schema::kMetaDocPrefix;
  for (Xapian::WritableDatabase& db : shards_) {
    for (auto it = db.metadata_keys_begin(prefix); it != db.metadata_keys_end(prefix); ++it) {
      const nlohmann::json j = nlohmann::json::parse(db.get_metadata(*it), nullptr, false);
      if (!j.is_object() || !j.contains("doc")) continue;
      docs[j.value("doc", "")] = {j.value("source", ""), j.value("translation_of", ""),
                                  j.value("paired_with", "")};
    }
  }
  // The pairs stated now, one partner each; on a conflict the smaller id wins.
  std::map<std::string, std::string> partner;
  for (const auto& [id, entry] : docs) {
    if (entry.states.empty()) continue;
    const std::string what = "document '" + id + "': translation_of '" + entry.states + "' ";
    if (!docs.count(entry.states)) {
      Fail(entry.source, what + "names no document in the corpus");
      continue;
    }
    const auto mine = partner.find(id);
    if (mine != partner.end()) {
      if (mine->second != entry.states)
        Fail(entry.source, what + "conflicts with its pairing to '" + mine->second + "'");
      continue;
    }
    const auto theirs = partner.find(entry.states);
    if (theirs != partner.end()) {
      Fail(entry.source, what + "is already paired with '" + theirs->second + "'");
      continue;
    }
    partner[id] = entry.states;
    partner[entry.states] = id;
  }
  std::set<std::string> done;
  for (const auto& [id, entry] : docs) {
    if (done.count(id)) continue;
    const auto stated = partner.find(id);
    if (stated == partner.end()) {
      if (entry.paired_with.empty()) continue;  // the aligner's pairs stand
      std::vector<Passage> passages = StoredPassages(id);
      AlignPassages(passages);
      WritePassages(std::move(passages), /*replace=*/true);
      SetPairedWith(id, "");
      continue;
    }
    const std::string& other = stated->second;
    done.insert(other);
    if (!reindexed_.count(id) && !reindexed_.count(other) && entry.paired_with == other &&
        docs[other].paired_with == id)
      continue;
    std::vector<Passage> mine = StoredPassages(id), theirs = StoredPassages(other);
    PairStatedTranslations(mine, theirs);
    mine.insert(mine.end(), theirs.begin(), theirs.end());
    WritePassages(std::move(mine), /*replace=*/true);
    SetPairedWith(id, other);
    SetPairedWith(other, id);
  }
}

bool Indexer::ProcessFile(const PreparedFile& file) {
  if (file.error) std::rethrow_exception(file.error);
  if (file.dictionary) {
    // In this batch's transactions: committed with the first passages it compresses.
    for (Xapian::WritableDatabase& db : shards_)
      db.set_metadata(schema::kMetaRecordDictionary, file.dictionary->bytes());
    compressor_.set_dictionary(file.dictionary);
    plain_samples_ = file.samples;
  }
  const std::string& rel = file.rel;
  if (!file.failed.ok()) {
    Fail(rel, file.failed.message());
    return false;
  }
  const auto old = records_.find(rel);
  if (file.hashed) ++report_->read;
  if (file.unchanged) {
    for (const std::string& id : old->second.docs) {
      doc_sources_.emplace(id, rel);
      Tally(id, Change::kUnchanged);
    }
    // Same bytes, other times (touched, copied, or hashed before its times
    // settled): recorded now, so that the next run need not read it.
    if (file.stat != old->second.stat) {
      FileRecord record = old->second;
      record.stat = file.stat;
      WriteFileRecord(rel, record);
    }
    return false;
  }
  for (const std::string& error : file.read.record_errors) Fail(rel, error);
  read_.insert(rel);
  FileRecord record{file.read.record_errors.empty() ? file.hash : "", {}, {}};
  if (!record.hash.empty()) record.stat = file.stat;
  for (std::size_t i = 0; i < file.read.documents.size(); ++i) {
    const SourceDocument& doc = file.read.documents[i];
    const auto [it, fresh] = doc_sources_.emplace(doc.id, rel);
    if (!fresh) {
      Fail(rel, "duplicate document id '" + doc.id + "' (also in " + it->second + ")");
      continue;
    }
    IndexDocument(doc, rel, file.docs[i]);
    record.docs.push_back(doc.id);
  }
  if (old != records_.end()) {
    const std::set<std::string> now(record.docs.begin(), record.docs.end());
    for (const std::string& id : old->second.docs) {
      if (!now.count(id) && !doc_sources_.count(id)) DeleteDocument(id);
    }
  }
  WriteFileRecord(rel, record);
  return true;
}

// After a torn commit the file records do not name every document the other
// shards hold: a document a killed run added there (or moved to another
// file) may be in no record of shard 0. Its own record names its file; when
// that file is gone, or was read in this run without it, the document goes.
// (Every file is read in such a run; one that could not be read keeps its
// documents, as always.)
void Indexer::RemoveOrphans(const std::set<std::string>& present) {
  const std::string prefix = schema::kMetaDocPrefix;
  std::vector<std::string> orphans;
  for (Xapian::WritableDatabase& db : shards_) {
    for (auto it = db.metadata_keys_begin(prefix); it != db.metadata_keys_end(prefix); ++it) {
      const nlohmann::json j = nlohmann::json::parse(db.get_metadata(*it), nullptr, false);
      if (!j.is_object() || !j.contains("doc")) continue;
      const std::string id = j.value("doc", ""), source = j.value("source", "");
      if (!doc_sources_.count(id) && (!present.count(source) || read_.count(source)))
        orphans.push_back(id);
    }
  }
  for (const std::string& id : orphans) DeleteDocument(id);
}

void Indexer::RemoveVanished(const std::set<std::string>& present) {
  for (const auto& [path, record] : records_) {
    if (present.count(path)) continue;
    for (const std::string& id : record.docs) {
      if (!doc_sources_.count(id)) DeleteDocument(id);
    }
    WriteFileRecord(path, FileRecord{});
  }
}

// The index's record dictionary, or null when it has none. Every shard has
// it, but a run killed between two shards' commits (the last shard commits
// first) leaves it in some only: any of them has it then.
std::shared_ptr<const RecordDictionary> Indexer::LoadRecordDictionary() {
  std::string bytes;
  for (std::size_t shard = 0; shard < shards_.size() && bytes.empty(); ++shard)
    bytes = shards_[shard].get_metadata(schema::kMetaRecordDictionary);
  if (bytes.empty()) return nullptr;
  Result<std::shared_ptr<const RecordDictionary>> loaded =
      RecordDictionary::FromBytes(std::move(bytes));
  // Its passages cannot be read back without it: not an index to write into.
  if (!loaded.ok()) throw Xapian::DatabaseCorruptError(loaded.status().message());
  return *loaded;
}

// The records the dictionary was trained on were written before it was: now
// they are compressed too. Only their data changes (no term, no count).
void Indexer::CompressSamples() {
  for (const auto& [doc, id] : plain_samples_) {
    Xapian::WritableDatabase& db = Home(doc);
    const std::string term = schema::PassageIdTerm(id);
    const Xapian::PostingIterator it = db.postlist_begin(term);
    if (it == db.postlist_end(term)) continue;  // deleted since
    Xapian::Document stored = db.get_document(*it);
    const std::string data = stored.get_data();
    std::string packed = compressor_.Encode(data);
    if (packed.size() >= data.size()) continue;  // already compressed, or not smaller
    stored.set_data(std::move(packed));
    db.replace_document(*it, stored);
  }
  plain_samples_.clear();
}

// Replaces each shard's synonyms with the corpus's synonyms.txt when it
// changed (none when it is gone). Bad lines are reported; the good ones still
// load. Every shard holds them all, so whichever a stub lists first serves them.
void Indexer::LoadSynonyms() {
  const fs::path path = options_.corpus / kSynonymsFile;
  std::error_code ec;
  std::string bytes;
  if (fs::exists(path, ec)) {
    Result<std::string> read = ReadWholeFile(path, options_.max_file_bytes);
    if (!read.ok()) return Fail(kSynonymsFile, read.status().message());
    bytes = std::move(*read);
  }
  const SynonymFile file = ParseSynonyms(bytes);
  for (const std::string& error : file.errors) Fail(kSynonymsFile, error);
  const std::string hash = bytes.empty() ? "" : schema::HashKey(kVersionSalt + bytes);
  const std::map<std::string, std::string> metadata = SynonymMetadata(file);
  const std::string prefix = schema::kMetaSynonymPrefix;
  for (Xapian::WritableDatabase& db : shards_) {
    if (!force_ && db.get_metadata(schema::kMetaSynonyms) == hash) continue;
    std::vector<std::string> old_keys;
    for (auto it = db.metadata_keys_begin(prefix); it != db.metadata_keys_end(prefix); ++it)
      old_keys.push_back(*it);
    for (const std::string& key : old_keys) {
      if (!metadata.count(key)) db.set_metadata(key, "");
    }
    for (const auto& [key, value] : metadata) db.set_metadata(key, value);
    db.set_metadata(schema::kMetaSynonyms, hash);
  }
}

void Indexer::Run(const ScannedCorpus& corpus, Report& report) {
  report_ = &report;
  report.skipped = corpus.skipped;
  // Records are needed even when forced: they say what to delete.
  LoadFileRecords();
  Progress progress(corpus.files.size(), options_.progress);
  BeginTransactions();
  // Versions go into the first batch, so that a run killed after it leaves an
  // index that says what analysis its passages had.
  for (Xapian::WritableDatabase& db : shards_) {
    SetMetadataIfOther(db, schema::kMetaSchemaVersion, std::to_string(schema::kSchemaVersion));
    SetMetadataIfOther(db, schema::kMetaAnalyzerVersion, std::to_string(kAnalyzerVersion));
  }
  LoadSynonyms();
  reader_.emplace(std::vector<Xapian::Database>(shards_.begin(), shards_.end()));
  compressor_.set_dictionary(LoadRecordDictionary());
  if (compressor_.dictionary()) {
    for (Xapian::WritableDatabase& db : shards_) {
      if (db.get_metadata(schema::kMetaRecordDictionary) != compressor_.dictionary()->bytes())
        db.set_metadata(schema::kMetaRecordDictionary, compressor_.dictionary()->bytes());
    }
  }
  // Reading and analysis run a few files ahead on a second thread, while this
  // one writes (Xapian's writer is single-threaded): on two cores a full build
  // takes the time of the writing alone.
  PreparedQueue queue(kFilesAhead);
  std::thread preparer([&, dictionary = compressor_.dictionary()] {
    Preparer prepare(options_, records_, force_, dictionary, lemmatizer_);
    for (const std::string& rel : corpus.files) {
      if (!queue.Push(prepare.Prepare(rel))) return;
    }
  });
  struct Joiner {
    PreparedQueue& queue;
    std::thread& thread;
    ~Joiner() {
      queue.Close();
      thread.join();
    }
  } joiner{queue, preparer};
  int in_batch = 0;
  for (std::size_t i = 0; i < corpus.files.size(); ++i) {
    // Only changed files count: a batch is a commit's worth of writing, and
    // each commit rewrites and syncs every block it touched.
    PreparedFile file = queue.Pop();
    in_batch += ProcessFile(file) ? 1 : 0;
    queue.GiveBack(std::move(file));
    progress.Advance();
    if (in_batch >= options_.batch_files) {
      Commit(/*last=*/false);
      BeginTransactions();
      in_batch = 0;
    }
  }
  const std::set<std::string> present(corpus.files.begin(), corpus.files.end());
  RemoveVanished(present);
  if (torn_) RemoveOrphans(present);
  ApplyStatedPairs();
  CompressSamples();
  SaveLemmas();
  Commit(/*last=*/true);
  for (std::size_t shard = 0; shard < shards_.size(); ++shard) {
    for (const std::string& lang : IndexLanguages(shards_[shard])) {
      const int n = static_cast<int>(shards_[shard].get_termfreq(schema::LangTerm(lang)));
      report.passages[lang] += n;
      if (report.shards.size() > 1) report.shards[shard].passages[lang] = n;
    }
  }
}

// The lemmas this run looked up in a dictionary, with those it was given, for
// the next run (schema::kMetaLemmas): when it looked any up, or the index has
// no table yet (a new generation, given its table by the live index).
void Indexer::SaveLemmas() {
  Xapian::WritableDatabase& db = shards_.front();
  if (lemmatizer_->Learned() == 0 &&
      db.metadata_keys_begin(schema::kMetaLemmas) != db.metadata_keys_end(schema::kMetaLemmas))
    return;
  db.set_metadata(schema::kMetaLemmas, lemmatizer_->Table());
}

// The table of lemmas kept with the index at `index` (its first shard's), or
// "" (no index, or one that cannot be read: the run itself reports that).
std::string ReadLemmaTable(const fs::path& index) {
  std::error_code ec;
  if (!fs::exists(index, ec)) return "";
  try {
    return Xapian::Database(index.string()).get_metadata(schema::kMetaLemmas);
  } catch (const Xapian::Error&) {
    return "";
  }
}

bool VersionsDiffer(const Xapian::Database& db) {
  if (db.get_doccount() == 0) return false;
  return db.get_metadata(schema::kMetaSchemaVersion) != std::to_string(schema::kSchemaVersion) ||
         db.get_metadata(schema::kMetaAnalyzerVersion) != std::to_string(kAnalyzerVersion);
}

// True when the live index at `index` holds passages of another schema or
// analyzer version than this binary's. Such an index is rebuilt beside the
// live one, not updated in place: its vocabulary counts the entries of its
// own analysis, which an update could not take back passage by passage.
bool LiveIndexIsOutdated(const fs::path& index) {
  std::error_code ec;
  if (!fs::exists(index, ec)) return false;
  try {
    return VersionsDiffer(Xapian::Database(index.string()));
  } catch (const Xapian::Error&) {
    return false;  // the run itself reports what is wrong with it
  }
}

// Compacts the generation at `from` (each of its `shards`, on threads of
// their own) into the next generation directory. A run killed meanwhile
// leaves a partial generation above the live one, which the next run removes
// (IndexStore::RemoveStaleGenerations).
Result<fs::path> Compact(IndexStore& store, const fs::path& from, unsigned shards) {
  const fs::path to = store.NextGeneration();
  std::vector<std::string> errors(shards);
  const auto compact_one = [&](unsigned shard) {
    try {
      Xapian::Database(IndexStore::ShardPath(from, shard, shards).string())
          .compact(IndexStore::ShardPath(to, shard, shards).string(), Xapian::DBCOMPACT_MULTIPASS);
    } catch (const Xapian::Error& e) {
      errors[shard] = IndexWriteError(e, to).message();
    }
  };
  if (shards > 1) {
    std::error_code ec;
    fs::create_directories(to, ec);
    std::vector<std::thread> threads;
    for (unsigned shard = 0; shard < shards; ++shard) threads.emplace_back(compact_one, shard);
    for (std::thread& t : threads) t.join();
  } else {
    compact_one(0);
  }
  Status stub = errors[0].empty() ? IndexStore::WriteStub(to, shards) : Status::Ok();
  if (!stub.ok()) errors[0] = stub.message();
  for (const std::string& error : errors) {
    if (error.empty()) continue;
    std::error_code ec;
    fs::remove_all(to, ec);
    return Status::IoError("cannot compact the index: " + error);
  }
  return to;
}

}  // namespace

Status IndexWriteError(const Xapian::Error& e, const fs::path& target) {
  // Xapian names the errno of the failed write itself, or, when the rollback
  // after a failed commit fails too, only within its description: "Modifications
  // failed (DatabaseError: Error writing block 23 (No space left on device)), and
  // couldn't open at the old revision".
  const char* error = e.get_error_string();
  const std::string no_space = std::strerror(ENOSPC);
  if ((error != nullptr && error == no_space) ||
      e.get_description().find("(" + no_space + ")") != std::string::npos) {
    return Status::IoError("no space left on the device of " + target.string() +
                           "; the index keeps its last committed revision (" + e.get_description() +
                           ")");
  }
  return Status::IoError("index " + target.string() + ": " + e.get_description());
}

Result<Report> RunIndexer(const IndexOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  // The lemmas earlier runs looked up (schema::kMetaLemmas) are read on the
  // other core while the corpus is scanned and the index opened. Without them
  // (a first build, another hunspell-es) Hunspell's dictionary loads there
  // instead: in a small incremental run that was a third of the time, and
  // with them it loads only for a word they lack. Analysis waits for the
  // table (`preset`); the future's destructor waits for the rest on every
  // return.
  const std::shared_ptr<Lemmatizer> lemmatizer = Lemmatizer::WithBuildDictionaries();
  std::promise<void> preset;
  std::future<void> preset_done = preset.get_future();
  const std::future<void> preload =
      std::async(std::launch::async, [&preset, lemmatizer, index = options.index] {
        std::size_t known = 0;
        try {
          known = lemmatizer->Preset(ReadLemmaTable(index));
        } catch (const std::exception&) {
          // no table: the dictionary then
        }
        preset.set_value();
        if (known == 0) lemmatizer->Preload();
      });
  Result<ScannedCorpus> corpus = ScanCorpus(options.corpus);
  if (!corpus.ok()) return corpus.status();
  Result<std::unique_ptr<IndexLock>> lock = IndexLock::Acquire(options.index);
  if (!lock.ok()) return lock.status();
  IndexStore store(options.index);
  fs::path target;
  unsigned shards = options.shards;
  const bool rebuild = options.rebuild || LiveIndexIsOutdated(options.index);
  if (rebuild) {
    // A plain directory becomes a generation first, so it is numbered below the
    // new one and kept as the previous generation.
    Status adopted = store.AdoptPlainDirectory();
    if (!adopted.ok()) return adopted;
    store.RemoveStaleGenerations();
    if (shards == 0) {
      // As many shards as the live index has, or one.
      std::error_code ec;
      Result<unsigned> live = IndexStore::ShardCount(fs::canonical(options.index, ec));
      shards = ec || !live.ok() ? 1 : *live;
    }
    target = store.NextGeneration();
    Status created = IndexStore::CreateGeneration(target, shards);
    if (!created.ok()) return created;
  } else {
    Result<fs::path> live = store.LiveOrCreate(shards == 0 ? 1 : shards);
    if (!live.ok()) return live.status();
    target = *live;
    store.RemoveStaleGenerations();
    Result<unsigned> live_shards = IndexStore::ShardCount(target);
    if (!live_shards.ok()) return live_shards.status();
    if (shards != 0 && shards != *live_shards) {
      return Status::InvalidArgument("index " + options.index.string() + " has " +
                                     std::to_string(*live_shards) + " shard(s); --shards " +
                                     std::to_string(shards) + " needs --rebuild");
    }
    shards = *live_shards;
  }
  Report report;
  report.rebuilt = rebuild;
  if (shards > 1) {
    report.shards.resize(shards);
    for (unsigned shard = 0; shard < shards; ++shard)
      report.shards[shard].name = IndexStore::ShardPath({}, shard, shards).string();
  }
  bool from_empty = true;
  try {
    std::vector<Xapian::WritableDatabase> dbs;
    bool force = rebuild;
    for (unsigned shard = 0; shard < shards; ++shard) {
      dbs.emplace_back(IndexStore::ShardPath(target, shard, shards).string(),
                       Xapian::DB_CREATE_OR_OPEN);
      from_empty = from_empty && dbs.back().get_doccount() == 0;
      force = force || VersionsDiffer(dbs.back());
    }
    preset_done.wait();
    Indexer indexer(options, dbs, force, lemmatizer);
    indexer.Run(*corpus, report);
    Xapian::doccount written = 0;
    for (Xapian::WritableDatabase& db : dbs) {
      written += db.get_doccount();
      db.close();
    }
    from_empty = from_empty && written > 0;
  } catch (const Xapian::DatabaseLockError& e) {
    return Status::Unavailable("index " + options.index.string() +
                               " is locked by another writer: " + e.get_msg());
  } catch (const Xapian::DatabaseCorruptError& e) {
    return Status::Corruption("index " + target.string() + " is corrupt: " + e.get_msg());
  } catch (const Xapian::Error& e) {
    return IndexWriteError(e, target);
  }
  // A database built from empty has its B-trees about half full (Xapian
  // splits blocks as keys arrive in no particular order): compacting it into
  // the next generation halves its size and makes searches read fewer blocks.
  // The uncompacted one was never seen (a rebuild) or held a partial first
  // build; it goes, so the previous generation stays the one readers had.
  // (Not a plain directory made by another tool: it stays where it is.)
  if (from_empty && (rebuild || target != options.index)) {
    Result<fs::path> compacted = Compact(store, target, shards);
    if (!compacted.ok()) return compacted.status();
    if (!rebuild) {
      Status swapped = store.SwapIn(*compacted);
      if (!swapped.ok()) return swapped;
    }
    std::error_code ec;
    fs::remove_all(target, ec);
    target = *compacted;
    report.compacted = true;
  }
  if (rebuild) {
    Status swapped = store.SwapIn(target);
    if (!swapped.ok()) return swapped;
    store.RemoveStaleGenerations();
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace sarea::indexer
