#include "common/record_codec.h"

#include <zdict.h>
#include <zstd.h>

#include "common/schema.h"

namespace sarea {
namespace {

constexpr std::size_t kMaxDictionaryBytes = 32 * 1024;
constexpr int kCompressionLevel = 3;  // level 19 is 5% smaller and 20 times slower
// Larger records stay plain, and compressed ones that claim more are corrupt:
// a bound on what reading one may allocate.
constexpr unsigned long long kMaxCompressedRecord = 64ull << 20;

}  // namespace

struct RecordDictionary::Digested {
  ZSTD_CDict* compress = nullptr;
  ZSTD_DDict* decompress = nullptr;
  ~Digested() {
    ZSTD_freeCDict(compress);
    ZSTD_freeDDict(decompress);
  }
};

RecordDictionary::RecordDictionary(std::string bytes, unsigned id,
                                   std::unique_ptr<Digested> digested)
    : bytes_(std::move(bytes)), id_(id), digested_(std::move(digested)) {}

RecordDictionary::~RecordDictionary() = default;

std::shared_ptr<const RecordDictionary> RecordDictionary::Train(
    const std::vector<std::string>& samples) {
  std::string joined;
  std::vector<std::size_t> sizes;
  for (const std::string& s : samples) {
    joined += s;
    sizes.push_back(s.size());
  }
  std::string dictionary(kMaxDictionaryBytes, '\0');
  const std::size_t size =
      ZDICT_trainFromBuffer(dictionary.data(), dictionary.size(), joined.data(), sizes.data(),
                            static_cast<unsigned>(sizes.size()));
  if (ZDICT_isError(size)) return nullptr;
  dictionary.resize(size);
  Result<std::shared_ptr<const RecordDictionary>> made = FromBytes(std::move(dictionary));
  return made.ok() ? *made : nullptr;
}

Result<std::shared_ptr<const RecordDictionary>> RecordDictionary::FromBytes(std::string bytes) {
  const unsigned id = ZDICT_getDictID(bytes.data(), bytes.size());
  if (id == 0) return Status::Corruption("the index's record dictionary is not a zstd dictionary");
  auto digested = std::make_unique<Digested>();
  digested->compress = ZSTD_createCDict(bytes.data(), bytes.size(), kCompressionLevel);
  digested->decompress = ZSTD_createDDict(bytes.data(), bytes.size());
  if (!digested->compress || !digested->decompress) {
    return Status::Corruption("the index's record dictionary cannot be loaded");
  }
  return std::shared_ptr<const RecordDictionary>(
      new RecordDictionary(std::move(bytes), id, std::move(digested)));
}

RecordCompressor::RecordCompressor() : context_(ZSTD_createCCtx()) {
  if (!context_) throw std::bad_alloc();
}

RecordCompressor::~RecordCompressor() { ZSTD_freeCCtx(context_); }

std::string RecordCompressor::Encode(std::string record) {
  if (!dictionary_ || record.empty() || record.front() == schema::kRecordCompressed ||
      record.size() > kMaxCompressedRecord)
    return record;
  std::string out(1 + ZSTD_compressBound(record.size()), schema::kRecordCompressed);
  const std::size_t size =
      ZSTD_compress_usingCDict(context_, out.data() + 1, out.size() - 1, record.data(),
                               record.size(), dictionary_->digested_->compress);
  if (ZSTD_isError(size) || 1 + size >= record.size()) return record;
  out.resize(1 + size);
  return out;
}

PassageReader::PassageReader(std::vector<Xapian::Database> shards)
    : shards_(std::move(shards)), context_(ZSTD_createDCtx()) {
  if (!context_) throw std::bad_alloc();
}

PassageReader::PassageReader(std::shared_ptr<const RecordDictionary> dictionary)
    : dictionary_(std::move(dictionary)), context_(ZSTD_createDCtx()) {
  if (!context_) throw std::bad_alloc();
}

PassageReader::~PassageReader() { ZSTD_freeDCtx(context_); }

Result<Passage> PassageReader::Read(const Xapian::Document& document) {
  return Read(document.get_data(), document.get_docid());
}

// The dictionary with `id` from the first shard that has it.
Status PassageReader::LoadDictionary(unsigned id, Xapian::docid docid) {
  for (const Xapian::Database& shard : shards_) {
    std::string bytes = shard.get_metadata(schema::kMetaRecordDictionary);
    if (bytes.empty()) continue;
    Result<std::shared_ptr<const RecordDictionary>> loaded =
        RecordDictionary::FromBytes(std::move(bytes));
    if (!loaded.ok()) {
      return Status::Corruption("document " + std::to_string(docid) + ": " +
                                loaded.status().message());
    }
    if ((*loaded)->id() != id) continue;
    dictionary_ = *loaded;
    break;
  }
  return Status::Ok();
}

Result<Passage> PassageReader::Read(std::string_view data, Xapian::docid docid) {
  if (data.empty() || data.front() != schema::kRecordCompressed)
    return PassageFromRecord(data, docid);
  const std::string where = "document " + std::to_string(docid);
  const std::string_view frame = data.substr(1);
  const unsigned id = ZSTD_getDictID_fromFrame(frame.data(), frame.size());
  if (!dictionary_ || dictionary_->id() != id) {
    Status loaded = LoadDictionary(id, docid);
    if (!loaded.ok()) return loaded;
    if (!dictionary_ || dictionary_->id() != id) {
      return Status::Corruption(where + " was compressed with record dictionary " +
                                std::to_string(id) + ", which the index does not have");
    }
  }
  const unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN ||
      size > kMaxCompressedRecord) {
    return Status::Corruption(where + " has a malformed compressed record");
  }
  buffer_.resize(size);
  const std::size_t got =
      ZSTD_decompress_usingDDict(context_, buffer_.data(), buffer_.size(), frame.data(),
                                 frame.size(), dictionary_->digested_->decompress);
  if (ZSTD_isError(got) || got != size) {
    return Status::Corruption(
        where + " has a malformed compressed record" +
        (ZSTD_isError(got) ? std::string(": ") + ZSTD_getErrorName(got) : std::string()));
  }
  return PassageFromRecord(buffer_, docid);
}

}  // namespace sarea
