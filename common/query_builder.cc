#include "common/query_builder.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "common/languages.h"
#include "common/schema.h"
#include "common/stopwords.h"
#include "common/synonyms.h"
#include "common/text.h"
#include "common/vocabulary.h"

namespace sarea {
namespace {

// How many indexed spellings a prefix* or an accent-folded word may expand to.
constexpr std::size_t kMaxPrefixForms = 64;
constexpr std::size_t kMaxWordForms = 16;
// A word is foreign to a language that has under this share of its
// frequency (LanguageFit).
constexpr double kForeignShare = 0.1;
// The least weight a reading of foreign words keeps.
constexpr double kMinReadingWeight = 0.1;

enum class Occur { kShould, kMust, kMustNot };
enum class ClauseKind { kWords, kPhrase, kPrefix };

struct Clause {
  ClauseKind kind = ClauseKind::kWords;
  std::string text;
  Occur occur = Occur::kShould;
};

struct ParsedQuery {
  std::vector<Clause> clauses;
  std::vector<std::string> langs;  // lang: filters
  std::vector<std::string> docs;   // doc: filters
};

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// A filter chunk ("lang:es", "doc:a/b.txt") goes to `parsed`; true if it was one.
bool TakeFilter(const std::string& chunk, ParsedQuery& parsed) {
  const std::size_t colon = chunk.find(':');
  if (colon == std::string::npos || colon + 1 == chunk.size()) return false;
  std::string field = chunk.substr(0, colon);
  std::transform(field.begin(), field.end(), field.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (field == "lang")
    parsed.langs.push_back(chunk.substr(colon + 1));
  else if (field == "doc")
    parsed.docs.push_back(chunk.substr(colon + 1));
  else
    return false;
  return true;
}

// Applies a pending AND/OR/NOT to the clause just read.
void ApplyOperator(const std::string& op, std::vector<Clause>& clauses) {
  Clause& current = clauses.back();
  if (op == "NOT") {
    current.occur = Occur::kMustNot;
  } else if (op == "AND") {
    Clause& previous = clauses[clauses.size() - 2];
    if (previous.occur == Occur::kShould) previous.occur = Occur::kMust;
    if (current.occur == Occur::kShould) current.occur = Occur::kMust;
  }  // OR: both stay optional, the default.
}

Result<ParsedQuery> ParseStrict(std::string_view q) {
  ParsedQuery parsed;
  std::string pending_op;
  std::size_t i = 0;
  while (i < q.size()) {
    if (IsSpace(q[i])) {
      ++i;
      continue;
    }
    Occur occur = Occur::kShould;
    if ((q[i] == '+' || q[i] == '-') && i + 1 < q.size() && !IsSpace(q[i + 1])) {
      occur = q[i] == '+' ? Occur::kMust : Occur::kMustNot;
      ++i;
    }
    Clause clause{ClauseKind::kWords, "", occur};
    if (q[i] == '"') {
      const std::size_t close = q.find('"', i + 1);
      if (close == std::string_view::npos) return Status::InvalidArgument("unbalanced quote");
      clause.kind = ClauseKind::kPhrase;
      clause.text = std::string(q.substr(i + 1, close - i - 1));
      i = close + 1;
    } else {
      std::size_t end = i;
      while (end < q.size() && !IsSpace(q[end]) && q[end] != '"') ++end;
      clause.text = std::string(q.substr(i, end - i));
      i = end;
      if (occur == Occur::kShould &&
          (clause.text == "AND" || clause.text == "OR" || clause.text == "NOT")) {
        if (!pending_op.empty() || (clause.text != "NOT" && parsed.clauses.empty())) {
          return Status::InvalidArgument("operator " + clause.text + " has nothing to combine");
        }
        pending_op = clause.text;
        continue;
      }
      if (occur == Occur::kShould && TakeFilter(clause.text, parsed)) continue;
      if (clause.text.size() > 1 && clause.text.back() == '*') {
        clause.kind = ClauseKind::kPrefix;
        clause.text.pop_back();
      }
    }
    parsed.clauses.push_back(std::move(clause));
    if (!pending_op.empty()) {
      if (pending_op != "NOT" && parsed.clauses.size() < 2) {
        return Status::InvalidArgument("operator " + pending_op + " has nothing to combine");
      }
      ApplyOperator(pending_op, parsed.clauses);
      pending_op.clear();
    }
  }
  if (!pending_op.empty()) return Status::InvalidArgument("operator " + pending_op + " at the end");
  return parsed;
}

// The fallback reading: every chunk is plain words; filters still count.
ParsedQuery ParsePlain(std::string_view q) {
  ParsedQuery parsed;
  std::string text(q);
  std::replace(text.begin(), text.end(), '"', ' ');
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && IsSpace(text[i])) ++i;
    std::size_t end = i;
    while (end < text.size() && !IsSpace(text[end])) ++end;
    if (end > i) {
      std::string chunk = text.substr(i, end - i);
      if (!TakeFilter(chunk, parsed))
        parsed.clauses.push_back({ClauseKind::kWords, chunk, Occur::kShould});
    }
    i = end;
  }
  return parsed;
}

Xapian::Query Combine(Xapian::Query::op op, const std::vector<Xapian::Query>& parts) {
  if (parts.empty()) return Xapian::Query();
  if (parts.size() == 1) return parts.front();
  return Xapian::Query(op, parts.begin(), parts.end());
}

// One query of readings that no passage matches two of (the languages' keys
// have their language in their prefix, and a passage has its own language's
// keys only). OP_MAX then weighs a passage as OP_OR would, but bounds the
// weight by the highest reading where OP_OR bounds it by their sum, so the
// matcher can skip what cannot make the page: an English phrase of two
// frequent words no longer has the positions of every passage holding both
// checked because its Spanish reading might add to them.
// Xapian 1.4 builds an OR-like child of OP_MAX into the MAX itself:
// MAX(a OR b, c) is read as MAX(a, b, c), and a passage with a and b would
// weigh as the higher of the two. OP_SCALE_WEIGHT is built on its own, and
// kept even at a factor of 1: each reading goes in under one.
// Xapian 1.4.22 also crashes on OP_MAX under another operator ("interfaces
// aptitude" with translations=1 at 100 copies of the handbook, under the
// OR that adds the translations' readings) and over several databases, so
// the caller only asks for it when nothing will be built around it.
Xapian::Query Alternatives(const std::vector<Xapian::Query>& readings) {
  if (readings.size() == 1) return readings.front();
  std::vector<Xapian::Query> kept;
  for (const Xapian::Query& reading : readings) {
    kept.push_back(reading.get_type() == Xapian::Query::OP_SCALE_WEIGHT
                       ? reading
                       : Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, reading, 1.0));
  }
  return Xapian::Query(Xapian::Query::OP_MAX, kept.begin(), kept.end());
}

