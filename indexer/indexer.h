// One indexing run: corpus directory in, live index updated (or rebuilt) out.
//
// Incremental by default: a file whose bytes (and the analysis version) are
// unchanged is skipped (and not even read while its size, modification and
// change times and inode are those recorded when it was hashed); a changed file's documents are
// re-analysed and replace their old passages; documents whose file disappeared are deleted. Work is
// committed in transactions of `batch_files` changed files, together with the records
// that say what was indexed, so a killed run leaves the last committed state
// and the next run finishes the work. A file that cannot be read or parsed is
// reported and never stops the others; its previously indexed passages stay.
//
// Sharded (IndexOptions::shards >= 2): each document goes, with its passages
// and its record, to the shard a stable hash of its id names
// (schema::ShardOf); each batch commits every shard, shard 0 (which holds the
// file records) last, so a run killed between two commits is finished by the
// next one like any other.
#ifndef SAREA_INDEXER_INDEXER_H_
#define SAREA_INDEXER_INDEXER_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <xapian.h>

#include "common/status.h"
#include "indexer/report.h"

namespace sarea::indexer {

struct IndexOptions {
  std::filesystem::path corpus = "corpus";
  std::filesystem::path index = "data/index";
  // Build a new generation and swap it in (also done when the live index was
  // made by another schema or analyzer version).
  bool rebuild = false;
  bool progress = false;  // draw a progress bar (only on a terminal)
  // Read and hash every file, even one whose size and times are those recorded
  // with its hash (which a run otherwise takes for its bytes unchanged).
  bool checksum = false;
  std::uintmax_t max_file_bytes = 64u << 20;
  std::vector<std::string> expected_languages = {"en", "es"};
  int batch_files = 200;  // changed files per transaction
  // Shards (index_store.h): 0 keeps the live index's count (1 for a new
  // index); another count than the live one's needs `rebuild`.
  unsigned shards = 0;
};

// Errors that stop the run before or during it: kInvalidArgument (no corpus
// directory), kUnavailable (another indexer holds the lock), kIoError or
// kCorruption (the index cannot be opened or written). Per-file problems are
// not errors: they are in Report::failed.
Result<Report> RunIndexer(const IndexOptions& options);

// What a failed write of the index at `target` says: kIoError, and a full disk
// named as such (Xapian reports it as a DatabaseError with errno's text).
Status IndexWriteError(const Xapian::Error& e, const std::filesystem::path& target);

}  // namespace sarea::indexer

#endif  // SAREA_INDEXER_INDEXER_H_
