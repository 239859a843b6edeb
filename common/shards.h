// The databases behind an index path, read the way Xapian reads them, so that
// the server can open each one itself: remote ones with its own timeouts, and
// without the ones that are down when partial answers are allowed.
//
// An index path is a Xapian database directory (one database); a stub
// database file (lines "auto PATH" or "glass PATH" for local databases,
// "remote HOST:PORT" for one served by xapian-tcpsrv; '#' starts a comment;
// relative paths are relative to the stub's directory); or a directory with
// such a stub named XAPIANDB (how sarea-index lays out a sharded index, and
// how xapian-replicate lays out a replica). Stubs within stubs are expanded.
#ifndef SAREA_COMMON_SHARDS_H_
#define SAREA_COMMON_SHARDS_H_

#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"

namespace sarea {

struct ShardSpec {
  std::string path;  // local: the database directory, canonical
  std::string host;  // remote: xapian-tcpsrv's host and port
  unsigned port = 0;

  bool remote() const { return !host.empty(); }
  // "PATH" or "remote HOST:PORT", for messages.
  std::string Describe() const;
  bool operator==(const ShardSpec& o) const {
    return path == o.path && host == o.host && port == o.port;
  }
  bool operator!=(const ShardSpec& o) const { return !(*this == o); }
};

// The databases behind `index`, in the order listed. kUnavailable when the
// path (or a local database a stub lists) does not exist; kInvalidArgument for
// a line that is not a local or TCP remote database, naming the file and line.
Result<std::vector<ShardSpec>> ResolveShards(const std::filesystem::path& index);

// The name of a stub directory's stub file.
inline constexpr char kStubFileName[] = "XAPIANDB";

}  // namespace sarea

#endif  // SAREA_COMMON_SHARDS_H_