// The spellings the index has seen whose form entries start with `prefix`
// (up to `limit`), as analysed in `lang`: read once per query.
const IndexReads::Forms& ReadForms(Analyzer& analyzer, const std::vector<Xapian::Database>& shards,
                                   IndexReads& reads, const std::string& lang,
                                   const std::string& prefix, std::size_t limit) {
  std::string read = prefix;
  read.push_back('\0');
  read += std::to_string(limit);
  auto it = reads.forms.find(read);
  if (it == reads.forms.end()) {
    IndexReads::Forms found;
    for (const VocabularyEntry& entry : ReadVocabulary(shards, prefix, limit)) {
      for (const std::string& key : analyzer.Keys(lang, schema::WordOfFormTerm(entry.term))) {
        found.keys.insert(key);
      }
      found.passages += entry.count;
    }
    it = reads.forms.emplace(std::move(read), std::move(found)).first;
  }
  return it->second;
}

}  // namespace

const IndexReads::Forms& ReadWordForms(Analyzer& analyzer,
                                       const std::vector<Xapian::Database>& shards,
                                       IndexReads& reads, const std::string& lang,
                                       const std::string& folded) {
  return ReadForms(analyzer, shards, reads, lang, schema::FormTermPrefix(lang, folded, true),
                   kMaxWordForms);
}

Xapian::doccount ReadTermFreq(const std::vector<Xapian::Database>& shards, IndexReads& reads,
                              const std::string& term) {
  if (const auto known = reads.termfreqs.find(term); known != reads.termfreqs.end())
    return known->second;
  Xapian::doccount n = 0;
  for (const Xapian::Database& shard : shards) n += shard.get_termfreq(term);
  reads.termfreqs.emplace(term, n);
  return n;
}

