// The analyzer: THE one term pipeline, used by the indexer and the query side.
//
// text --WordSplitter--> words --NormalizeWord--> "ciudades" (NFKC, case folded,
// accents kept) --> keys: the Snowball stem of the word and of each of its
// dictionary lemmas, each stem then accent-folded.
//
//   "Ciudades"  -> word "ciudades" -> stems {ciudad (Snowball), ciud (lemma ciudad)}
//   "ciudad"    -> word "ciudad"   -> stems {ciud}
//   "creación"  -> {creacion}; "configuración" -> {configur}
//
// Stemming sees the accented word (Snowball Spanish needs the accents to strip
// "-ción"); folding comes after, so keys are accent-free. The way back from an
// accentless query word to the accented forms is the index's form terms (see
// schema.h and query_builder.h), which map a folded word to the spellings seen.
//
// An Analyzer is not thread-safe (it caches stemmers and keys): use one per thread.
// Its Lemmatizer may be shared.
#ifndef SAREA_COMMON_ANALYZER_H_
#define SAREA_COMMON_ANALYZER_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <xapian.h>

#include "common/lemmatizer.h"
#include "common/text.h"

namespace sarea {

// Bump when a change to analysis changes the terms of some text: the indexer then
// re-analyses every document.
inline constexpr int kAnalyzerVersion = 1;

struct Token {
  std::size_t begin = 0;  // byte offsets of the word in the analysed text
  std::size_t end = 0;
  std::uint32_t position = 0;     // 1-based word position in the text
  std::string word;               // normalised: NFKC, case folded, accents kept
  std::string folded;             // `word` without accents
  std::vector<std::string> keys;  // match keys (see above), never empty
  bool stopword = false;          // a stopword of the text's language
};

class Analyzer {
 public:
  // Uses Lemmatizer::Default() when `lemmatizer` is null.
  explicit Analyzer(std::shared_ptr<const Lemmatizer> lemmatizer = nullptr);
  Analyzer(const Analyzer&) = delete;
  Analyzer& operator=(const Analyzer&) = delete;

  // Every word of `text` analysed as language `lang` (a normalised code; unknown
  // codes and "und" get no stemming). Words longer than kMaxWordBytes are skipped
  // but still take a position, so phrases never match across them.
  std::vector<Token> Analyze(std::string_view text, std::string_view lang);

  // The keys of one normalised word in `lang`, as Analyze gives them.
  const std::vector<std::string>& Keys(std::string_view lang, const std::string& word);

  static constexpr std::size_t kMaxWordBytes = 64;

 private:
  Xapian::Stem& StemmerFor(std::string_view lang);
  std::vector<std::string> ComputeKeys(std::string_view lang, const std::string& word);

  std::shared_ptr<const Lemmatizer> lemmatizer_;
  WordSplitter splitter_;
  std::map<std::string, Xapian::Stem, std::less<>> stemmers_;
  std::unordered_map<std::string, std::vector<std::string>> key_cache_;
  std::string cache_key_;  // Keys()'s lookup buffer
};

}  // namespace sarea

#endif  // SAREA_COMMON_ANALYZER_H_
