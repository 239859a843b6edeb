// Passage records as an index stores them: compressed with a zstd dictionary
// trained on the index's own passages, or plain.
//
// A search reads back the record of every hit. Plain records (passage.h's
// PassageRecord) are deflated by Xapian's glass backend, and inflating a
// record of a few hundred bytes costs about 5 us, most of it building the
// Huffman tables: 13% of a search's instructions on the handbook. A zstd
// dictionary carries those tables and the passages' common strings, so a
// record compressed with it reads back in about 1 us and takes a quarter less
// room than deflate gives it (the handbook x1: 2.39 -> 1.77 MB).
//
// Stored data is one of (the format bytes in schema.h):
//   kRecordPlain <record>            plain (Xapian then deflates it)
//   kRecordCompressed <zstd frame>   compressed with the dictionary the frame names
// The dictionary is in the metadata of every shard (schema::kMetaRecordDictionary).
// The indexer trains it on the first kTrainingBytes of plain records a run
// writes into an index that has none, compresses the records after them, and
// those samples too at the end of the run (a run killed before leaves them
// plain). An index whose runs never write that much has no dictionary.
#ifndef SAREA_COMMON_RECORD_CODEC_H_
#define SAREA_COMMON_RECORD_CODEC_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <xapian.h>

#include "common/passage.h"
#include "common/status.h"

struct ZSTD_CCtx_s;
struct ZSTD_DCtx_s;

namespace sarea {

// A trained dictionary, ready to compress and decompress with. Immutable:
// threads may share one.
class RecordDictionary {
 public:
  // Samples of plain records this many bytes in all train a dictionary.
  static constexpr std::size_t kTrainingBytes = 1 << 20;

  // A dictionary of at most 32 KiB trained on `samples`; null when zstd finds
  // nothing to learn from them (too few, or too alike).
  static std::shared_ptr<const RecordDictionary> Train(const std::vector<std::string>& samples);
  // A dictionary as stored; kCorruption when `bytes` is not one.
  static Result<std::shared_ptr<const RecordDictionary>> FromBytes(std::string bytes);

  ~RecordDictionary();
  RecordDictionary(const RecordDictionary&) = delete;
  RecordDictionary& operator=(const RecordDictionary&) = delete;

  const std::string& bytes() const { return bytes_; }
  // The id the frames compressed with it carry (a hash of its content).
  unsigned id() const { return id_; }

 private:
  struct Digested;
  RecordDictionary(std::string bytes, unsigned id, std::unique_ptr<Digested> digested);

  friend class RecordCompressor;
  friend class PassageReader;
  std::string bytes_;
  unsigned id_;
  std::unique_ptr<Digested> digested_;  // zstd's compression and decompression forms
};

// Makes the stored data of records. One per thread.
class RecordCompressor {
 public:
  RecordCompressor();
  ~RecordCompressor();
  RecordCompressor(const RecordCompressor&) = delete;
  RecordCompressor& operator=(const RecordCompressor&) = delete;

  void set_dictionary(std::shared_ptr<const RecordDictionary> dictionary) {
    dictionary_ = std::move(dictionary);
  }
  const std::shared_ptr<const RecordDictionary>& dictionary() const { return dictionary_; }

  // `record` (PassageRecord's) compressed when there is a dictionary and that
  // makes it smaller; else `record` itself (stored data already compressed too).
  std::string Encode(std::string record);

 private:
  std::shared_ptr<const RecordDictionary> dictionary_;
  ZSTD_CCtx_s* context_;
};

// Reads passages back from a database's documents, plain or compressed. One
// per thread, like the database handle it reads the dictionary from.
class PassageReader {
 public:
  // Reads the dictionary from the metadata of `shards` (the index's, or one
  // database) when a record first needs it, and again when a record names
  // another: the index was rebuilt, or a run killed between two shards'
  // commits left it in some of them only.
  explicit PassageReader(std::vector<Xapian::Database> shards);
  // Knows `dictionary` only (no database): for stored data without an index.
  explicit PassageReader(std::shared_ptr<const RecordDictionary> dictionary);
  ~PassageReader();
  PassageReader(const PassageReader&) = delete;
  PassageReader& operator=(const PassageReader&) = delete;

  Result<Passage> Read(const Xapian::Document& document);
  // kCorruption, naming `docid`, when `data` is not a stored record.
  Result<Passage> Read(std::string_view data, Xapian::docid docid);

 private:
  Status LoadDictionary(unsigned id, Xapian::docid docid);

  std::vector<Xapian::Database> shards_;
  std::shared_ptr<const RecordDictionary> dictionary_;
  ZSTD_DCtx_s* context_;
  std::string buffer_;  // the decompressed record
};

}  // namespace sarea

#endif  // SAREA_COMMON_RECORD_CODEC_H_
