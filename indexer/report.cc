#include "indexer/report.h"

#include <cstdio>

namespace sarea::indexer {

nlohmann::json Report::ToJson() const {
  nlohmann::json failures = nlohmann::json::array();
  for (const Failure& f : failed) failures.push_back({{"path", f.path}, {"reason", f.reason}});
  return {{"added", added},         {"updated", updated}, {"deleted", deleted},
          {"unchanged", unchanged}, {"skipped", skipped}, {"passages", passages},
          {"indexed", indexed},     {"failed", failures}, {"rebuilt", rebuilt},
          {"compacted", compacted}, {"seconds", seconds}};
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
