#include "common/analyzer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bitset>
#include <cctype>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "common/lemmatizer.h"
#include "common/stopwords.h"

namespace sarea {
namespace {

bool ShareAKey(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  return std::any_of(a.begin(), a.end(),
                     [&](const std::string& k) { return std::count(b.begin(), b.end(), k) > 0; });
}

bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + " ";
  return out;
}

class AnalyzerTest : public ::testing::Test {
 protected:
  std::vector<std::string> Keys(const std::string& lang, const std::string& word) {
    const std::vector<Token> tokens = analyzer_.Analyze(word, lang);
    return tokens.empty() ? std::vector<std::string>{} : tokens.front().keys;
  }
  Analyzer analyzer_;
};

struct Pair {
  const char* lang;
  const char* a;
  const char* b;
};

// Singular and plural (and gender) forms must meet, including where Snowball
// alone splits them (the Spanish -dad/-dades, -z/-ces, -en/-enes families).
TEST_F(AnalyzerTest, InflectionsShareAKey) {
  const Pair pairs[] = {
      {"es", "ciudad", "Ciudades"},     {"es", "creativa", "Creativas"},
      {"es", "creativo", "creativas"},  {"es", "propiedad", "propiedades"},
      {"es", "entidad", "entidades"},   {"es", "origen", "orígenes"},
      {"es", "luz", "luces"},           {"es", "raíz", "raíces"},
      {"es", "plan", "planes"},         {"es", "ámbito", "ámbitos"},
      {"en", "city", "cities"},         {"en", "culture", "cultural"},
      {"en", "creative", "creativity"}, {"en", "development", "developing"},
  };
  for (const Pair& p : pairs) {
    const auto a = Keys(p.lang, p.a), b = Keys(p.lang, p.b);
    EXPECT_TRUE(ShareAKey(a, b)) << p.lang << ": " << p.a << " {" << Join(a) << "} vs " << p.b
                                 << " {" << Join(b) << "}";
  }
}

// Prefix-stripping lemmas from Hunspell would join unrelated words.
TEST_F(AnalyzerTest, UnrelatedWordsDoNotMeet) {
  const Pair pairs[] = {
      {"es", "propiedad", "piedad"},
      {"es", "configuración", "figuración"},
      {"es", "ciudad", "cuidado"},
      {"en", "city", "citizen"},
  };
  for (const Pair& p : pairs) {
    EXPECT_FALSE(ShareAKey(Keys(p.lang, p.a), Keys(p.lang, p.b))) << p.a << " vs " << p.b;
  }
}

// A dictionary loads when a word of its language first needs it (an
// English-only indexer run never pays for Spanish), or ahead, by Preload.
TEST(LemmatizerTest, LoadsADictionaryWhenFirstNeeded) {
  const auto lemmatizer = std::make_shared<const Lemmatizer>(SAREA_HUNSPELL_DIR);
  ASSERT_TRUE(lemmatizer->Has("es"));
  EXPECT_FALSE(lemmatizer->Loaded("es"));
  Analyzer analyzer(lemmatizer);
  analyzer.Analyze("the cities of light", "en");
  EXPECT_FALSE(lemmatizer->Loaded("es"));
  EXPECT_TRUE(Has(lemmatizer->Lemmas("es", "luces"), "luz"));
  EXPECT_TRUE(lemmatizer->Loaded("es"));
}

// Lemmas() called while another thread preloads waits for the one load.
TEST(LemmatizerTest, LemmasWaitForAPreloadUnderway) {
  const auto lemmatizer = std::make_shared<const Lemmatizer>(SAREA_HUNSPELL_DIR);
  std::thread preload([&] { lemmatizer->Preload(); });
  EXPECT_TRUE(Has(lemmatizer->Lemmas("es", "luces"), "luz"));
  preload.join();
  EXPECT_TRUE(lemmatizer->Loaded("es"));
  lemmatizer->Preload();  // nothing left to load
  EXPECT_TRUE(Has(lemmatizer->Lemmas("es", "raíces"), "raíz"));
}

// A table of lemmas looked up before (sarea-index keeps one with the index)
// answers without the dictionary, which loads only for a word it lacks.
TEST(LemmatizerTest, ATableOfLemmasAnswersWithoutTheDictionary) {
  const auto first = std::make_shared<Lemmatizer>(SAREA_HUNSPELL_DIR);
  EXPECT_EQ(first->Preset(""), 0u);
  const std::vector<std::string> luces = first->Lemmas("es", "luces");
  EXPECT_TRUE(Has(luces, "luz"));
  EXPECT_TRUE(first->Lemmas("es", "xyzzyq").empty());  // no lemma: kept too
  EXPECT_EQ(first->Learned(), 2u);
  const std::string table = first->Table();

  const auto second = std::make_shared<Lemmatizer>(SAREA_HUNSPELL_DIR);
  EXPECT_EQ(second->Preset(table), 2u);
  EXPECT_EQ(second->Lemmas("es", "luces"), luces);
  EXPECT_TRUE(second->Lemmas("es", "xyzzyq").empty());
  EXPECT_FALSE(second->Loaded("es"));
  EXPECT_EQ(second->Learned(), 0u);
  EXPECT_TRUE(Has(second->Lemmas("es", "raíces"), "raíz"));  // not in the table
  EXPECT_TRUE(second->Loaded("es"));
  EXPECT_EQ(second->Learned(), 1u);
  const std::string grown = second->Table();
  EXPECT_NE(grown.find("\nluces\t"), std::string::npos) << grown;
  EXPECT_NE(grown.find("\nraíces\traíz"), std::string::npos) << grown;
}

// The table is the lemmas' source, as it says: a word it lists is not looked up.
TEST(LemmatizerTest, ATablesWordsAreTakenAsTheyAre) {
  const auto first = std::make_shared<Lemmatizer>(SAREA_HUNSPELL_DIR);
  first->Preset("");
  first->Lemmas("es", "luces");
  std::string table = first->Table();
  table.replace(table.find("\nluces\t"), 7, "\ngatos\tperro\nluces");
  const auto second = std::make_shared<Lemmatizer>(SAREA_HUNSPELL_DIR);
  ASSERT_EQ(second->Preset(table), 2u);
  EXPECT_EQ(second->Lemmas("es", "gatos"), (std::vector<std::string>{"perro"}));
  EXPECT_FALSE(second->Loaded("es"));
}

// A table made with other dictionary files (a new hunspell-es), of another
// format, or damaged, gives nothing; its words are looked up again.
TEST(LemmatizerTest, AStaleOrMalformedTableIsNotUsed) {
  const auto first = std::make_shared<Lemmatizer>(SAREA_HUNSPELL_DIR);
  first->Preset("");
  first->Lemmas("es", "luces");
  const std::string table = first->Table();
  const std::size_t identity = table.find("\tes\t") + 4;
  std::string stale = table;
  stale.insert(identity, "1");
  std::string other_format = table;
  other_format.replace(0, other_format.find('\n'), "sarea-lemmas 0");
  for (const std::string& bad :
       {stale, other_format, std::string("garbage"), std::string("sarea-lemmas 1\nluces\tluz\n")}) {
    const auto lemmatizer = std::make_shared<Lemmatizer>(SAREA_HUNSPELL_DIR);
    EXPECT_EQ(lemmatizer->Preset(bad), 0u) << bad;
    EXPECT_TRUE(Has(lemmatizer->Lemmas("es", "luces"), "luz"));
    EXPECT_TRUE(lemmatizer->Loaded("es"));
  }
}

// Without a table nothing is kept: a server's lemmatizer sees whatever words
// the queries bring, and must not grow with them.
TEST(LemmatizerTest, NothingIsKeptWithoutATable) {
  const auto lemmatizer = std::make_shared<Lemmatizer>(SAREA_HUNSPELL_DIR);
  lemmatizer->Lemmas("es", "luces");
  lemmatizer->Lemmas("es", "raíces");
  EXPECT_EQ(lemmatizer->Learned(), 0u);
}

// What lets a snippet look up only the words that can match: in the languages
// KeysBeginLikeTheirWord() names, every key of a word beginning with an ASCII
// letter or digit begins with that character, lowercased (Porter2's "dying"
// -> "die" keeps it; a lemma begins like its word). Checked over every word
// of the parallel descriptions and of the language identification texts, each
// in its language; Irish's stemmer, left out, strips initial mutations.
TEST_F(AnalyzerTest, KeysBeginWithTheWordsFirstAsciiCharacterLowercased) {
  std::vector<std::pair<std::string, std::string>> texts;  // lang, text
  std::ifstream pairs(SAREA_SOURCE_DIR "/tests/data/parallel-en-es.tsv");
  for (std::string line; std::getline(pairs, line);) {
    if (line.empty() || line[0] == '#') continue;
    const std::size_t tab = line.find('\t');
    texts.emplace_back("en", line.substr(0, tab));
    texts.emplace_back("es", line.substr(tab + 1));
  }
  std::ifstream langid(SAREA_SOURCE_DIR "/tests/data/langid.tsv");
  for (std::string line; std::getline(langid, line);) {
    if (line.empty() || line[0] == '#') continue;
    const std::size_t tab = line.find('\t'), text = line.find('\t', tab + 1) + 1;
    texts.emplace_back(line.substr(0, tab), line.substr(text));
  }
  std::map<std::string, int> words;
  for (const auto& [lang, text] : texts) {
    if (!Analyzer::KeysBeginLikeTheirWord(lang)) continue;
    for (const Token& token : analyzer_.Analyze(text, lang)) {
      const auto first = static_cast<unsigned char>(text[token.begin]);
      if (first >= 128 || !std::isalnum(first)) continue;
      ++words[lang];
      for (const std::string& key : token.keys) {
        ASSERT_FALSE(key.empty());
        EXPECT_EQ(key[0], std::tolower(first)) << lang << ": " << token.word << " -> " << key;
      }
    }
  }
  for (const char* lang : {"ca", "de", "en", "es", "eu", "fr", "it", "pt"})
    EXPECT_GT(words[lang], 300) << lang;
  EXPECT_FALSE(Analyzer::KeysBeginLikeTheirWord("ga"));
  EXPECT_NE(Keys("ga", "bhfear").front()[0], 'b');  // "fear": why
  for (const char* word : {"dying", "lying", "Tying", "skies", "ugly"}) {
    for (const std::string& key : Keys("en", word))
      EXPECT_EQ(key[0], std::tolower(word[0])) << word << " -> " << key;
  }
}

// ForEachWord with first characters looks up only the words that begin with
// one of them (or with no ASCII letter or digit); the others come with an
// empty entry, in their place.
TEST_F(AnalyzerTest, ForEachWordLooksUpOnlyWordsWithTheFirstsGiven) {
  std::bitset<128> firsts;
  firsts.set('p');
  std::vector<std::pair<std::string, bool>> seen;  // word, looked up
  const std::string text = "The packages of Ávila, 2 paquetes";
  analyzer_.ForEachWord(text, "en", firsts,
                        [&](std::size_t b, std::size_t e, std::uint32_t, const CachedWord& w) {
                          seen.emplace_back(text.substr(b, e - b), w.key_signature != 0);
                        });
  const std::vector<std::pair<std::string, bool>> expected = {{"The", false}, {"packages", true},
                                                              {"of", false},  {"Ávila", true},
                                                              {"2", false},   {"paquetes", true}};
  EXPECT_EQ(seen, expected);
}

// Snowball Spanish needs the accent to strip "-ción": stem first, fold after.
TEST_F(AnalyzerTest, StemsTheAccentedWordAndFoldsTheStem) {
  const auto keys = Keys("es", "configuración");
  EXPECT_NE(std::find(keys.begin(), keys.end(), "configur"), keys.end()) << Join(keys);
  for (const auto& k : Keys("es", "Creación")) EXPECT_EQ(k.find("ó"), std::string::npos) << k;
}

TEST_F(AnalyzerTest, TokensCarryOffsetsPositionsAndForms) {
  const std::string text = "La Red de Ciudades Creativas";
  const std::vector<Token> tokens = analyzer_.Analyze(text, "es");
  ASSERT_EQ(tokens.size(), 5u);
  EXPECT_EQ(tokens[3].word, "ciudades");
  EXPECT_EQ(text.substr(tokens[3].begin, tokens[3].end - tokens[3].begin), "Ciudades");
  EXPECT_EQ(tokens[3].position, 4u);
  EXPECT_TRUE(tokens[0].stopword);   // "la"
  EXPECT_TRUE(tokens[2].stopword);   // "de"
  EXPECT_FALSE(tokens[1].stopword);  // "red"
}

TEST_F(AnalyzerTest, AccentFoldedFormIsKept) {
  const std::vector<Token> tokens = analyzer_.Analyze("Gastronomía", "es");
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(tokens[0].word, "gastronomía");
  EXPECT_EQ(tokens[0].folded, "gastronomia");
}

TEST_F(AnalyzerTest, StopwordsAreLanguageSpecific) {
  EXPECT_TRUE(analyzer_.Analyze("the", "en").front().stopword);
  EXPECT_FALSE(analyzer_.Analyze("the", "es").front().stopword);
  EXPECT_TRUE(analyzer_.Analyze("los", "es").front().stopword);
}

TEST(Stopwords, LanguagesOfAWordInOneLookup) {
  const std::vector<std::string>& of = StopwordLanguagesOf("de");
  EXPECT_TRUE(std::is_sorted(of.begin(), of.end()));
  EXPECT_NE(std::find(of.begin(), of.end(), "es"), of.end());
  EXPECT_NE(std::find(of.begin(), of.end(), "fr"), of.end());
  EXPECT_EQ(std::find(of.begin(), of.end(), "en"), of.end());
  EXPECT_TRUE(StopwordLanguagesOf("gastronomía").empty());
  EXPECT_TRUE(IsStopword("es", "de"));
  EXPECT_FALSE(IsStopword("en", "de"));
}

// The word cache is keyed by language and spelling: the same spelling in
// another language, or another spelling of the same word, is analysed anew.
TEST_F(AnalyzerTest, CachedWordsKeepTheirLanguage) {
  EXPECT_TRUE(analyzer_.Analyze("The", "en").front().stopword);
  EXPECT_FALSE(analyzer_.Analyze("The", "es").front().stopword);
  EXPECT_EQ(analyzer_.Word("es", "Ciudades").word, "ciudades");
  EXPECT_EQ(analyzer_.Word("es", "CIUDADES").word, "ciudades");
  EXPECT_EQ(analyzer_.Word("es", "Ciudades").keys, analyzer_.Keys("es", "ciudades"));
  EXPECT_NE(analyzer_.Word("en", "cities").keys, analyzer_.Word("und", "cities").keys);
}

TEST_F(AnalyzerTest, ForEachWordSeesWhatAnalyzeGives) {
  const std::string text = "Las Ciudades Creativas — the creative cities, 2024!";
  const std::vector<Token> tokens = analyzer_.Analyze(text, "es");
  std::size_t i = 0;
  analyzer_.ForEachWord(
      text, "es",
      [&](std::size_t begin, std::size_t end, std::uint32_t position, const CachedWord& w) {
        ASSERT_LT(i, tokens.size());
        EXPECT_EQ(begin, tokens[i].begin);
        EXPECT_EQ(end, tokens[i].end);
        EXPECT_EQ(position, tokens[i].position);
        EXPECT_EQ(w->word, tokens[i].word);
        EXPECT_EQ(w->keys, tokens[i].keys);
        ++i;
      });
  EXPECT_EQ(i, tokens.size());
  EXPECT_EQ(i, 7u);
}

// Snippets skip the keys of a word whose signature shares no bit with the
// query's: every key of the word must have its bit there. A spelling
// without a word (none here) has none, and is not walked.
TEST_F(AnalyzerTest, AWordsSignatureHasTheBitOfEachOfItsKeys) {
  std::size_t words = 0;
  analyzer_.ForEachWord("Ciudades, configuración; fue de «»", "es",
                        [&](std::size_t, std::size_t, std::uint32_t, const CachedWord& w) {
                          ++words;
                          ASSERT_FALSE(w->keys.empty()) << w->word;
                          std::uint32_t expected = 0;
                          for (const std::string& key : w->keys) expected |= KeySignature(key);
                          EXPECT_EQ(w.key_signature, expected) << w->word;
                        });
  EXPECT_EQ(words, 4u);
  EXPECT_GE(analyzer_.Word("es", "Ciudades").keys.size(), 2u);
  EXPECT_EQ(KeySignature("ciud"), KeySignature(std::string("ciud")));
  EXPECT_EQ(__builtin_popcount(KeySignature("ciud")), 1);
}

TEST_F(AnalyzerTest, UnknownLanguagesAreNotStemmed) {
  EXPECT_EQ(Keys("und", "Ciudades"), std::vector<std::string>{"ciudades"});
  EXPECT_EQ(Keys("gl", "cidades"), std::vector<std::string>{"cidades"});
}

TEST_F(AnalyzerTest, OverlongWordsAreSkippedButKeepTheirPosition) {
  const std::string text = "alpha " + std::string(100, 'x') + " beta";
  const std::vector<Token> tokens = analyzer_.Analyze(text, "en");
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[1].position, 3u);
}

TEST_F(AnalyzerTest, EmptyTextHasNoTokens) { EXPECT_TRUE(analyzer_.Analyze("", "en").empty()); }

}  // namespace
}  // namespace sarea
