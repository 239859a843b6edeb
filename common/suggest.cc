#include "common/suggest.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <functional>
#include <map>

#include <unicode/utf8.h>

#include "common/query_builder.h"
#include "common/schema.h"
#include "common/stopwords.h"
#include "common/text.h"
#include "common/vocabulary.h"

namespace sarea {
namespace {

// How many index terms one completion may look at per language; a one-letter
// prefix of a large vocabulary stops there (the first in alphabetical order).
constexpr std::size_t kMaxScannedTerms = 5000;
// The edit distance "did you mean" allows.
constexpr int kMaxEditDistance = 2;
// How many spellings one correction may compare per language: those that
// start with the word's first letter, in alphabetical order.
constexpr std::size_t kMaxScannedForms = 20000;

std::string Fold(std::string_view word) { return FoldAccents(NormalizeWord(word)); }

// The most frequent spelling of the accent-folded word `folded` in `lang`; ""
// if the index has none.
std::string Spelling(const std::vector<Xapian::Database>& shards, const std::string& lang,
                     const std::string& folded) {
  std::string best;
  long best_count = 0;
  for (VocabularyEntry& entry :
       ReadVocabulary(shards, schema::FormTermPrefix(lang, folded, true), kMaxScannedTerms)) {
    if (entry.count > best_count) {
      best_count = entry.count;
      best = schema::WordOfFormTerm(entry.term);
    }
  }
  return best;
}

struct Candidate {
  std::string word;  // spelling to offer
  long freq = 0;
};

// Words of `lang` starting with `prefix` (folded), each by its most frequent
// spelling (the first of those as frequent), with the passages of all its
// spellings. (The entries come in term order: the spellings of one folded
// form are together.)
std::vector<Candidate> WordsStartingWith(const std::vector<Xapian::Database>& shards,
                                         const std::string& lang, const std::string& prefix) {
  std::vector<Candidate> out;
  std::string_view folded;  // out.back()'s
  long best = 0;            // the passages of out.back()'s spelling
  std::string term_lang, word;
  for (const VocabularyEntry& entry :
       ReadVocabulary(shards, schema::FormTermPrefix(lang, prefix, false), kMaxScannedTerms)) {
    if (!schema::ParseFormTerm(entry.term, &term_lang, &word)) continue;
    const std::string_view form = schema::FoldedOfFormTerm(entry.term);
    if (out.empty() || form != folded) {
      out.push_back({});
      best = 0;
    }
    folded = form;  // (into the entries, which outlive the loop)
    Candidate& c = out.back();
    c.freq += entry.count;
    if (entry.count > best) {
      best = entry.count;
      c.word = word;
    }
  }
  return out;
}

// Words of `lang` that follow `previous` (folded) and start with `prefix`.
std::vector<Candidate> WordsAfter(const std::vector<Xapian::Database>& shards,
                                  const std::string& lang, const std::string& previous,
                                  const std::string& prefix) {
  std::vector<Candidate> out;
  for (const VocabularyEntry& entry :
       ReadVocabulary(shards, schema::BigramTerm(lang, previous, prefix), kMaxScannedTerms)) {
    const std::string word = Spelling(shards, lang, schema::SecondWordOfBigram(entry.term));
    if (!word.empty()) out.push_back({word, entry.count});
  }
  return out;
}

bool IsOperatorOrFilter(std::string_view chunk) {
  return chunk == "AND" || chunk == "OR" || chunk == "NOT" ||
         chunk.find(':') != std::string_view::npos || (!chunk.empty() && chunk.back() == '*');
}

bool HasDigit(std::string_view word) {
  return std::any_of(word.begin(), word.end(),
                     [](unsigned char c) { return std::isdigit(c) != 0; });
}

// True if some language of the index has a spelling of `word` or one of its keys.
bool Known(const Xapian::Database& db, const std::vector<Xapian::Database>& shards,
           const std::vector<std::string>& index_langs, const std::string& word, Analyzer& analyzer,
           IndexReads& reads) {
  const std::string folded = FoldAccents(word);
  for (const std::string& lang : index_langs) {
    if (ReadWordForms(analyzer, shards, reads, lang, folded).passages > 0) return true;
    for (const std::string& key : analyzer.Keys(lang, word)) {
      if (db.term_exists(schema::KeyTerm(lang, key))) return true;
    }
  }
  return false;
}

// The code points of UTF-8 `s` (an invalid sequence as U+FFFD).
std::u32string CodePoints(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  const auto n = static_cast<int32_t>(s.size());
  for (int32_t i = 0; i < n;) {
    UChar32 c;
    U8_NEXT(s.data(), i, n, c);
    out.push_back(c < 0 ? U'\uFFFD' : static_cast<char32_t>(c));
  }
  return out;
}

// The edit distance of `a` and `b` in code points, an insertion, a deletion, a
// substitution or the swap of two neighbours counting one each ("teh" is one
// from "the"); `max` + 1 once it is more than `max`.
int Distance(const std::u32string& a, const std::u32string& b, int max) {
  const int la = static_cast<int>(a.size()), lb = static_cast<int>(b.size());
  if (std::abs(la - lb) > max) return max + 1;
  std::vector<int> before(lb + 1), above(lb + 1), row(lb + 1);
  for (int j = 0; j <= lb; ++j) above[j] = j;
  for (int i = 1; i <= la; ++i) {
    row[0] = i;
    int row_min = row[0];
    for (int j = 1; j <= lb; ++j) {
      row[j] = std::min({above[j] + 1, row[j - 1] + 1, above[j - 1] + (a[i - 1] != b[j - 1])});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        row[j] = std::min(row[j], before[j - 2] + 1);
      row_min = std::min(row_min, row[j]);
    }
    if (row_min > max) return max + 1;
    std::swap(before, above);
    std::swap(above, row);
  }
  return std::min(above[lb], max + 1);
}

int EditDistance(std::string_view a, std::string_view b) {
  const std::u32string x = CodePoints(a), y = CodePoints(b);
  return Distance(x, y, static_cast<int>(std::max(x.size(), y.size())));
}

// The spelling of `lang` closest to `word` (normalised, unknown to the
// index): among the vocabulary's forms whose accent-folded form starts with
// the letter `word`'s does, the one nearest to `word` folded (at most
// kMaxEditDistance edits), then the one most passages have; its most frequent
// spelling, or "" if none is near enough. Accents cost nothing ("configurasion"
// is one edit from "configuración"), and a typo in the first letter goes
// uncorrected, as with Lucene's and Elasticsearch's default prefix of one.
std::string ClosestWord(const std::vector<Xapian::Database>& shards, const std::string& lang,
                        const std::string& word) {
  const std::string folded = FoldAccents(word);
  const std::u32string target = CodePoints(folded);
  if (target.empty()) return "";
  const std::vector<VocabularyEntry> entries = ReadVocabulary(
      shards, schema::FormTermPrefix(lang, FirstCodePoints(folded, 1), false), kMaxScannedForms);
  // Entries come in term order: the spellings of one folded form are together.
  int best_distance = kMaxEditDistance + 1;
  long best_count = 0;
  std::string best;
  for (std::size_t i = 0; i < entries.size();) {
    const std::string_view form = schema::FoldedOfFormTerm(entries[i].term);
    long count = 0, top = 0;
    std::string top_spelling;
    for (; i < entries.size() && schema::FoldedOfFormTerm(entries[i].term) == form; ++i) {
      count += entries[i].count;
      if (entries[i].count > top) {
        top = entries[i].count;
        top_spelling = schema::WordOfFormTerm(entries[i].term);
      }
    }
    if (form.empty() || top_spelling.empty()) continue;
    const int distance = Distance(target, CodePoints(form), kMaxEditDistance);
    if (distance > kMaxEditDistance) continue;
    if (distance < best_distance || (distance == best_distance && count > best_count)) {
      best_distance = distance;
      best_count = count;
      best = top_spelling;
    }
  }
  return best;
}

}  // namespace

std::vector<Suggestion> Complete(std::string_view typed,
                                 const std::vector<Xapian::Database>& shards,
                                 const std::vector<std::string>& langs, std::size_t size) {
  thread_local WordSplitter splitter;  // costly to build; one per thread
  const std::vector<WordSpan> words = splitter.Split(typed);
  if (words.empty() || size == 0) return {};
  const bool last_is_whole = words.back().end < typed.size();  // something follows it
  std::string kept, prefix, previous;
  if (last_is_whole) {
    kept = std::string(typed);
    if (kept.back() != ' ') kept.push_back(' ');
    const WordSpan& last = words.back();
    previous = Fold(typed.substr(last.begin, last.end - last.begin));
  } else {
    const WordSpan& last = words.back();
    kept = std::string(typed.substr(0, last.begin));
    prefix = Fold(typed.substr(last.begin, last.end - last.begin));
    if (words.size() > 1) {
      const WordSpan& before = words[words.size() - 2];
      previous = Fold(typed.substr(before.begin, before.end - before.begin));
    }
  }
  // Every language's candidates; of those spelt alike, the one most passages
  // have (the first language's among equals); the most passages first, then
  // in alphabetical order. (Sorted, not merged in a map: a short prefix has
  // thousands.)
  struct Ranked {
    std::string word;
    std::size_t lang;  // in `langs`
    long freq;
  };
  std::vector<Ranked> ranked;
  for (std::size_t l = 0; l < langs.size(); ++l) {
    const std::string& lang = langs[l];
    std::vector<Candidate> candidates = previous.empty()
                                            ? WordsStartingWith(shards, lang, prefix)
                                            : WordsAfter(shards, lang, previous, prefix);
    for (Candidate& c : candidates) {
      if (IsStopword(lang, c.word) && FoldAccents(c.word) != prefix) continue;
      ranked.push_back({std::move(c.word), l, c.freq});
    }
  }
  std::sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
    if (a.word != b.word) return a.word < b.word;
    return a.freq != b.freq ? a.freq > b.freq : a.lang < b.lang;
  });
  ranked.erase(std::unique(ranked.begin(), ranked.end(),
                           [](const Ranked& a, const Ranked& b) { return a.word == b.word; }),
               ranked.end());
  const auto better = [](const Ranked& a, const Ranked& b) {
    return a.freq != b.freq ? a.freq > b.freq : a.word < b.word;
  };
  const std::size_t n = std::min(size, ranked.size());
  std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(n), ranked.end(),
                    better);
  std::vector<Suggestion> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back({kept + ranked[i].word, langs[ranked[i].lang]});
  return out;
}

