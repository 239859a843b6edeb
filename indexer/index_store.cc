#include "indexer/index_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>

#include <xapian.h>

#include "common/shards.h"

namespace sarea::indexer {
namespace fs = std::filesystem;

Result<std::unique_ptr<IndexLock>> IndexLock::Acquire(const fs::path& index) {
  std::error_code ec;
  if (index.has_parent_path()) fs::create_directories(index.parent_path(), ec);
  const std::string path = index.string() + ".lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return Status::IoError("cannot create lock file " + path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return Status::Unavailable("index " + index.string() + " is locked by another indexer");
    }
    return Status::IoError("cannot lock " + path + ": " + std::strerror(err));
  }
  return std::unique_ptr<IndexLock>(new IndexLock(fd));
}

IndexLock::~IndexLock() { ::close(fd_); }

int IndexStore::GenerationNumber(const fs::path& p) const {
  const std::string prefix = index_.filename().string() + "@";
  const std::string name = p.filename().string();
  if (name.compare(0, prefix.size(), prefix) != 0 || name.size() == prefix.size()) return -1;
  int n = 0;
  for (char c : name.substr(prefix.size())) {
    if (c < '0' || c > '9' || n > 100000000) return -1;
    n = n * 10 + (c - '0');
  }
  return n;
}

fs::path IndexStore::NextGeneration() const {
  int highest = 0;
  std::error_code ec;
  for (const auto& entry :
       fs::directory_iterator(index_.parent_path().empty() ? "." : index_.parent_path(), ec)) {
    highest = std::max(highest, GenerationNumber(entry.path()));
  }
  return index_.parent_path() / (index_.filename().string() + "@" + std::to_string(highest + 1));
}

fs::path IndexStore::ShardPath(const fs::path& generation, unsigned shard, unsigned shards) {
  if (shards <= 1) return generation;
  return generation / ("shard-" + std::to_string(shard));
}

Status IndexStore::WriteStub(const fs::path& generation, unsigned shards) {
  if (shards <= 1) return Status::Ok();
  const fs::path stub = generation / kStubFileName;
  const fs::path tmp = generation / (std::string(kStubFileName) + ".tmp");
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "# sarea-index: " << shards << " shards; a document's shard is a hash of its id\n";
    for (unsigned shard = 0; shard < shards; ++shard)
      out << "auto " << ShardPath({}, shard, shards).string() << "\n";
    out.flush();
    if (!out) return Status::IoError("cannot write " + tmp.string());
  }
  std::error_code ec;
  fs::rename(tmp, stub, ec);
  if (ec) return Status::IoError("cannot write " + stub.string() + ": " + ec.message());
  return Status::Ok();
}

Status IndexStore::CreateGeneration(const fs::path& generation, unsigned shards) {
  std::error_code ec;
  fs::create_directories(generation, ec);
  if (ec) return Status::IoError("cannot create " + generation.string() + ": " + ec.message());
  for (unsigned shard = 0; shard < std::max(1u, shards); ++shard) {
    const fs::path path = ShardPath(generation, shard, shards);
    try {
      Xapian::WritableDatabase(path.string(), Xapian::DB_CREATE_OR_OPEN).close();
    } catch (const Xapian::Error& e) {
      return Status::IoError("cannot create an index in " + path.string() + ": " + e.get_msg());
    }
  }
  return WriteStub(generation, shards);
}

Result<unsigned> IndexStore::ShardCount(const fs::path& generation) {
  std::error_code ec;
  if (!fs::exists(generation / kStubFileName, ec)) return 1u;
  Result<std::vector<ShardSpec>> listed = ResolveShards(generation);
  if (!listed.ok()) return listed.status();
  const unsigned shards = static_cast<unsigned>(listed->size());
  for (unsigned shard = 0; shard < shards; ++shard) {
    const fs::path expected = fs::canonical(ShardPath(generation, shard, shards), ec);
    if (shards < 2 || ec || (*listed)[shard].path != expected.string()) {
      return Status::InvalidArgument(generation.string() +
                                     " is a stub database sarea-index did not write; give "
                                     "sarea-index the shards' index path instead");
    }
  }
  return shards;
}

Result<fs::path> IndexStore::LiveOrCreate(unsigned shards) {
  std::error_code ec;
  const fs::file_status link = fs::symlink_status(index_, ec);
  if (fs::is_symlink(link)) {
    const fs::path target = fs::canonical(index_, ec);
    if (!ec && fs::is_directory(target)) return target;
    // A dangling link (its generation was removed by hand): start a fresh one.
  } else if (fs::is_directory(link)) {
    return index_;
  } else if (fs::exists(link)) {
    return Status::InvalidArgument(index_.string() + " exists and is not an index");
  }
  const fs::path generation = NextGeneration();
  // The link must never point at a directory without a database in it.
  Status created = CreateGeneration(generation, shards);
  if (!created.ok()) return created;
  Status swapped = SwapIn(generation);
  if (!swapped.ok()) return swapped;
  return generation;
}

Status IndexStore::AdoptPlainDirectory() {
  std::error_code ec;
  if (!fs::is_directory(fs::symlink_status(index_, ec))) return Status::Ok();
  // Readers opening the path between the two renames find nothing and retry.
  const fs::path aside = NextGeneration();
  fs::rename(index_, aside, ec);
  if (ec) return Status::IoError("cannot move " + index_.string() + " aside: " + ec.message());
  return SwapIn(aside);
}

Status IndexStore::SwapIn(const fs::path& generation) {
  std::error_code ec;
  if (fs::is_directory(fs::symlink_status(index_, ec))) {
    Status adopted = AdoptPlainDirectory();
    if (!adopted.ok()) return adopted;
  }
  const fs::path tmp = index_.string() + ".swap-" + std::to_string(::getpid());
  fs::remove(tmp, ec);
  fs::create_symlink(generation.filename(), tmp, ec);
  if (ec) return Status::IoError("cannot create link " + tmp.string() + ": " + ec.message());
  fs::rename(tmp, index_, ec);  // rename(2) replaces the old link atomically
  if (ec) return Status::IoError("cannot swap " + index_.string() + ": " + ec.message());
  return Status::Ok();
}

void IndexStore::RemoveStaleGenerations() const {
  std::error_code ec;
  const fs::path live = fs::canonical(index_, ec);
  std::set<int> generations;
  // A run killed between making its link and renaming it over the index
  // leaves "<index>.swap-<pid>"; with the lock held, no swap is in progress.
  const std::string swap_prefix = index_.filename().string() + ".swap-";
  for (const auto& entry :
       fs::directory_iterator(index_.parent_path().empty() ? "." : index_.parent_path(), ec)) {
    const int n = GenerationNumber(entry.path());
    if (n >= 0) generations.insert(n);
    if (entry.path().filename().string().compare(0, swap_prefix.size(), swap_prefix) == 0 &&
        fs::is_symlink(entry.symlink_status(ec))) {
      fs::remove(entry.path(), ec);
    }
  }
  const int live_n = live.empty() ? -1 : GenerationNumber(live);
  int previous = -1;
  for (int n : generations) {
    if (n < live_n) previous = n;
  }
  for (int n : generations) {
    if (n == live_n || n == previous) continue;
    fs::remove_all(index_.parent_path() / (index_.filename().string() + "@" + std::to_string(n)),
                   ec);
  }
}

}  // namespace sarea::indexer
