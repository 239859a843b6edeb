#include "common/suggest.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>

#include <unicode/unistr.h>

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
constexpr unsigned kMaxEditDistance = 2;

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
// spelling, with the passages of all its spellings.
std::vector<Candidate> WordsStartingWith(const std::vector<Xapian::Database>& shards,
                                         const std::string& lang, const std::string& prefix) {
  std::map<std::string, Candidate> by_folded;
  std::map<std::string, long> best_spelling_freq;
  std::string term_lang, word;
  for (const VocabularyEntry& entry :
       ReadVocabulary(shards, schema::FormTermPrefix(lang, prefix, false), kMaxScannedTerms)) {
    if (!schema::ParseFormTerm(entry.term, &term_lang, &word)) continue;
    const std::string folded = FoldAccents(word);
    Candidate& c = by_folded[folded];
    c.freq += entry.count;
    if (entry.count > best_spelling_freq[folded]) {
      best_spelling_freq[folded] = entry.count;
      c.word = word;
    }
  }
  std::vector<Candidate> out;
  for (auto& [folded, c] : by_folded) out.push_back(std::move(c));
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
           const std::vector<std::string>& index_langs, const std::string& word,
           Analyzer& analyzer) {
  const std::string folded = FoldAccents(word);
  for (const std::string& lang : index_langs) {
    if (HasVocabulary(shards, schema::FormTermPrefix(lang, folded, true))) return true;
    for (const std::string& key : analyzer.Keys(lang, word)) {
      if (db.term_exists(schema::KeyTerm(lang, key))) return true;
    }
  }
  return false;
}

std::u32string CodePoints(std::string_view s) {
  std::u32string out;
  const icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), s.size()));
  for (int32_t i = 0; i < u.length(); i = u.moveIndex32(i, 1)) out.push_back(u.char32At(i));
  return out;
}

// Levenshtein distance in code points.
int EditDistance(std::string_view a, std::string_view b) {
  const std::u32string x = CodePoints(a), y = CodePoints(b);
  std::vector<int> row(y.size() + 1);
  for (std::size_t j = 0; j <= y.size(); ++j) row[j] = static_cast<int>(j);
  for (std::size_t i = 1; i <= x.size(); ++i) {
    int diagonal = row[0];
    row[0] = static_cast<int>(i);
    for (std::size_t j = 1; j <= y.size(); ++j) {
      const int above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (x[i - 1] != y[j - 1] ? 1 : 0)});
      diagonal = above;
    }
  }
  return row[y.size()];
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
  struct Ranked {
    Suggestion suggestion;
    long freq;
  };
  std::map<std::string, Ranked> by_text;
  for (const std::string& lang : langs) {
    const std::vector<Candidate> candidates = previous.empty()
                                                  ? WordsStartingWith(shards, lang, prefix)
                                                  : WordsAfter(shards, lang, previous, prefix);
    for (const Candidate& c : candidates) {
      if (IsStopword(lang, c.word) && FoldAccents(c.word) != prefix) continue;
      const std::string text = kept + c.word;
      auto [it, fresh] = by_text.try_emplace(text, Ranked{{text, lang}, c.freq});
      if (!fresh && c.freq > it->second.freq) it->second = Ranked{{text, lang}, c.freq};
    }
  }
  std::vector<Ranked> ranked;
  for (auto& [text, r] : by_text) ranked.push_back(std::move(r));
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const Ranked& a, const Ranked& b) { return a.freq > b.freq; });
  std::vector<Suggestion> out;
  for (std::size_t i = 0; i < ranked.size() && i < size; ++i)
    out.push_back(std::move(ranked[i].suggestion));
  return out;
}

// The closest spelling-table entry to `entry` over `shards` (as
// Database::get_spelling_suggestion, for a database made of them); "" if none.
std::string ClosestSpelling(const std::vector<Xapian::Database>& shards, const std::string& entry,
                            unsigned max_distance) {
  if (shards.size() == 1) return shards.front().get_spelling_suggestion(entry, max_distance);
  std::string best;
  int best_distance = 0;
  Xapian::doccount best_freq = 0;
  for (const Xapian::Database& shard : shards) {
    const std::string candidate = shard.get_spelling_suggestion(entry, max_distance);
    if (candidate.empty() || candidate == best) continue;
    const int distance = EditDistance(entry, candidate);
    Xapian::doccount freq = 0;
    for (const Xapian::Database& other : shards) {
      Xapian::TermIterator it = other.spellings_begin();
      it.skip_to(candidate);
      if (it != other.spellings_end() && *it == candidate) freq += it.get_termfreq();
    }
    if (best.empty() || distance < best_distance ||
        (distance == best_distance &&
         (freq > best_freq || (freq == best_freq && candidate < best)))) {
      best = candidate;
      best_distance = distance;
      best_freq = freq;
    }
  }
  return best;
}

std::vector<Correction> SpellingCorrections(std::string_view query, const Xapian::Database& db,
                                            const std::vector<Xapian::Database>& shards,
                                            const std::vector<std::string>& langs,
                                            Analyzer& analyzer) {
  // The index's languages, those with most passages first: a known word is
  // then usually found at the first try.
  std::vector<std::pair<Xapian::doccount, std::string>> by_size;
  for (auto it = db.allterms_begin(schema::kLangPrefix); it != db.allterms_end(schema::kLangPrefix);
       ++it) {
    by_size.emplace_back(it.get_termfreq(), (*it).substr(1));
  }
  std::sort(by_size.begin(), by_size.end(), std::greater<>());
  std::vector<std::string> index_langs;
  for (auto& [size, lang] : by_size) index_langs.push_back(std::move(lang));
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
        if (word.empty() || HasDigit(word) || Known(db, shards, index_langs, word, analyzer))
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
      const std::string entry =
          ClosestSpelling(shards, schema::SpellingWord(lang, it->second), kMaxEditDistance);
      const std::string word = schema::WordOfSpelling(lang, entry);
      if (word.empty()) {
        complete = false;
        break;
      }
      distance += EditDistance(it->second, word);
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
