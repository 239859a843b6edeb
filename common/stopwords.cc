#include "common/stopwords.h"

#include <map>
#include <set>
#include <sstream>

#include "common/text.h"

namespace sarea {
namespace internal {
extern const char* const kStopwordData[][2];
extern const std::size_t kStopwordDataCount;
}  // namespace internal

namespace {

using StopwordTable = std::map<std::string, std::set<std::string, std::less<>>, std::less<>>;

StopwordTable BuildTable() {
  StopwordTable table;
  for (std::size_t i = 0; i < internal::kStopwordDataCount; ++i) {
    auto& words = table[internal::kStopwordData[i][0]];
    std::istringstream in(internal::kStopwordData[i][1]);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) words.insert(NormalizeWord(line));
    }
  }
  return table;
}

// Built once, then only read (a function-local static is initialised thread-safely).
const StopwordTable& Table() {
  static const StopwordTable table = BuildTable();
  return table;
}

}  // namespace

bool IsStopword(std::string_view lang, std::string_view word) {
  const auto it = Table().find(lang);
  return it != Table().end() && it->second.count(word) > 0;
}

std::vector<std::string> StopwordLanguages() {
  std::vector<std::string> langs;
  for (const auto& entry : Table()) langs.push_back(entry.first);
  return langs;
}

}  // namespace sarea
