#include "common/stopwords.h"

#include <algorithm>
#include <deque>
#include <set>
#include <sstream>
#include <unordered_map>

#include "common/text.h"

namespace sarea {
namespace internal {
extern const char* const kStopwordData[][2];
extern const std::size_t kStopwordDataCount;
}  // namespace internal

namespace {

// Every stopword (normalised) -> the languages it is a stopword of, sorted.
// Keys view the strings of `words`, which never move (a deque).
struct StopwordTable {
  std::deque<std::string> words;
  std::unordered_map<std::string_view, std::vector<std::string>> langs_of;
  std::vector<std::string> langs;
};

StopwordTable BuildTable() {
  StopwordTable table;
  std::set<std::string> langs;
  for (std::size_t i = 0; i < internal::kStopwordDataCount; ++i) {
    const std::string lang = internal::kStopwordData[i][0];
    langs.insert(lang);
    std::istringstream in(internal::kStopwordData[i][1]);
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      std::string word = NormalizeWord(line);
      auto it = table.langs_of.find(word);
      if (it == table.langs_of.end()) {
        table.words.push_back(std::move(word));
        it = table.langs_of.emplace(table.words.back(), std::vector<std::string>{}).first;
      }
      std::vector<std::string>& of = it->second;
      if (std::find(of.begin(), of.end(), lang) == of.end()) of.push_back(lang);
    }
  }
  for (auto& [word, of] : table.langs_of) std::sort(of.begin(), of.end());
  table.langs.assign(langs.begin(), langs.end());
  return table;
}

// Built once, then only read (a function-local static is initialised thread-safely).
const StopwordTable& Table() {
  static const StopwordTable table = BuildTable();
  return table;
}

}  // namespace

const std::vector<std::string>& StopwordLanguagesOf(std::string_view word) {
  static const std::vector<std::string> kNone;
  const auto it = Table().langs_of.find(word);
  return it == Table().langs_of.end() ? kNone : it->second;
}

bool IsStopword(std::string_view lang, std::string_view word) {
  const std::vector<std::string>& of = StopwordLanguagesOf(word);
  return std::find(of.begin(), of.end(), lang) != of.end();
}

std::vector<std::string> StopwordLanguages() { return Table().langs; }

}  // namespace sarea
