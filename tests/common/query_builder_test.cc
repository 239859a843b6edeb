#include "common/query_builder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "common/passage.h"
#include "common/readers.h"
#include "common/schema.h"
#include "common/suggest.h"
#include "tests/common/scratch_index.h"

namespace sarea {
namespace {

// A scratch index of passages, and a helper that runs a query over it.
class QueryBuilderTest : public ::testing::Test {
 protected:
  QueryBuilderTest() : db_(index_.db()), builder_(analyzer_) {}

  void Add(const std::string& id, const std::string& lang, const std::string& text) {
    Passage p{id, "doc", "Doc", lang, static_cast<int>(db_.get_doccount()), text, "", "", ""};
    index_.Add(p, analyzer_);
  }

  // The seed corpus; with each passage's translation keys (X terms) when
  // `with_twins`.
  void AddSeed(bool with_twins = false) {
    std::ifstream in(SAREA_SOURCE_DIR "/corpus/creative-cities-network.txt");
    std::stringstream bytes;
    bytes << in.rdbuf();
    Result<ReadResult> read = ReadFile("creative-cities-network.txt", bytes.str());
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    LanguageIdentifier identifier;
    seed_ = BuildPassages(read->documents.at(0), identifier);
    for (const Passage& p : seed_) {
      const auto twin = std::find_if(seed_.begin(), seed_.end(),
                                     [&](const Passage& t) { return t.id == p.translation; });
      index_.Add(p, analyzer_, with_twins && twin != seed_.end() ? &*twin : nullptr);
    }
  }

  // The ids of the matching passages, best first.
  std::vector<std::string> Search(const std::string& q, const QueryOptions& options = {}) {
    Result<BuiltQuery> built = builder_.Build(q, index_.shards(), options);
    EXPECT_TRUE(built.ok()) << q << ": " << built.status().ToString();
    if (!built.ok()) return {};
    Xapian::Enquire enquire(db_);
    enquire.set_query(built->query);
    enquire.set_weighting_scheme(schema::Weighting());
    std::vector<std::string> ids;
    const Xapian::MSet mset = enquire.get_mset(0, 100);
    for (auto it = mset.begin(); it != mset.end(); ++it) {
      ids.push_back(FromXapianDocument(it.get_document())->id);
    }
    return ids;
  }

