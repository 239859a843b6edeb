#include "common/language_identifier.h"

#include <cld2/public/compact_lang_det.h>

#include <algorithm>
#include <set>

#include "common/languages.h"
#include "common/stopwords.h"

namespace sarea {
namespace {

// A stopword share of 0.3 (typical of running text) weighs about as much as a
// sure CLD2 answer.
constexpr double kStopwordWeight = 2.0;
// CLD2's percentages count half when it does not call its answer reliable.
constexpr double kUnreliableWeight = 0.5;
// Below this many words CLD2's answer weighs proportionally less: on short texts
// it is often sure and wrong (a Spanish title full of English product names).
constexpr int kFullWeightWords = 15;
// In best-effort mode CLD2 calls even "UNESCO 2004" reliably English: below this
// many words its reliability flag means nothing.
constexpr int kMinReliableWords = 4;
// A confident passage's best score must beat the runner-up by this much.
constexpr double kConfidentMargin = 0.4;
// CLD2's answer counts this much when the text's stopwords contradict it
// (ContradictedAnswer).
constexpr double kContradictedWeight = 0.25;
// Prose has at least this share of plain words (see LanguageEvidence::prose).
constexpr double kMinPlainShare = 0.8;

// A word as the splitter gives it, with a digit or a character that joins
// the parts of names, numbers and addresses rather than of words.
bool Technical(std::string_view word) {
  return word.find_first_of("0123456789._:@/") != std::string_view::npos;
}

// A command line: a shell prompt ("$ ls", "# apt install") first.
bool Command(std::string_view text) {
  const std::size_t start = text.find_first_not_of(" \t\r\n");
  return start != std::string_view::npos && text.size() > start + 1 &&
         (text[start] == '$' || text[start] == '#') && text[start + 1] == ' ';
}

bool HasStopwordList(const std::string& lang) {
  static const std::set<std::string> langs = [] {
    const std::vector<std::string> all = StopwordLanguages();
    return std::set<std::string>(all.begin(), all.end());
  }();
  return langs.count(lang) > 0;
}

struct Cld2Result {
  std::map<std::string, double> shares;  // language -> fraction of the text
  bool reliable = false;
};

Cld2Result DetectWithCld2(std::string_view text) {
  // CLD2 takes control characters (a jsonl "\u0000") for invalid UTF-8 and
  // then returns early without writing its results: they would be read
  // uninitialised (found by fuzz_langid). Spaces say the same to it.
  std::string clean;
  if (std::any_of(text.begin(), text.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r';
      })) {
    clean.assign(text);
    for (char& c : clean) {
      if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    }
    text = clean;
  }
  CLD2::Language language3[3] = {CLD2::UNKNOWN_LANGUAGE, CLD2::UNKNOWN_LANGUAGE,
                                 CLD2::UNKNOWN_LANGUAGE};
  int percent3[3] = {0, 0, 0};
  double normalized_score3[3] = {0, 0, 0};
  int text_bytes = 0;
  int valid_prefix_bytes = 0;
  bool reliable = false;
  CLD2::ExtDetectLanguageSummaryCheckUTF8(
      text.data(), static_cast<int>(text.size()), /*is_plain_text=*/true, /*cld_hints=*/nullptr,
      CLD2::kCLDFlagBestEffort, language3, percent3, normalized_score3,
      /*resultchunkvector=*/nullptr, &text_bytes, &reliable, &valid_prefix_bytes);
  Cld2Result result;
  result.reliable = reliable;
  for (int i = 0; i < 3; ++i) {
    if (language3[i] == CLD2::UNKNOWN_LANGUAGE || percent3[i] <= 0) continue;
    const std::string code = NormalizeLanguageTag(CLD2::LanguageCode(language3[i]));
    if (!code.empty()) result.shares[code] += percent3[i] / 100.0;
  }
  return result;
}

// CLD2's main answer when the text's stopwords contradict it: none of them is
// that language's alone, while some are another language's and not its (CLD2
// is sure of English for "El teclado propuesto «American English» corresponde
// a la distribución QWERTY usual."). Empty when they do not, or when the
// answer has no stopword list to check it by.
std::string ContradictedAnswer(const Cld2Result& cld2,
                               const std::vector<const std::vector<std::string>*>& stopword_langs) {
  std::string answer;
  double top = 0;
  for (const auto& [lang, share] : cld2.shares) {
    if (share > top) top = share, answer = lang;
  }
  if (answer.empty() || !HasStopwordList(answer)) return "";
  std::set<std::string> others;
  for (const auto* langs : stopword_langs) others.insert(langs->begin(), langs->end());
  others.erase(answer);
  for (const std::string& other : others) {
    int answer_alone = 0, other_alone = 0;
    for (const auto* langs : stopword_langs) {
      const bool a = std::find(langs->begin(), langs->end(), answer) != langs->end();
      const bool o = std::find(langs->begin(), langs->end(), other) != langs->end();
      answer_alone += a && !o;
      other_alone += o && !a;
    }
    if (answer_alone == 0 && other_alone > 0) return answer;
  }
  return "";
}

// A confident reading overrules the language an enclosing element states
// when the text's stopwords side with it too: CLD2 alone is sure of English
// for "Gestión de energía: interfaz avanzada de configuración y energía
// (ACPI: «Advanced Configuration and Power Interface)".
bool OverrulesDefault(const LanguageEvidence& e, const std::string& stated) {
  if (!e.confident || e.best == stated) return false;
  const auto count = [&](const std::string& lang) {
    const auto it = e.stopwords.find(lang);
    return it == e.stopwords.end() ? 0 : it->second;
  };
  return count(e.best) > count(stated);
}

double SecondBest(const std::map<std::string, double>& scores, const std::string& best) {
  double second = 0;
  for (const auto& [lang, score] : scores) {
    if (lang != best) second = std::max(second, score);
  }
  return second;
}

// Passages with only weak evidence ("UNESCO 2004") take the nearest decided
// neighbour's language, the previous one first at equal distance; failing
// that, their own weak guess; failing that, "und".
void FillFromNeighbours(std::vector<std::string>& langs,
                        const std::vector<std::string>& weak_guesses) {
  const std::vector<std::string> decided = langs;
  const std::size_t n = langs.size();
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t d = 1; d < n && langs[i].empty(); ++d) {
      if (i >= d && !decided[i - d].empty())
        langs[i] = decided[i - d];
      else if (i + d < n && !decided[i + d].empty())
        langs[i] = decided[i + d];
    }
    if (langs[i].empty()) langs[i] = weak_guesses[i].empty() ? kUndetermined : weak_guesses[i];
  }
}

}  // namespace

