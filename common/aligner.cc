#include "common/aligner.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "common/languages.h"
#include "common/text.h"

namespace sarea {
namespace {

// Gale and Church's variance of the length ratio (per character).
constexpr double kLengthVariance = 6.8;
// What leaving a passage unpaired costs in the alignment (a pair costs 1 - score).
constexpr double kSkipCost = 0.5;
// Words at least this long (code points) count as cognates by their first
// kCognatePrefix letters.
constexpr std::size_t kCognateMinLength = 5;
constexpr std::size_t kCognatePrefix = 4;

struct Features {
  double chars = 0;
  std::set<std::string> numbers;
  std::set<std::string> names;     // capitalised words and acronyms, folded
  std::set<std::string> cognates;  // folded word beginnings
  int items = 0;                   // list items
  int sentences = 1;               // sentence ends (. ! ? before a space) + 1
};

bool StartsUpper(std::string_view word) {
  return !word.empty() && std::isupper(static_cast<unsigned char>(word[0]));
}

Features Extract(const std::string& text, WordSplitter& splitter) {
  Features f;
  f.chars = static_cast<double>(CodePointCount(text));
  for (std::size_t at = text.find("\n- "); at != std::string::npos; at = text.find("\n- ", at + 1))
    ++f.items;
  for (std::size_t at = 0; at + 1 < text.size(); ++at) {
    const char c = text[at], next = text[at + 1];
    if ((c == '.' || c == '!' || c == '?') && (next == ' ' || next == '\n')) ++f.sentences;
  }
  bool sentence_start = true;
  std::size_t previous_end = 0;
  for (const WordSpan& span : splitter.Split(text)) {
    const std::string_view raw = std::string_view(text).substr(span.begin, span.end - span.begin);
    const std::string_view gap =
        std::string_view(text).substr(previous_end, span.begin - previous_end);
    sentence_start = sentence_start || gap.find_first_of(".!?:\n") != std::string_view::npos;
    previous_end = span.end;
    const std::string folded = FoldAccents(NormalizeWord(raw));
    if (std::isdigit(static_cast<unsigned char>(raw[0]))) {
      f.numbers.insert(folded);
    } else if (StartsUpper(raw) && !sentence_start) {
      f.names.insert(folded);
    }
    if (CodePointCount(folded) >= kCognateMinLength) {
      f.cognates.emplace(FirstCodePoints(folded, kCognatePrefix));
    }
    sentence_start = false;
  }
  return f;
}

double Dice(const std::set<std::string>& a, const std::set<std::string>& b) {
  if (a.empty() && b.empty()) return 0;
  std::size_t common = 0;
  for (const std::string& x : a) common += b.count(x);
  return 2.0 * static_cast<double>(common) / static_cast<double>(a.size() + b.size());
}

// How likely `b` (of the second language) translates `a`, from 0 to 1.
double PairScore(const Features& a, const Features& b, double ratio) {
  const double delta =
      (b.chars - ratio * a.chars) / std::sqrt(kLengthVariance * std::max(1.0, a.chars));
  const double length = std::exp(-delta * delta / 2);
  // Cognates weigh most: paragraphs of about one length are common, and a
  // paragraph's length in translation varies more than a sentence's (the
  // length model alone scored half of the handbook's true pairs below 0.55).
  double score = 0.3 * length + 0.7 * std::min(1.0, 2.5 * Dice(a.cognates, b.cognates));
  if (!a.names.empty() || !b.names.empty()) score += 0.15 * (Dice(a.names, b.names) - 0.3);
  if (!a.numbers.empty() || !b.numbers.empty()) score += 0.25 * (Dice(a.numbers, b.numbers) - 0.5);
  if (a.items != b.items) score -= 0.2;
  // A translation keeps its sentences.
  score -= 0.1 * std::min(2, std::abs(a.sentences - b.sentences));
  return std::clamp(score, 0.0, 1.0);
}

// The two most frequent languages, most frequent first; "" when missing.
std::pair<std::string, std::string> TwoLanguages(const std::vector<AlignInput>& passages) {
  std::map<std::string, int> counts;
  for (const AlignInput& p : passages) {
    if (p.lang != kUndetermined && !p.lang.empty()) ++counts[p.lang];
  }
  std::vector<std::pair<int, std::string>> ranked;
  for (const auto& [lang, n] : counts) ranked.emplace_back(-n, lang);
  std::sort(ranked.begin(), ranked.end());
  return {ranked.size() > 0 ? ranked[0].second : "", ranked.size() > 1 ? ranked[1].second : ""};
}

}  // namespace

Alignment AlignTranslations(const std::vector<AlignInput>& passages,
                            const AlignerOptions& options) {
  Alignment result{std::vector<int>(passages.size(), -1), std::vector<double>(passages.size(), 0)};
  const auto [first, second] = TwoLanguages(passages);
  if (second.empty()) return result;
  std::vector<int> a, b;  // passage indexes per language, in order
  for (std::size_t i = 0; i < passages.size(); ++i) {
    if (passages[i].lang == first)
      a.push_back(static_cast<int>(i));
    else if (passages[i].lang == second)
      b.push_back(static_cast<int>(i));
  }
  WordSplitter splitter;
  std::vector<Features> fa, fb;
  double chars_a = 0, chars_b = 0;
  for (int i : a) fa.push_back(Extract(passages[i].text, splitter)), chars_a += fa.back().chars;
  for (int j : b) fb.push_back(Extract(passages[j].text, splitter)), chars_b += fb.back().chars;
  // The document's own length ratio between its languages, kept within what
  // translation plausibly does to length.
  const double ratio = std::clamp(chars_b / std::max(1.0, chars_a), 0.7, 1.4);

  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<double>> score(n, std::vector<double>(m));
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < m; ++j) score[i][j] = PairScore(fa[i], fb[j], ratio);
  }
  // cost[i][j]: the cheapest alignment of a[0..i) with b[0..j).
  std::vector<std::vector<double>> cost(n + 1, std::vector<double>(m + 1, 0));
  for (std::size_t i = 0; i <= n; ++i) {
    for (std::size_t j = 0; j <= m; ++j) {
      if (i == 0 && j == 0) continue;
      double best = std::numeric_limits<double>::infinity();
      if (i > 0) best = std::min(best, cost[i - 1][j] + kSkipCost);
      if (j > 0) best = std::min(best, cost[i][j - 1] + kSkipCost);
      if (i > 0 && j > 0) best = std::min(best, cost[i - 1][j - 1] + 1 - score[i - 1][j - 1]);
      cost[i][j] = best;
    }
  }
  for (std::size_t i = n, j = m; i > 0 && j > 0;) {
    const double paired = cost[i - 1][j - 1] + 1 - score[i - 1][j - 1];
    if (std::abs(cost[i][j] - paired) < 1e-12) {
      if (score[i - 1][j - 1] >= options.min_confidence) {
        result.partner[a[i - 1]] = b[j - 1];
        result.partner[b[j - 1]] = a[i - 1];
        result.confidence[a[i - 1]] = result.confidence[b[j - 1]] = score[i - 1][j - 1];
      }
      --i, --j;
    } else if (std::abs(cost[i][j] - (cost[i - 1][j] + kSkipCost)) < 1e-12) {
      --i;
    } else {
      --j;
    }
  }
  // A document pairing few of its passages is not a parallel one (English
  // paragraphs left untranslated in a Spanish page, an unrelated section in
  // another language): a monotone alignment through it pairs neighbours of
  // about one length with a few word beginnings in common, so none of its
  // pairs is kept. Over the Debian handbook's Spanish pages, whose English
  // paragraphs are such leftovers, all 150 pairs made without it were wrong
  // (4 remain with it).
  int pairs = 0;
  for (int i : a) pairs += result.partner[i] >= 0;
  if (pairs < options.min_parallel_share * static_cast<double>(std::min(n, m))) {
    for (int i : a) result.partner[i] = -1, result.confidence[i] = 0;
    for (int j : b) result.partner[j] = -1, result.confidence[j] = 0;
  }
  return result;
}

}  // namespace sarea