  test_support::ScratchIndex index_;
  Xapian::WritableDatabase& db_;
  Analyzer analyzer_;
  QueryBuilder builder_;
  std::vector<Passage> seed_;
};

std::set<std::string> Sorted(std::vector<std::string> v) { return {v.begin(), v.end()}; }

// A word common in one language and foreign to another (a Spanish word in one
// English passage's quoted output) is rare, so heavy, in the foreign reading:
// that reading counts for little, and the Spanish passages about packages come
// before the English one that quotes "paquetes". English words keep their
// English reading whole.
TEST_F(QueryBuilderTest, AReadingOfForeignWordsCountsLess) {
  for (int i = 0; i < 100; ++i) {
    Add("en-" + std::to_string(i), "en",
        i == 0 ? "The installer prints Leyendo lista de paquetes while it reads the index."
               : "The system reads its configuration file number " + std::to_string(i) + ".");
  }
  for (int i = 0; i < 30; ++i) {
    Add("es-" + std::to_string(i), "es",
        "Los paquetes de Debian se instalan con apt, número " + std::to_string(i) + ".");
  }
  const auto paquetes = Search("paquetes");
  ASSERT_EQ(paquetes.size(), 31u);
  EXPECT_EQ(paquetes.front().substr(0, 3), "es-") << paquetes.front();
  EXPECT_EQ(paquetes.back(), "en-0");

  // Xapian describes a scaled reading as "(0.1 * Zes:...)".
  const Result<BuiltQuery> installer = builder_.Build("installer", index_.shards(), {});
  ASSERT_TRUE(installer.ok());
  const std::string described = installer->query.get_description();
  EXPECT_EQ(described.find("* Zen:"), std::string::npos) << described;
  EXPECT_NE(described.find("* Zes:"), std::string::npos) << described;
}

// Over one database the languages' readings are combined with OP_MAX (its
// bound lets the matcher skip more). A passage matches one reading at most,
// so it must weigh exactly as under OP_OR, including a passage that has
// several words of its reading: Xapian 1.4 reads MAX(a OR b, c) as
// MAX(a, b, c) unless each reading is kept apart. With translations, each
// language's alternative is its reading and the readings of its passages'
// translations, which must add up as they do under OP_OR.
TEST_F(QueryBuilderTest, OverOneDatabaseReadingsAreAlternativesThatWeighAsTheirSum) {
  AddSeed(/*with_twins=*/true);
  const auto weighed = [&](const std::string& q, bool translations, bool single_database) {
    QueryOptions options;
    options.via_translation = translations;
    options.single_database = single_database;
    Result<BuiltQuery> built = builder_.Build(q, index_.shards(), options);
    EXPECT_TRUE(built.ok()) << q;
    std::vector<std::pair<std::string, double>> hits;
    if (!built.ok()) return std::make_pair(hits, std::string());
    Xapian::Enquire enquire(db_);
    enquire.set_query(built->query);
    enquire.set_weighting_scheme(schema::Weighting());
    const Xapian::MSet mset = enquire.get_mset(0, 100);
    for (auto it = mset.begin(); it != mset.end(); ++it)
      hits.emplace_back(FromXapianDocument(it.get_document())->id, it.get_weight());
    return std::make_pair(hits, built->query.get_description());
  };
  for (const std::string q :
       {"creative cities network", "ciudades creativas red", "\"creative cities\" culture",
        "gastronomía música", "cities -music", "creatividad"}) {
    // With translations, passages weigh more (the twins' keys count).
    EXPECT_NE(weighed(q, false, true).first, weighed(q, true, true).first) << q;
    for (const bool translations : {false, true}) {
      const auto [alternatives, described] = weighed(q, translations, true);
      const auto [sum, sum_described] = weighed(q, translations, false);
      EXPECT_NE(described.find(" MAX "), std::string::npos) << q << ": " << described;
      EXPECT_EQ(sum_described.find(" MAX "), std::string::npos) << q << ": " << sum_described;
      ASSERT_FALSE(sum.empty()) << q;
      ASSERT_EQ(alternatives.size(), sum.size()) << q;
      for (std::size_t i = 0; i < sum.size(); ++i) {
        EXPECT_EQ(alternatives[i].first, sum[i].first) << q << " #" << i;
        EXPECT_NEAR(alternatives[i].second, sum[i].second, 1e-9 * sum[i].second)
            << q << " #" << i << (translations ? " with translations" : "");
      }
    }
  }
}

// Xapian 1.4.22 crashes on OP_MAX under another operator (with translations,
// the OR that adds their readings, at 100 copies of the handbook): OP_MAX is
// the whole query or absent, whatever is asked.
TEST_F(QueryBuilderTest, OpMaxIsOnlyEverTheWholeQuery) {
  AddSeed();
  int as_max = 0;
  for (const std::string q : {"creative cities", "ciudades creativas doc:x", "\"creative cities\"",
                              "creatividad", "crea*", "cities -music"}) {
    for (const bool translations : {false, true}) {
      for (const std::vector<std::string>& langs :
           std::vector<std::vector<std::string>>{{}, {"en"}, {"es"}, {"en", "es"}}) {
        QueryOptions options{langs, translations, true};
        const Result<BuiltQuery> built = builder_.Build(q, index_.shards(), options);
        ASSERT_TRUE(built.ok()) << q;
        const Xapian::Query& query = built->query;
        std::size_t inner = 0;
        for (std::size_t i = 0; i < query.get_num_subqueries(); ++i)
          inner += query.get_subquery(i).get_description().find(" MAX ") != std::string::npos;
        EXPECT_EQ(inner, 0u) << q << ": " << query.get_description();
        as_max += query.get_type() == Xapian::Query::OP_MAX;
      }
    }
  }
  EXPECT_GT(as_max, 0) << "no query was built under OP_MAX";
}

// Done means of the foundation: "ciudad creativa" and "creacion" find the Spanish
// passages that say "Ciudades Creativas" and "creación".
TEST_F(QueryBuilderTest, SeedSpanishPassagesMatchSingularAndAccentlessQueries) {
  AddSeed();
  std::set<std::string> with_ciudades_creativas, with_creacion;
  for (const Passage& p : seed_) {
    if (p.text.find("Ciudades Creativas") != std::string::npos)
      with_ciudades_creativas.insert(p.id);
    if (p.text.find("creación") != std::string::npos) with_creacion.insert(p.id);
  }
  ASSERT_EQ(with_ciudades_creativas.size(), 2u);
  ASSERT_EQ(with_creacion.size(), 1u);

  const auto ciudad = Search("ciudad creativa");
  ASSERT_GE(ciudad.size(), 2u);
  EXPECT_EQ(Sorted({ciudad[0], ciudad[1]}), with_ciudades_creativas);
  EXPECT_EQ(Sorted(Search("creacion")), with_creacion);
  EXPECT_EQ(Sorted(Search("creación")), with_creacion);
}

TEST_F(QueryBuilderTest, AccentsMatchInBothDirections) {
  Add("accented", "es", "La configuración del sistema");
  Add("plain", "es", "La configuracion del sistema");
  EXPECT_EQ(Sorted(Search("configuracion")), (std::set<std::string>{"accented", "plain"}));
  EXPECT_EQ(Sorted(Search("configuración")), (std::set<std::string>{"accented", "plain"}));
}

// Kept reads (QueryOptions::kept_reads) give the query the builder makes
// without them, and a later query takes a word's spellings from them, not
// from the index (which is why their keeper empties them on a new revision).
TEST_F(QueryBuilderTest, KeptReadsServeLaterQueries) {
  Add("accented", "es", "La configuración del sistema");
  Add("other", "es", "El sistema de archivos");
  IndexReads kept;
  QueryOptions options;
  options.kept_reads = &kept;
  Result<BuiltQuery> fresh = builder_.Build("configuracion", index_.shards());
  Result<BuiltQuery> keeping = builder_.Build("configuracion", index_.shards(), options);
  ASSERT_TRUE(fresh.ok() && keeping.ok());
  EXPECT_EQ(keeping->query.get_description(), fresh->query.get_description());
  ASSERT_FALSE(kept.forms.empty());
  EXPECT_EQ(Sorted(Search("configuracion", options)), std::set<std::string>{"accented"});
  // A spelling indexed since is not read again: the kept forms answer (the
  // accented word alone does not match the plain one).
  Add("plain", "es", "La configuracion del sistema");
  EXPECT_EQ(Sorted(Search("configuración", options)), std::set<std::string>{"accented"});
  kept = IndexReads();
  EXPECT_EQ(Sorted(Search("configuración", options)), (std::set<std::string>{"accented", "plain"}));
}

// Term frequencies are kept reads too: the languages' passage counts that
// weigh a query's readings are read once per revision, and a frequency kept
// answers until its keeper starts afresh.
TEST_F(QueryBuilderTest, KeptReadsKeepTermFrequencies) {
  Add("es", "es", "La configuración del sistema");
  Add("en", "en", "The configuration of the system");
  IndexReads kept;
  QueryOptions options;
  options.kept_reads = &kept;
  ASSERT_TRUE(builder_.Build("sistema", index_.shards(), options).ok());
  EXPECT_EQ(kept.termfreqs.count(schema::LangTerm("es")), 1u);
  EXPECT_EQ(kept.termfreqs.count(schema::LangTerm("en")), 1u);
  const std::string term = schema::LangTerm("es");
  EXPECT_EQ(ReadTermFreq(index_.shards(), kept, term), 1u);
  Add("es2", "es", "El sistema de archivos");
  EXPECT_EQ(ReadTermFreq(index_.shards(), kept, term), 1u);  // kept
  kept = IndexReads();
  EXPECT_EQ(ReadTermFreq(index_.shards(), kept, term), 2u);
}

// Kept reads do not grow without bound: past kMaxKeptReads, a query starts
// them afresh.
TEST_F(QueryBuilderTest, KeptReadsAreBounded) {
  Add("accented", "es", "La configuración del sistema");
  IndexReads kept;
  for (std::size_t i = 0; i <= kMaxKeptReads; ++i) kept.synonyms["filler " + std::to_string(i)];
  QueryOptions options;
  options.kept_reads = &kept;
  EXPECT_EQ(Sorted(Search("configuracion", options)), std::set<std::string>{"accented"});
  EXPECT_LT(kept.size(), 100u);
  EXPECT_FALSE(kept.forms.empty());
}

// "Did you mean" asks whether a word is known through the same reads as the
// query's building: a word the reads know is not corrected, even if the
// database itself no longer has it.
TEST_F(QueryBuilderTest, SpellingCorrectionsAskTheKeptReads) {
  Add("accented", "es", "La configuración del sistema");
  Add("other", "es", "El sistema de archivos");
  const std::vector<std::string> langs = {"es"};
  std::vector<Correction> fresh =
      SpellingCorrections("configuraciom", db_, index_.shards(), langs, langs, analyzer_);
  ASSERT_EQ(fresh.size(), 1u);
  EXPECT_EQ(fresh[0].query, "configuración");
  // Reads of an index that has the typed word.
  test_support::ScratchIndex other;
  Passage p{"typo", "doc", "Doc", "es", 0, "La configuraciom del sistema", "", "", ""};
  other.Add(p, analyzer_);
  IndexReads reads;
  ReadWordForms(analyzer_, other.shards(), reads, "es", "configuraciom");
  EXPECT_TRUE(
      SpellingCorrections("configuraciom", db_, index_.shards(), langs, langs, analyzer_, &reads)
          .empty());
}

TEST_F(QueryBuilderTest, EachReadingOnlyMatchesItsLanguage) {
  Add("es", "es", "el arte de la gastronomía");
  Add("en", "en", "art and gastronomy");
  EXPECT_EQ(Search("gastronomía"), std::vector<std::string>{"es"});
  EXPECT_EQ(Search("gastronomy"), std::vector<std::string>{"en"});
  EXPECT_EQ(Search("art", {{"es"}}), std::vector<std::string>{});
  EXPECT_EQ(Search("gastronomy lang:en"), std::vector<std::string>{"en"});
}

TEST_F(QueryBuilderTest, PhrasesKeepOrderAndStemming) {
  Add("a", "en", "sustainable urban development plans");
  Add("b", "en", "development that is sustainable");
  EXPECT_EQ(Search("\"sustainable development\""), std::vector<std::string>{});
  EXPECT_EQ(Search("\"sustainable urban development\""), std::vector<std::string>{"a"});
  EXPECT_EQ(Search("\"urban development plan\""), std::vector<std::string>{"a"});  // plan ~ plans
}

TEST_F(QueryBuilderTest, RequiredExcludedAndBooleans) {
  Add("cine", "es", "cine y música");
  Add("musica", "es", "música y literatura");
  Add("diseno", "es", "diseño");
  EXPECT_EQ(Sorted(Search("música -cine")), (std::set<std::string>{"musica"}));
  EXPECT_EQ(Sorted(Search("+cine música")), (std::set<std::string>{"cine"}));
  EXPECT_EQ(Sorted(Search("cine OR diseño")), (std::set<std::string>{"cine", "diseno"}));
  EXPECT_EQ(Sorted(Search("música AND literatura")), (std::set<std::string>{"musica"}));
  EXPECT_EQ(Sorted(Search("música NOT cine")), (std::set<std::string>{"musica"}));
}

TEST_F(QueryBuilderTest, PrefixExpandsOverIndexedSpellings) {
  Add("a", "es", "creatividad");
  Add("b", "es", "creación");
  Add("c", "es", "ciudad");
  EXPECT_EQ(Sorted(Search("crea*")), (std::set<std::string>{"a", "b"}));
  EXPECT_EQ(Search("zzz*"), std::vector<std::string>{});
}

TEST_F(QueryBuilderTest, StopwordsAreDroppedUnlessTheyAreAllThereIs) {
  Add("a", "en", "the network");
  Add("b", "en", "the cities");
  EXPECT_EQ(Search("the network"), std::vector<std::string>{"a"});
  EXPECT_EQ(Sorted(Search("the")), (std::set<std::string>{"a", "b"}));
}

TEST_F(QueryBuilderTest, ViaTranslationFindsThePassageThroughItsTwin) {
  Passage en{"en", "d", "t", "en", 0, "The gastronomy of the city", "", "", "es"};
  Passage es{"es", "d", "t", "es", 1, "La cocina de la ciudad", "", "", "en"};
  Passage other{"other", "d2", "t", "es", 0, "La música", "", "", ""};
  index_.Add(en, analyzer_, &es);
  index_.Add(es, analyzer_, &en);
  index_.Add(other, analyzer_);
  EXPECT_EQ(Search("gastronomy", {{"es"}}), std::vector<std::string>{});
  EXPECT_EQ(Search("gastronomy", {{"es"}, true}), std::vector<std::string>{"es"});
  // Both come back, the direct match first.
  EXPECT_EQ(Search("gastronomy", {{}, true}), (std::vector<std::string>{"en", "es"}));
  EXPECT_EQ(Search("cocina", {{}, true}), (std::vector<std::string>{"es", "en"}));
}

TEST_F(QueryBuilderTest, DocFilter) {
  Passage p{"x-0", "other.txt", "Other", "en", 0, "music cities", "", "", ""};
  index_.Add(p, analyzer_);
  Add("a", "en", "music");
  EXPECT_EQ(Search("music doc:other.txt"), std::vector<std::string>{"x-0"});
}

TEST_F(QueryBuilderTest, UnparsableQueriesAreReadAsPlainWords) {
  Add("a", "en", "creative cities");
  for (const char* q : {"\"creative cities", "creative AND", "OR cities", "cities NOT"}) {
    Result<BuiltQuery> built = builder_.Build(q, index_.shards());
    ASSERT_TRUE(built.ok()) << q;
    EXPECT_TRUE(built->relaxed) << q;
  }
  EXPECT_EQ(Search("\"creative cities"), std::vector<std::string>{"a"});
  // Punctuation alone (a first keystroke) finds nothing and is no error.
  for (const char* q : {"\"", "--", "lang:en", "?!"}) {
    Result<BuiltQuery> built = builder_.Build(q, index_.shards());
    ASSERT_TRUE(built.ok()) << q << ": " << built.status().ToString();
    EXPECT_EQ(Search(q), std::vector<std::string>{}) << q;
  }
}

TEST_F(QueryBuilderTest, Errors) {
  Add("a", "en", "creative cities");
  const std::pair<const char*, const char*> cases[] = {
      {"", "no words"},
      {"   ", "no words"},
      {"-cities", "only excludes"},
      {"cities lang:xx", "unknown language 'xx'"},
  };
  for (const auto& [q, message] : cases) {
    Result<BuiltQuery> built = builder_.Build(q, index_.shards());
    ASSERT_FALSE(built.ok()) << q;
    EXPECT_EQ(built.status().code(), StatusCode::kInvalidArgument) << q;
    EXPECT_NE(built.status().message().find(message), std::string::npos)
        << built.status().message();
  }
  EXPECT_NE(
      builder_.Build("x lang:fr", index_.shards()).status().message().find("the index has: en"),
      std::string::npos);
}

// The index's languages, each once and in order, however many passages each
// has (IndexLanguages seeks past each language's posting list rather than
// walking it), and whether or not one language's code begins another's.
TEST(IndexLanguages, ListsEveryLanguageOfTheIndexOnce) {
  test_support::TempDir dir("index-languages-");
  Xapian::WritableDatabase db((dir.path() / "db").string(),
                              Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_BACKEND_GLASS);
  const std::pair<const char*, int> languages[] = {
      {"en", 5000}, {"es", 3}, {"eu", 1}, {"zh", 2}, {"zh-hant", 2}};
  for (const auto& [lang, passages] : languages) {
    for (int i = 0; i < passages; ++i) {
      Xapian::Document doc;
      doc.add_boolean_term(schema::LangTerm(lang));
      doc.add_term("Zx:" + std::to_string(i));
      db.add_document(doc);
    }
  }
  db.commit();
  EXPECT_EQ(IndexLanguages(Xapian::Database(db)),
            (std::vector<std::string>{"en", "es", "eu", "zh", "zh-hant"}));
  EXPECT_EQ(IndexLanguages(Xapian::Database()), std::vector<std::string>{});
}

// The indexer and the query side share one pipeline: the same text yields the
// same terms on both sides.
TEST_F(QueryBuilderTest, IndexAndQueryProduceTheSameTerms) {
  const std::pair<const char*, const char*> texts[] = {
      {"es", "Ciudades Creativas: gastronomía, diseño y creación en Bilbao"},
      {"en", "Creative Cities: gastronomy, design and creation in Bilbao"},
  };
  for (const auto& [lang, text] : texts) {
    Passage p{"p", "d", "t", lang, 0, text, "", "", ""};
    index_.Add(p, analyzer_);
    Result<BuiltQuery> built = builder_.Build(text, index_.shards(), {{lang}});
    ASSERT_TRUE(built.ok());
    std::set<std::string> query_terms(built->query.get_terms_begin(), built->query.get_terms_end());
    std::set<std::string> index_terms;
    for (const Token& t : analyzer_.Analyze(text, lang)) {
      if (t.stopword) continue;
      for (const std::string& key : t.keys) index_terms.insert(schema::KeyTerm(lang, key));
    }
    EXPECT_EQ(query_terms, index_terms) << text;
  }
}

}  // namespace
}  // namespace sarea