namespace {

// Builds one language's reading of a parsed query.
class Reading {
 public:
  // With `via_translation`, the reading matches passages whose translation (in
  // `lang`) has the words: it uses the X terms instead of the Z terms.
  Reading(Analyzer& analyzer, const std::vector<Xapian::Database>& shards, IndexReads& reads,
          std::string lang, std::set<std::string>& keys, bool via_translation = false)
      : analyzer_(analyzer),
        shards_(shards),
        reads_(reads),
        lang_(std::move(lang)),
        keys_(keys),
        via_translation_(via_translation) {}

  Xapian::Query Build(const ParsedQuery& parsed) {
    drop_stopwords_ = HasContentWord(parsed);
    std::vector<Xapian::Query> must, should, must_not;
    for (const Clause& clause : parsed.clauses) {
      Xapian::Query q = ClauseQuery(clause);
      if (q.empty()) continue;
      (clause.occur == Occur::kMust     ? must
       : clause.occur == Occur::kShould ? should
                                        : must_not)
          .push_back(std::move(q));
    }
    Xapian::Query base;
    if (!must.empty() && !should.empty()) {
      base = Xapian::Query(Xapian::Query::OP_AND_MAYBE, Combine(Xapian::Query::OP_AND, must),
                           Combine(Xapian::Query::OP_OR, should));
    } else {
      base = must.empty() ? Combine(Xapian::Query::OP_OR, should)
                          : Combine(Xapian::Query::OP_AND, must);
    }
    if (base.empty() || must_not.empty()) return base;
    return Xapian::Query(Xapian::Query::OP_AND_NOT, base, Combine(Xapian::Query::OP_OR, must_not));
  }

 private:
  bool HasContentWord(const ParsedQuery& parsed) {
    for (const Clause& clause : parsed.clauses) {
      if (clause.occur == Occur::kMustNot) continue;
      for (const Token& t : analyzer_.Analyze(clause.text, lang_)) {
        if (!t.stopword) return true;
      }
    }
    return false;
  }

  Xapian::Query ClauseQuery(const Clause& clause) {
    const std::vector<Token> tokens = analyzer_.Analyze(clause.text, lang_);
    if (tokens.empty()) return Xapian::Query();
    if (clause.kind == ClauseKind::kPrefix) return PrefixQuery(tokens.back());
    if (tokens.size() > 1 || clause.kind == ClauseKind::kPhrase)
      return WithSynonyms(clause.text, PhraseQuery(tokens));
    const Token& t = tokens.front();
    if (t.stopword && drop_stopwords_ && clause.occur == Occur::kShould) return Xapian::Query();
    return WithSynonyms(clause.text, TermsQuery(Xapian::Query::OP_SYNONYM, WordKeys(t)));
  }

  // `query` or any entry of the synonyms.txt group of `text` (read in this
  // language), as one term for ranking, as Xapian's own synonyms are.
  Xapian::Query WithSynonyms(const std::string& text, Xapian::Query query) {
    const std::string key = schema::SynonymKey(text);
    auto stored = reads_.synonyms.find(key);
    if (stored == reads_.synonyms.end())
      stored = reads_.synonyms.emplace(key, StoredSynonyms(shards_.front(), key)).first;
    std::vector<Xapian::Query> alternatives = {std::move(query)};
    for (const std::string& synonym : stored->second) {
      const std::vector<Token> tokens = analyzer_.Analyze(synonym, lang_);
      if (tokens.empty()) continue;
      alternatives.push_back(tokens.size() == 1
                                 ? TermsQuery(Xapian::Query::OP_SYNONYM, WordKeys(tokens.front()))
                                 : PhraseQuery(tokens));
    }
    return Combine(Xapian::Query::OP_SYNONYM, alternatives);
  }

  // Adds the keys of up to `limit` spellings the index has seen whose form
  // entries start with `prefix`.
  void AddKeysOfForms(const std::string& prefix, std::size_t limit, std::set<std::string>& keys) {
    const IndexReads::Forms& forms = ReadForms(analyzer_, shards_, reads_, lang_, prefix, limit);
    keys.insert(forms.keys.begin(), forms.keys.end());
  }

  // Every key of the word and of the spellings the index has seen with the
  // same accent-folded form.
  std::set<std::string> WordKeys(const Token& token) {
    std::set<std::string> keys(token.keys.begin(), token.keys.end());
    const IndexReads::Forms& forms = ReadWordForms(analyzer_, shards_, reads_, lang_, token.folded);
    keys.insert(forms.keys.begin(), forms.keys.end());
    return keys;
  }

