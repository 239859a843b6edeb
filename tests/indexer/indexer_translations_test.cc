// Tests for pairings that the corpus states: a .jsonl record's
// "translation_of" names the document it translates, in any file; the pair is
// made across the two documents, kept right when either side changes, undone
// when the statement or its target goes, and reported when it cannot hold.
#include <gtest/gtest.h>
#include <xapian.h>

#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/analyzer.h"
#include "common/passage.h"
#include "common/record_codec.h"
#include "common/schema.h"
#include "tests/indexer/indexer_fixture.h"

namespace sarea::indexer_test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const char kEnglish[] =
    "The Creative Cities Network was created in 2004 to promote cooperation among cities "
    "that identified creativity as a factor for sustainable development.\\n\\n"
    "Its cities work together in seven creative fields: crafts and folk art, design, film, "
    "gastronomy, literature, media arts and music.";
const char kSpanish[] =
    "La Red de Ciudades Creativas fue creada en 2004 para promover la cooperación entre "
    "ciudades que identificaron la creatividad como factor de desarrollo sostenible.\\n\\n"
    "Sus ciudades trabajan juntas en siete ámbitos creativos: artesanía y artes populares, "
    "diseño, cine, gastronomía, literatura, artes digitales y música.";

std::string Record(const std::string& id, const std::string& lang, const std::string& text,
                   const std::string& translation_of = "") {
  std::string line = R"({"id":")" + id + R"(","lang":")" + lang + R"(","text":")" + text + "\"";
  if (!translation_of.empty()) line += R"(,"translation_of":")" + translation_of + "\"";
  return line + "}\n";
}

// The stored passage at `position` of document `doc`.
Passage StoredPassage(const Xapian::Database& db, const std::string& doc, int position) {
  const std::string term = schema::PassageIdTerm(schema::PassageId(doc, position));
  Xapian::PostingIterator it = db.postlist_begin(term);
  if (it == db.postlist_end(term)) {
    ADD_FAILURE() << "no passage " << position << " of " << doc;
    return {};
  }
  Result<Passage> passage = PassageReader({db}).Read(db.get_document(*it));
  EXPECT_TRUE(passage.ok()) << passage.status().ToString();
  return passage.ok() ? *passage : Passage{};
}

// True if the passage's Xapian document carries the translation key of `word`.
bool HasTranslationKey(const Xapian::Database& db, const std::string& passage_id,
                       const std::string& word, const std::string& lang) {
  Analyzer analyzer;
  const std::string key = analyzer.Analyze(word, lang).at(0).keys.at(0);
  const std::string id_term = schema::PassageIdTerm(passage_id);
  const Xapian::Document doc = db.get_document(*db.postlist_begin(id_term));
  const std::string term = schema::TranslationKeyTerm(lang, key);
  Xapian::TermIterator it = doc.termlist_begin();
  it.skip_to(term);
  return it != doc.termlist_end() && *it == term;
}

class StatedTranslationsTest : public IndexerCliTest {
 protected:
  // Both passages of "cities-en" pair with those of "cities-es", in order.
  void ExpectPaired() {
    const Xapian::Database db = Open();
    for (int position : {0, 1}) {
      const std::string en = schema::PassageId("cities-en", position);
      const std::string es = schema::PassageId("cities-es", position);
      EXPECT_EQ(StoredPassage(db, "cities-en", position).translation, es) << position;
      EXPECT_EQ(StoredPassage(db, "cities-es", position).translation, en) << position;
    }
  }
};

TEST_F(StatedTranslationsTest, RecordsInTwoFilesArePairedBothWays) {
  Write("en.jsonl", Record("cities-en", "en", kEnglish));
  Write("es.jsonl", Record("cities-es", "es", kSpanish, "cities-en"));
  const json report = Index(0);
  EXPECT_EQ(report["failed"], json::array());
  ExpectPaired();
  const Xapian::Database db = Open();
  EXPECT_TRUE(HasTranslationKey(db, schema::PassageId("cities-en", 1), "gastronomía", "es"));
  EXPECT_TRUE(HasTranslationKey(db, schema::PassageId("cities-es", 1), "gastronomy", "en"));
  EXPECT_FALSE(HasTranslationKey(db, schema::PassageId("cities-en", 0), "gastronomía", "es"));
}

// The vocabulary entries of `db` with their counts.
std::map<std::string, std::string> Vocabulary(const Xapian::Database& db) {
  std::map<std::string, std::string> out;
  const std::string prefix = schema::kMetaVocabularyPrefix;
  for (auto it = db.metadata_keys_begin(prefix); it != db.metadata_keys_end(prefix); ++it)
    out["vocabulary " + *it] = db.get_metadata(*it);
  return out;
}

