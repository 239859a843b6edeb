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

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <absl/container/flat_hash_map.h>
#include <xapian.h>

#include "common/lemmatizer.h"
#include "common/text.h"

namespace sarea {

// Bump when a change to analysis changes the terms of some text: the indexer then
// re-analyses every document. Alignment counts (a passage has its translation's
// keys as terms, and its record names the translation): 5 since the aligner
// stopped pairing documents that are not parallel.
inline constexpr int kAnalyzerVersion = 5;

struct Token {
  std::size_t begin = 0;  // byte offsets of the word in the analysed text
  std::size_t end = 0;
  std::uint32_t position = 0;     // 1-based word position in the text
  std::string word;               // normalised: NFKC, case folded, accents kept
  std::string folded;             // `word` without accents
  std::vector<std::string> keys;  // match keys (see above), never empty
  bool stopword = false;          // a stopword of the text's language
};

// One spelling of a word as analysed in a language (what a Token carries).
struct AnalyzedWord {
  std::string word;               // normalised; "" when the spelling has no word
  std::string folded;             // `word` without accents
  std::vector<std::string> keys;  // match keys, never empty for a word
  bool stopword = false;
};

// One bit chosen by a hash of `key`, for CachedWord::key_signature.
std::uint32_t KeySignature(std::string_view key);

// An entry of the Analyzer's word cache as a walk over a text's words
// (ForEachWord) sees it: beside the cache's key, what a snippet reads of
// every word; the analysis a pointer away, read for the few words that may
// match (and by Analyze). The cache's entries are then 48 bytes instead of
// 128, and more of them stay in the CPU's caches: a snippet's lookups are
// mostly of words met before, but not lately.
struct CachedWord {
  // KeySignature(k) of each of the word's keys, OR-ed: a word none of whose
  // bits a set of keys has cannot share a key with it. 0 for a spelling
  // without a word (a word has keys).
  std::uint32_t key_signature = 0;
  std::unique_ptr<const AnalyzedWord> analysis;  // never null

  const AnalyzedWord& operator*() const { return *analysis; }
  const AnalyzedWord* operator->() const { return analysis.get(); }
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

  // Calls `f(begin, end, position, const CachedWord&)` for every word of
  // `text`, as Analyze would give it, without building Tokens: the lean path
  // for callers that only look at each word once (snippets). The reference is
  // valid until the next call into this Analyzer, and `f` must not call into
  // it. When `f` returns a bool, false stops the walk: the rest of the text
  // is not split.
  template <typename F>
  void ForEachWord(std::string_view text, std::string_view lang, F&& f);

  // As ForEachWord, but a word that begins with an ASCII letter or digit whose
  // lowercase is not in `firsts` is not looked up: `f` gets an entry with
  // key_signature 0 (and no analysis) for it. In a language where
  // KeysBeginLikeTheirWord(), every key of such a word begins with that
  // lowercase character, so a caller after the words having a key among some
  // keys passes their first bytes and misses none: a snippet then looks up a
  // few words of a passage instead of every one.
  template <typename F>
  void ForEachWord(std::string_view text, std::string_view lang, const std::bitset<128>& firsts,
                   F&& f);

  // The keys of one normalised word in `lang`, as Analyze gives them. Valid
  // until the next call into this Analyzer.
  const std::vector<std::string>& Keys(std::string_view lang, const std::string& word);

  // The analysis of one spelling (`raw`, not normalised) in `lang`, cached:
  // a word seen before costs one hash lookup. Valid until the next call.
  const AnalyzedWord& Word(std::string_view lang, std::string_view raw);

  // True when every key of a word of `lang` that begins with an ASCII letter
  // or digit begins with it, lowercased: no stemmer (the key is the folded
  // word), or one that rewrites endings only (checked over text in each:
  // analyzer_test). A lemma begins like its word (Lemmatizer). Not Irish's
  // (initial mutations) or Indonesian's (prefixes), nor the unchecked others.
  static bool KeysBeginLikeTheirWord(std::string_view lang);

  static constexpr std::size_t kMaxWordBytes = 64;

 private:
  Xapian::Stem& StemmerFor(std::string_view lang);
  std::vector<std::string> ComputeKeys(std::string_view lang, const std::string& word);
  CachedWord ComputeWord(std::string_view lang, std::string_view raw);
  // Word()'s entry.
  const CachedWord& Entry(std::string_view lang, std::string_view raw);

  std::shared_ptr<const Lemmatizer> lemmatizer_;
  WordSplitter splitter_;
  std::map<std::string, Xapian::Stem, std::less<>> stemmers_;
  // "lang\0spelling" -> its analysis. Normalisation is idempotent, so a
  // normalised word is its own entry too (Keys()). A lookup is most of a
  // snippet's cost beyond word breaking, and the cache outgrows the CPU's
  // caches: open addressing (one probe of a dense array of control bytes,
  // then the entry) instead of std::unordered_map's bucket, previous node and
  // node took the lookups from 12.7% to 7.9% of the server's CPU (perf, x1
  // searches at 8 clients) and the server's CPU a search down 6-8%.
  // Then the entries shrank (CachedWord).
  absl::flat_hash_map<std::string, CachedWord> word_cache_;
  std::string cache_key_;  // Word()'s lookup buffer
};

template <typename F>
void Analyzer::ForEachWord(std::string_view text, std::string_view lang, F&& f) {
  std::bitset<128> all;
  all.set();
  ForEachWord(text, lang, all, std::forward<F>(f));
}

template <typename F>
void Analyzer::ForEachWord(std::string_view text, std::string_view lang,
                           const std::bitset<128>& firsts, F&& f) {
  static const CachedWord kNotLookedUp;
  std::uint32_t position = 0;
  splitter_.Start(text);
  for (WordSpan span; splitter_.Next(&span);) {
    ++position;
    if (span.end - span.begin > kMaxWordBytes) continue;
    const unsigned char first = static_cast<unsigned char>(text[span.begin]);
    // (An ASCII letter or digit is a word: it normalises to itself, lowercased.)
    const unsigned char lower = first >= 'A' && first <= 'Z' ? first + ('a' - 'A') : first;
    const bool alnum = (lower >= 'a' && lower <= 'z') || (first >= '0' && first <= '9');
    const bool skip = alnum && !firsts[lower];
    const CachedWord& word =
        skip ? kNotLookedUp : Entry(lang, text.substr(span.begin, span.end - span.begin));
    if (!skip && word.key_signature == 0) continue;  // no word
    if constexpr (std::is_same_v<decltype(f(span.begin, span.end, position, word)), bool>) {
      if (!f(span.begin, span.end, position, word)) return;
    } else {
      f(span.begin, span.end, position, word);
    }
  }
}

}  // namespace sarea

#endif  // SAREA_COMMON_ANALYZER_H_