  Xapian::Query PrefixQuery(const Token& token) {
    std::set<std::string> keys;
    AddKeysOfForms(schema::FormTermPrefix(lang_, token.folded, false), kMaxPrefixForms, keys);
    if (keys.empty()) return Xapian::Query::MatchNothing;
    return TermsQuery(Xapian::Query::OP_SYNONYM, keys);
  }

  // Xapian 1.4 allows OR (not SYNONYM) of terms inside a phrase.
  Xapian::Query PhraseQuery(const std::vector<Token>& tokens) {
    std::vector<Xapian::Query> parts;
    for (const Token& t : tokens) parts.push_back(TermsQuery(Xapian::Query::OP_OR, WordKeys(t)));
    if (parts.size() == 1) return parts.front();
    const Xapian::termcount window = tokens.back().position - tokens.front().position + 1;
    return Xapian::Query(Xapian::Query::OP_PHRASE, parts.begin(), parts.end(), window);
  }

  Xapian::Query TermsQuery(Xapian::Query::op op, const std::set<std::string>& keys) {
    std::vector<Xapian::Query> terms;
    for (const std::string& key : keys) {
      keys_.insert(key);
      terms.emplace_back(via_translation_ ? schema::TranslationKeyTerm(lang_, key)
                                          : schema::KeyTerm(lang_, key));
    }
    return Combine(op, terms);
  }

