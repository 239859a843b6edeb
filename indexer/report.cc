#include "indexer/report.h"

#include <cstdio>

namespace sarea::indexer {

nlohmann::json Report::ToJson() const {
  nlohmann::json failures = nlohmann::json::array();
  for (const Failure& f : failed) failures.push_back({{"path", f.path}, {"reason", f.reason}});
  nlohmann::json j = {{"added", added},         {"updated", updated},     {"deleted", deleted},
                      {"unchanged", unchanged}, {"skipped", skipped},     {"read", read},
                      {"passages", passages},   {"indexed", indexed},     {"failed", failures},
                      {"rebuilt", rebuilt},     {"compacted", compacted}, {"seconds", seconds}};
  if (!shards.empty()) {
    j["shards"] = nlohmann::json::array();
    for (const ShardReport& s : shards) {
      j["shards"].push_back({{"shard", s.name},
                             {"added", s.added},
                             {"updated", s.updated},
                             {"deleted", s.deleted},
                             {"unchanged", s.unchanged},
                             {"passages", s.passages}});
    }
  }
  return j;
}

std::string Report::Summary() const {
  char buf[256];
  std::snprintf(
      buf, sizeof buf,
      "%d added, %d updated, %d deleted, %d unchanged, %d skipped, %zu failed in %.2f s%s", added,
      updated, deleted, unchanged, skipped, failed.size(), seconds,
      Changed() || rebuilt ? "" : " (nothing changed)");
  return buf;
}

}  // namespace sarea::indexer