std::vector<Correction> SpellingCorrections(std::string_view query, const Xapian::Database& db,
                                            const std::vector<Xapian::Database>& shards,
                                            const std::vector<std::string>& index_langs,
                                            const std::vector<std::string>& langs,
                                            Analyzer& analyzer, IndexReads* reads) {
  IndexReads own_reads;
  IndexReads& read = reads ? *reads : own_reads;
  // index_langs has those with most passages first: a known word is then
  // usually found at the first try.
  // The byte spans of the words no language has.
  thread_local WordSplitter splitter;                     // costly to build; one per thread
  std::vector<std::pair<WordSpan, std::string>> unknown;  // span, normalised word
  std::size_t i = 0;
  while (i < query.size()) {
    while (i < query.size() && std::isspace(static_cast<unsigned char>(query[i]))) ++i;
    std::size_t end = i;
    while (end < query.size() && !std::isspace(static_cast<unsigned char>(query[end]))) ++end;
    const std::string_view chunk = query.substr(i, end - i);
    if (!IsOperatorOrFilter(chunk)) {
      for (const WordSpan& span : splitter.Split(chunk)) {
        const std::string word = NormalizeWord(chunk.substr(span.begin, span.end - span.begin));
        if (word.empty() || HasDigit(word) || Known(db, shards, index_langs, word, analyzer, read))
          continue;
        unknown.push_back({{i + span.begin, i + span.end}, word});
      }
    }
    i = end;
  }
  std::vector<Correction> corrections;
  if (unknown.empty() || unknown.size() > kMaxCorrectedWords) return corrections;
  for (const std::string& lang : langs) {
    std::string corrected(query);
    bool complete = true;
    int distance = 0;
    // Right to left, so earlier spans keep their offsets.
    for (auto it = unknown.rbegin(); it != unknown.rend() && complete; ++it) {
      const std::string word = ClosestWord(shards, lang, it->second);
      if (word.empty()) {
        complete = false;
        break;
      }
      distance += EditDistance(FoldAccents(it->second), FoldAccents(word));
      corrected.replace(it->first.begin, it->first.end - it->first.begin, word);
    }
    if (complete) corrections.push_back({lang, corrected, distance});
  }
  std::stable_sort(
      corrections.begin(), corrections.end(),
      [](const Correction& a, const Correction& b) { return a.distance < b.distance; });
  return corrections;
}

}  // namespace sarea