  Analyzer& analyzer_;
  const std::vector<Xapian::Database>& shards_;  // synonyms are in each; vocabulary spread
  IndexReads& reads_;
  std::string lang_;
  std::set<std::string>& keys_;
  bool via_translation_;
  bool drop_stopwords_ = false;
};

// How well the query's words fit each reading's language, as a weight for that
// reading: 1 unless its words are foreign there. A word's share of a
// language is its frequency among that language's passages over the sum of
// its frequencies in all the readings' languages; a reading gets the mean,
// over the words the index has seen, of min(1, share / kForeignShare), and
// at least kMinReadingWeight. "paquetes" is in 336 of the 3538 Spanish
// passages of the Debian handbook and in 15 of the 5901 English ones (quoted
// output, names): read in English it is a rare word, whose weight let English
// passages with a Spanish fragment outrank the Spanish passages about packages.
std::map<std::string, double> LanguageFit(Analyzer& analyzer,
                                          const std::vector<Xapian::Database>& shards,
                                          IndexReads& reads, const ParsedQuery& parsed,
                                          const std::vector<std::string>& langs) {
  std::map<std::string, double> weights;
  for (const std::string& lang : langs) weights[lang] = 1;
  if (langs.size() < 2) return weights;
  std::map<std::string, double> passages;
  for (const std::string& lang : langs)
    passages[lang] = ReadTermFreq(shards, reads, schema::LangTerm(lang));
  std::map<std::string, double> sum;
  int words = 0;
  for (const Clause& clause : parsed.clauses) {
    if (clause.occur == Occur::kMustNot || clause.kind == ClauseKind::kPrefix) continue;
    for (const Token& token : analyzer.Analyze(clause.text, langs.front())) {
      std::map<std::string, double> frequency;
      double total = 0;
      for (const std::string& lang : langs) {
        const IndexReads::Forms& forms = ReadWordForms(analyzer, shards, reads, lang, token.folded);
        frequency[lang] = passages[lang] > 0 ? forms.passages / passages[lang] : 0;
        total += frequency[lang];
      }
      if (total <= 0) continue;  // a word no language has: no evidence
      ++words;
      for (const std::string& lang : langs)
        sum[lang] += std::min(1.0, frequency[lang] / total / kForeignShare);
    }
  }
  if (words == 0) return weights;
  for (const std::string& lang : langs)
    weights[lang] = std::max(kMinReadingWeight, sum[lang] / words);
  return weights;
}

// The readings to make: the index's languages, narrowed by options and lang: filters.
Result<std::vector<std::string>> ReadingLanguages(const std::vector<std::string>& available,
                                                  const std::vector<std::string>& asked_by_options,
                                                  const std::vector<std::string>& asked_in_query) {
  std::vector<std::string> langs = available;
  for (const auto* asked : {&asked_by_options, &asked_in_query}) {
    if (asked->empty()) continue;
    Result<std::vector<std::string>> codes = CheckLanguages(available, *asked);
    if (!codes.ok()) return codes.status();
    std::vector<std::string> narrowed;
    for (const std::string& code : *codes) {
      if (std::find(langs.begin(), langs.end(), code) != langs.end()) narrowed.push_back(code);
    }
    langs = narrowed;
  }
  return langs;
}

// The direct readings of the asked languages, with the readings that match a
// passage through its translation (X terms) when `via_translation`: the query
// as a whole. A passage and its translation are in two languages (the aligner
// pairs a document's two languages), so the reading over the X terms of a
// language matches passages in other languages only: it is left out when
// those asked for are that one (with lang=en, the English crossed reading
// would only find Spanish passages for a filter to drop: 3.5x the CPU of the
// search at x100).
// `as_max`: the query is built as alternatives, one per language asked (its
// reading, and the crossed readings filtered to its passages), which no
// passage matches two of; else the direct readings are OR-ed, and with them
// the crossed ones filtered to the asked languages. (Never a filter over the
// direct readings, which are the asked languages' own: it would only cost,
// and halve Xapian's estimate of their matches.)
Xapian::Query Readings(Analyzer& analyzer, BuiltQuery& built, const ParsedQuery& parsed,
                       const std::vector<Xapian::Database>& shards, IndexReads& reads,
                       const std::vector<std::string>& index_langs,
                       const std::vector<std::string>& langs,
                       const std::map<std::string, Xapian::Query>& direct, bool via_translation,
                       bool as_max) {
  std::map<std::string, Xapian::Query> crossed;  // by language of the X terms
  for (const std::string& lang : index_langs) {
    if (!via_translation ||
        std::all_of(langs.begin(), langs.end(), [&](const std::string& l) { return l == lang; }))
      continue;
    Xapian::Query q =
        Reading(analyzer, shards, reads, lang, built.keys_by_lang[lang], true).Build(parsed);
    if (!q.empty()) crossed.emplace(lang, std::move(q));
  }
  const auto through_translation = [&](const std::vector<std::string>& of_langs,
                                       const std::string& except) {
    std::vector<Xapian::Query> matching, lang_terms;
    for (const auto& [lang, q] : crossed) {
      if (lang != except) matching.push_back(q);
    }
    if (matching.empty()) return Xapian::Query();
    for (const std::string& lang : of_langs) lang_terms.emplace_back(schema::LangTerm(lang));
    return Xapian::Query(
        Xapian::Query::OP_SCALE_WEIGHT,
        Xapian::Query(Xapian::Query::OP_FILTER, Combine(Xapian::Query::OP_OR, matching),
                      Combine(Xapian::Query::OP_OR, lang_terms)),
        kTranslationWeight);
  };
  std::vector<Xapian::Query> parts;
  if (as_max) {
    for (const std::string& lang : langs) {
      std::vector<Xapian::Query> of_lang;
      if (const auto it = direct.find(lang); it != direct.end()) of_lang.push_back(it->second);
      Xapian::Query translated = through_translation({lang}, lang);
      if (!translated.empty()) of_lang.push_back(std::move(translated));
      if (!of_lang.empty()) parts.push_back(Combine(Xapian::Query::OP_OR, of_lang));
    }
    return parts.empty() ? Xapian::Query::MatchNothing : Alternatives(parts);
  }
  for (const std::string& lang : langs) {
    if (const auto it = direct.find(lang); it != direct.end()) parts.push_back(it->second);
  }
  Xapian::Query translated = through_translation(langs, "");
  if (!translated.empty()) parts.push_back(std::move(translated));
  return parts.empty() ? Xapian::Query::MatchNothing : Combine(Xapian::Query::OP_OR, parts);
}

}  // namespace

std::vector<std::string> IndexLanguages(const Xapian::Database& db) {
  std::vector<std::string> langs;
  const std::string prefix = schema::kLangPrefix;
  for (auto it = db.allterms_begin(prefix); it != db.allterms_end(prefix);) {
    const std::string term = *it;
    langs.push_back(term.substr(prefix.size()));
    // Seek past the term: ++ would walk through its posting list, which
    // names every passage of the language (2 MB of blocks at the handbook
    // x100, read on every search and suggestion).
    it.skip_to(term + '\0');
  }
  return langs;
}

std::vector<std::string> LanguagesBySize(const Xapian::Database& db,
                                         std::vector<std::string> langs) {
  std::vector<std::pair<Xapian::doccount, std::string>> by_size;
  for (std::string& lang : langs)
    by_size.emplace_back(db.get_termfreq(schema::LangTerm(lang)), std::move(lang));
  std::sort(by_size.begin(), by_size.end(), std::greater<>());
  langs.clear();
  for (auto& [size, lang] : by_size) langs.push_back(std::move(lang));
  return langs;
}

