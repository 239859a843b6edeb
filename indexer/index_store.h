// Where an index lives on disk, and how it is replaced atomically.
//
// `--index data/index` is a symbolic link to a generation directory beside it
// (`data/index@1`, `data/index@2`, ...), each a Xapian database. An incremental
// run writes into the live generation in transactions. A rebuild writes a new
// generation and swaps the link with rename(2), so a reader opening the path
// sees either the old index or the new one, never a half-built one. The
// previous generation is kept until the next rebuild, for readers still on it.
// A plain Xapian directory at the path (made by another tool) is used as it is
// and, on rebuild, moved aside to become a generation.
//
// A sharded generation (--shards N >= 2) is a directory holding N databases,
// `shard-0` ... `shard-<N-1>`, and a stub file `XAPIANDB` listing them ("auto
// shard-0", ...): Xapian opens the directory as one database over all shards,
// so readers need nothing else.
//
// Every writer first takes IndexLock, an flock on `<index>.lock`: a second
// indexer fails at once instead of waiting.
#ifndef SAREA_INDEXER_INDEX_STORE_H_
#define SAREA_INDEXER_INDEX_STORE_H_

#include <filesystem>
#include <memory>
#include <string>

#include "common/status.h"

namespace sarea::indexer {

class IndexLock {
 public:
  // kUnavailable when another process holds the lock; kIoError when the lock
  // file cannot be created.
  static Result<std::unique_ptr<IndexLock>> Acquire(const std::filesystem::path& index);
  ~IndexLock();
  IndexLock(const IndexLock&) = delete;
  IndexLock& operator=(const IndexLock&) = delete;

 private:
  explicit IndexLock(int fd) : fd_(fd) {}
  int fd_;
};

class IndexStore {
 public:
  explicit IndexStore(std::filesystem::path index) : index_(std::move(index)) {}

  // The live generation, creating an empty one of `shards` shards (and the
  // link) when there is none. Call with the lock held.
  Result<std::filesystem::path> LiveOrCreate(unsigned shards);

  // Creates the empty databases of a generation of `shards` shards (and its stub).
  static Status CreateGeneration(const std::filesystem::path& generation, unsigned shards);
  // Writes the stub listing a sharded generation's shards (nothing for one).
  static Status WriteStub(const std::filesystem::path& generation, unsigned shards);
  // The database directory of shard `shard` in a generation of `shards`.
  static std::filesystem::path ShardPath(const std::filesystem::path& generation, unsigned shard,
                                         unsigned shards);
  // The shards of a generation: 1 for a database directory, N for a stub
  // sarea-index wrote; kInvalidArgument for anything else.
  static Result<unsigned> ShardCount(const std::filesystem::path& generation);

  // A new, empty generation directory path (not yet created).
  std::filesystem::path NextGeneration() const;

  // A plain database directory at the index path (made by another tool) is
  // renamed to a generation and linked; nothing happens otherwise.
  Status AdoptPlainDirectory();

  // Makes `generation` the live index atomically; keeps the one it replaces.
  Status SwapIn(const std::filesystem::path& generation);

  // Removes generation directories that are neither live nor the one before it
  // (left by killed rebuilds or older swaps), and swap links a killed run left.
  // Call with the lock held.
  void RemoveStaleGenerations() const;

 private:
  int GenerationNumber(const std::filesystem::path& p) const;  // -1 if not ours

  std::filesystem::path index_;
};

}  // namespace sarea::indexer

#endif  // SAREA_INDEXER_INDEX_STORE_H_