LanguageIdentifier::LanguageIdentifier(LanguageIdentifierOptions options)
    : options_(std::move(options)) {}

LanguageEvidence LanguageIdentifier::Score(std::string_view text) {
  LanguageEvidence e;
  bool any_stopword = false;
  int plain = 0;
  // The languages of each stopword, for ContradictedAnswer.
  std::vector<const std::vector<std::string>*> stopword_langs;
  for (const WordSpan& span : splitter_.Split(text)) {
    ++e.words;
    const std::string_view raw = text.substr(span.begin, span.end - span.begin);
    plain += Technical(raw) ? 0 : 1;
    const std::string word = NormalizeWord(raw);
    const std::vector<std::string>& langs = StopwordLanguagesOf(word);
    for (const std::string& lang : langs) ++e.stopwords[lang], any_stopword = true;
    // A capital letter alone is a name ("C++", "R"), not the word it spells.
    const bool letter_name = raw.size() == 1 && raw[0] >= 'A' && raw[0] <= 'Z';
    if (!langs.empty() && !letter_name) stopword_langs.push_back(&langs);
  }
  for (const auto& [lang, count] : e.stopwords) {
    e.scores[lang] += kStopwordWeight * count / e.words;
  }
  const Cld2Result cld2 = DetectWithCld2(text);
  const double length_weight = std::min(1.0, static_cast<double>(e.words) / kFullWeightWords);
  const std::string contradicted = ContradictedAnswer(cld2, stopword_langs);
  for (const auto& [lang, share] : cld2.shares) {
    e.scores[lang] += share * length_weight * (cld2.reliable ? 1.0 : kUnreliableWeight) *
                      (lang == contradicted ? kContradictedWeight : 1.0);
  }
  double best_score = 0;
  for (const auto& [lang, score] : e.scores) {
    if (score > best_score) best_score = score, e.best = lang;
  }
  e.reliable = !e.best.empty() && cld2.reliable && e.words >= kMinReliableWords &&
               cld2.shares.count(e.best) > 0;
  e.weak = !any_stopword && !e.reliable;
  e.code = Command(text) || plain < kMinPlainShare * e.words;
  e.confident = e.reliable && !e.code && e.words >= options_.min_confident_words &&
                best_score - SecondBest(e.scores, e.best) >= kConfidentMargin;
  e.prose = !e.best.empty() && !e.code && text.find("://") == std::string_view::npos &&
            (e.stopwords.count(e.best) > 0 || !HasStopwordList(e.best));
  return e;
}

std::string LanguageIdentifier::ChooseAmong(const LanguageEvidence& e,
                                            const std::vector<std::string>& candidates) const {
  std::string choice;
  double best = 0;
  for (const std::string& lang : candidates) {
    const auto it = e.scores.find(lang);
    if (it != e.scores.end() && it->second > best) best = it->second, choice = lang;
  }
  return choice;
}

std::vector<std::string> LanguageIdentifier::IdentifyPassages(
    const std::vector<std::string>& texts, const std::vector<std::string>& hints,
    const std::vector<std::string>& defaults) {
  const std::size_t n = texts.size();
  std::vector<LanguageEvidence> evidence;
  std::vector<std::string> langs(n);
  std::set<std::string> document_langs;
  for (std::size_t i = 0; i < n; ++i) {
    evidence.push_back(Score(texts[i]));
    const std::string hint = i < hints.size() ? NormalizeLanguageTag(hints[i]) : "";
    const std::string fallback = i < defaults.size() ? NormalizeLanguageTag(defaults[i]) : "";
    if (!hint.empty())
      langs[i] = hint;
    else if (!fallback.empty())
      langs[i] = OverrulesDefault(evidence[i], fallback) ? evidence[i].best : fallback;
    else if (evidence[i].confident)
      langs[i] = evidence[i].best;
    if (!langs[i].empty()) document_langs.insert(langs[i]);
  }
  const std::vector<std::string> candidates =
      document_langs.empty()
          ? options_.expected
          : std::vector<std::string>(document_langs.begin(), document_langs.end());
  std::vector<std::string> weak_guesses(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (!langs[i].empty()) continue;
    std::string choice = ChooseAmong(evidence[i], candidates);
    // A short passage in a language foreign to the document ("Sorkuntza eta
    // berrikuntza" in an English-Spanish text) keeps CLD2's sure answer if it
    // reads as prose; code and addresses take their neighbour's language
    // (CLD2's answer only if they have no neighbour).
    if (choice.empty() && evidence[i].reliable) {
      if (!evidence[i].prose) {
        weak_guesses[i] = evidence[i].best;
        continue;
      }
      choice = evidence[i].best;
    }
    (evidence[i].weak ? weak_guesses[i] : langs[i]) = choice;
  }
  FillFromNeighbours(langs, weak_guesses);
  return langs;
}

}  // namespace sarea