// Pairing, unpairing and re-pairing rewrite passages that did not change:
// their vocabulary is still counted once, as a fresh build counts it.
TEST_F(StatedTranslationsTest, RewrittenPassagesKeepTheVocabularyAFreshBuildHas) {
  Write("en.jsonl", Record("cities-en", "en", kEnglish));
  Write("es.jsonl", Record("cities-es", "es", kSpanish, "cities-en"));
  Index(0);
  Write("en.jsonl", Record("cities-en", "en", std::string(kEnglish) + " Bilbao joined in 2014."));
  Index(0);
  Write("es.jsonl", Record("cities-es", "es", kSpanish));
  Index(0);
  Write("es.jsonl", Record("cities-es", "es", kSpanish, "cities-en"));
  Index(0);
  const std::map<std::string, std::string> incremental = Vocabulary(Open());
  EXPECT_NE(incremental.count("vocabulary " + schema::VocabularyMetaKey(
                                                  schema::FormTerm("en", "bilbao", "bilbao"), 1)),
            0u);
  Index(0, {"--rebuild"});
  EXPECT_EQ(incremental, Vocabulary(Open()));
}

TEST_F(StatedTranslationsTest, ChangingOneSideRepairsTheOtherToo) {
  Write("en.jsonl", Record("cities-en", "en", kEnglish));
  Write("es.jsonl", Record("cities-es", "es", kSpanish, "cities-en"));
  Index(0);
  std::string changed = kSpanish;
  const std::string old_word = "gastronomía";
  changed.replace(changed.find(old_word), old_word.size(), "cocina");
  Write("es.jsonl", Record("cities-es", "es", changed, "cities-en"));
  const json report = Index(0);
  EXPECT_EQ(report["updated"], 1);
  EXPECT_EQ(report["unchanged"], 1);
  ExpectPaired();
  const Xapian::Database db = Open();
  const std::string en = schema::PassageId("cities-en", 1);
  EXPECT_TRUE(HasTranslationKey(db, en, "cocina", "es")) << "the unchanged side has new keys";
  EXPECT_FALSE(HasTranslationKey(db, en, "gastronomía", "es"));
}

TEST_F(StatedTranslationsTest, StatementBeforeItsTargetIsReportedThenKept) {
  Write("es.jsonl", Record("cities-es", "es", kSpanish, "cities-en"));
  const json first = Index(1);
  EXPECT_EQ(FailureReason(first, "es.jsonl"),
            "document 'cities-es': translation_of 'cities-en' names no document in the corpus");
  EXPECT_EQ(PassagesOf(Open(), "cities-es"), 2) << "the record itself is indexed";
  EXPECT_EQ(StoredPassage(Open(), "cities-es", 0).translation, "");

  Write("en.jsonl", Record("cities-en", "en", kEnglish));
  const json second = Index(0);
  EXPECT_EQ(second["failed"], json::array());
  EXPECT_EQ(second["added"], 1);
  ExpectPaired();
}

TEST_F(StatedTranslationsTest, DeletedTargetOrDroppedStatementUnpairs) {
  Write("en.jsonl", Record("cities-en", "en", kEnglish));
  Write("es.jsonl", Record("cities-es", "es", kSpanish, "cities-en"));
  Index(0);
  Write("es.jsonl", Record("cities-es", "es", kSpanish));
  Index(0);
  for (const char* doc : {"cities-en", "cities-es"}) {
    for (int position : {0, 1}) EXPECT_EQ(StoredPassage(Open(), doc, position).translation, "");
  }
  EXPECT_FALSE(HasTranslationKey(Open(), schema::PassageId("cities-en", 1), "gastronomía", "es"));

  Write("es.jsonl", Record("cities-es", "es", kSpanish, "cities-en"));
  Index(0);
  ExpectPaired();
  fs::remove(corpus_ / "es.jsonl");
  const json report = Index(0);
  EXPECT_EQ(report["deleted"], 1);
  EXPECT_EQ(StoredPassage(Open(), "cities-en", 1).translation, "");
}

TEST_F(StatedTranslationsTest, SecondClaimOnADocumentIsReported) {
  Write("en.jsonl", Record("cities-en", "en", kEnglish));
  Write("es.jsonl", Record("cities-es", "es", kSpanish, "cities-en") +
                        Record("cities-mx", "es", kSpanish, "cities-en"));
  const json report = Index(1);
  EXPECT_EQ(FailureReason(report, "es.jsonl"),
            "document 'cities-mx': translation_of 'cities-en' is already paired with 'cities-es'");
  ExpectPaired();
  EXPECT_EQ(StoredPassage(Open(), "cities-mx", 0).translation, "");
}

TEST_F(StatedTranslationsTest, AnalyzeShowsPairsStatedWithinTheFile) {
  Write("both.jsonl",
        Record("cities-es", "es", kSpanish, "cities-en") + Record("cities-en", "en", kEnglish));
  const RunResult run = Run({"--analyze", (corpus_ / "both.jsonl").string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<json> lines;
  std::istringstream out(run.out);
  for (std::string line; std::getline(out, line);) lines.push_back(json::parse(line));
  ASSERT_EQ(lines.size(), 4u) << run.out;
  EXPECT_EQ(lines[0]["translation"], schema::PassageId("cities-en", 0));
  EXPECT_EQ(lines[3]["translation"], schema::PassageId("cities-es", 1));
}

}  // namespace
}  // namespace sarea::indexer_test
