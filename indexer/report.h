// What one sarea-index run did, for people (a summary line) and schedulers (--json).
#ifndef SAREA_INDEXER_REPORT_H_
#define SAREA_INDEXER_REPORT_H_

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sarea::indexer {

struct Failure {
  std::string path;
  std::string reason;
};

// One shard's part of a run (sharded indexes only).
struct ShardReport {
  std::string name;  // "shard-0", ...
  int added = 0;     // documents
  int updated = 0;
  int deleted = 0;
  int unchanged = 0;
  std::map<std::string, int> passages;  // in the shard after the run, by language
};

struct Report {
  int added = 0;  // documents
  int updated = 0;
  int deleted = 0;
  int unchanged = 0;
  int skipped = 0;  // files of no supported format
  int read = 0;     // files read (the others' size and times were those recorded with their hash)
  std::map<std::string, int> passages;  // in the index after the run, by language
  std::map<std::string, int> indexed;   // passages written by this run, by language
  std::vector<Failure> failed;
  double seconds = 0;
  bool rebuilt = false;
  bool compacted = false;           // built from empty, then compacted into a new generation
  std::vector<ShardReport> shards;  // empty for an index of one database

  bool Changed() const { return added + updated + deleted > 0; }
  // {"added",...,"failed":[{"path","reason"}],"seconds"}, and "shards":
  // [{"shard","added",...,"passages"}] for a sharded index.
  nlohmann::json ToJson() const;
  // "indexed 3 added, 1 updated, 0 deleted, 12 unchanged, 2 skipped, 1 failed in 0.4 s"
  std::string Summary() const;
};

}  // namespace sarea::indexer

#endif  // SAREA_INDEXER_REPORT_H_