Result<std::vector<std::string>> CheckLanguages(const std::vector<std::string>& available,
                                                const std::vector<std::string>& asked) {
  if (asked.empty()) return available;
  std::vector<std::string> codes;
  for (const std::string& tag : asked) {
    const std::string code = NormalizeLanguageTag(tag);
    if (std::find(available.begin(), available.end(), code) == available.end()) {
      std::string names;
      for (const std::string& a : available) names += (names.empty() ? "" : ", ") + a;
      return Status::InvalidArgument("unknown language '" + tag +
                                     "'; the index has: " + (names.empty() ? "none" : names));
    }
    codes.push_back(code);
  }
  return codes;
}

Result<BuiltQuery> QueryBuilder::Build(std::string_view query,
                                       const std::vector<Xapian::Database>& shards,
                                       const QueryOptions& options) {
  if (shards.empty()) return Status::Unavailable("no database to read the query against");
  BuiltQuery built;
  Result<ParsedQuery> strict = ParseStrict(query);
  built.relaxed = !strict.ok();
  ParsedQuery parsed = strict.ok() ? std::move(strict).value() : ParsePlain(query);
  // Clauses of punctuation alone ("-", "?!") say nothing.
  parsed.clauses.erase(std::remove_if(parsed.clauses.begin(), parsed.clauses.end(),
                                      [&](const Clause& c) {
                                        return analyzer_.Analyze(c.text, kUndetermined).empty();
                                      }),
                       parsed.clauses.end());
  const bool has_positive = std::any_of(parsed.clauses.begin(), parsed.clauses.end(),
                                        [](const Clause& c) { return c.occur != Occur::kMustNot; });
  if (parsed.clauses.empty()) {
    if (query.find_first_not_of(" \t\r\n") == std::string_view::npos) {
      return Status::InvalidArgument("the query has no words");
    }
    // Only punctuation or filters (a search box's first keystroke may be '"'):
    // nothing to look for, which is no error.
    built.query = Xapian::Query::MatchNothing;
    return built;
  }
  if (!has_positive)
    return Status::InvalidArgument("the query only excludes; add a word to look for");
  try {
    std::vector<std::string> index_langs = options.index_languages;
    if (index_langs.empty()) {
      std::set<std::string> all_langs;
      for (const Xapian::Database& shard : shards) {
        for (std::string& lang : IndexLanguages(shard)) all_langs.insert(std::move(lang));
      }
      index_langs.assign(all_langs.begin(), all_langs.end());
    }
    Result<std::vector<std::string>> langs =
        ReadingLanguages(index_langs, options.languages, parsed.langs);
    if (!langs.ok()) return langs.status();
    IndexReads own_reads;
    IndexReads& reads = options.kept_reads ? *options.kept_reads : own_reads;
    if (reads.size() > kMaxKeptReads) reads = IndexReads();
    const std::map<std::string, double> fit = LanguageFit(analyzer_, shards, reads, parsed, *langs);
    std::map<std::string, Xapian::Query> direct;
    for (const std::string& lang : *langs) {
      Xapian::Query q =
          Reading(analyzer_, shards, reads, lang, built.keys_by_lang[lang]).Build(parsed);
      const double weight = fit.at(lang);
      if (!q.empty() && weight < 1) q = Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q, weight);
      if (!q.empty()) direct.emplace(lang, std::move(q));
      built.languages.push_back(lang);
    }
    // OP_MAX only where it is the whole query (see Alternatives).
    const bool as_max = options.single_database && parsed.docs.empty();
    built.query = Readings(analyzer_, built, parsed, shards, reads, index_langs, *langs, direct,
                           options.via_translation, as_max);
    std::vector<Xapian::Query> docs;
    for (const std::string& doc : parsed.docs) docs.emplace_back(schema::DocTerm(doc));
    if (!docs.empty()) {
      built.query =
          Xapian::Query(Xapian::Query::OP_FILTER, built.query, Combine(Xapian::Query::OP_OR, docs));
    }
  } catch (const Xapian::DatabaseModifiedError& e) {
    return Status::Unavailable("the index changed while reading the query: " + e.get_msg());
  } catch (const Xapian::Error& e) {
    return Status::Internal("reading the query: " + e.get_description());
  }
  return built;
}

}  // namespace sarea
