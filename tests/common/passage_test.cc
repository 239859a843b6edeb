#include "common/passage.h"

#include <gtest/gtest.h>
#include <xapian.h>

#include <algorithm>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "common/analyzer.h"
#include "common/readers.h"
#include "common/schema.h"

namespace sarea {
namespace {

Passage Make(const std::string& doc, int position, const std::string& lang,
             const std::string& text) {
  Passage p;
  p.id = schema::PassageId(doc, position);
  p.doc = doc;
  p.lang = lang;
  p.position = position;
  p.text = text;
  return p;
}

std::vector<std::string> Translations(const std::vector<Passage>& passages) {
  std::vector<std::string> out;
  for (const Passage& p : passages) out.push_back(p.translation);
  return out;
}

const char kEnCities[] =
    "The Creative Cities Network was created in 2004 to promote cooperation among cities that "
    "have identified creativity as a strategic factor for sustainable urban development.";
const char kEsCities[] =
    "La Red de Ciudades Creativas fue creada en 2004 para promover la cooperación entre "
    "ciudades que han identificado la creatividad como factor estratégico del desarrollo "
    "urbano sostenible.";
const char kEnFields[] =
    "The 350 cities that currently make up this network work together towards a common "
    "objective: placing creativity and cultural industries at the heart of their plans.";
const char kEsFields[] =
    "Las 350 ciudades que forman actualmente esta red trabajan juntas hacia un objetivo "
    "común: situar la creatividad y las industrias culturales en el centro de sus planes.";
const char kEnExtra[] = "Contact the secretariat in Paris for the annual report of 2023.";

TEST(AlignPassages, ReplacesEveryEarlierPairing) {
  std::vector<Passage> passages = {Make("d", 0, "en", kEnCities), Make("d", 1, "es", kEsCities),
                                   Make("d", 2, "en", kEnExtra)};
  passages[2].translation = "stale";
  AlignPassages(passages);
  EXPECT_EQ(Translations(passages), (std::vector<std::string>{passages[1].id, passages[0].id, ""}));
}

TEST(PairStatedTranslations, EqualCountsPairInOrderAsStated) {
  // The statement wins even where the aligner would see no likeness: the
  // second pair shares no number, name or length ratio.
  std::vector<Passage> en = {Make("en", 0, "en", kEnCities), Make("en", 1, "en", "Short.")};
  std::vector<Passage> es = {Make("es", 0, "es", kEsCities),
                             Make("es", 1, "es", std::string(kEsFields) + " " + kEsFields)};
  en[0].translation = en[1].id;  // an earlier pairing inside the document
  en[1].translation = en[0].id;
  PairStatedTranslations(en, es);
  EXPECT_EQ(Translations(en), (std::vector<std::string>{es[0].id, es[1].id}));
  EXPECT_EQ(Translations(es), (std::vector<std::string>{en[0].id, en[1].id}));
}

TEST(PairStatedTranslations, UnequalCountsAreAlignedAcrossTheDocumentsOnly) {
  // The English record has an extra paragraph and is itself bilingual: its
  // Spanish passage must not pair inside the record, only across.
  std::vector<Passage> en = {Make("en", 0, "en", kEnCities), Make("en", 1, "en", kEnExtra),
                             Make("en", 2, "en", kEnFields), Make("en", 3, "es", kEsCities)};
  std::vector<Passage> es = {Make("es", 0, "es", kEsCities), Make("es", 1, "es", kEsFields)};
  PairStatedTranslations(en, es);
  EXPECT_EQ(Translations(es), (std::vector<std::string>{en[0].id, en[2].id}));
  EXPECT_EQ(Translations(en), (std::vector<std::string>{es[0].id, "", es[1].id, ""}));
}

TEST(PairStatedTranslations, AStatedPairIsKeptHoweverFewPassagesPair) {
  // One pair of three Spanish passages: too few for a document the aligner
  // would take for parallel on its own, but these are stated translations.
  std::vector<Passage> en = {Make("en", 0, "en", kEnCities), Make("en", 1, "en", kEnExtra),
                             Make("en", 2, "en", kEnFields), Make("en", 3, "en", "Short.")};
  std::vector<Passage> es = {Make("es", 0, "es", kEsCities), Make("es", 1, "es", "Hola."),
                             Make("es", 2, "es", "Adiós, hasta mañana.")};
  PairStatedTranslations(en, es);
  EXPECT_EQ(Translations(es), (std::vector<std::string>{en[0].id, "", ""}));
}

TEST(PairStatedTranslations, NothingAlikeLeavesBothUnpaired) {
  std::vector<Passage> en = {Make("en", 0, "en", kEnCities), Make("en", 1, "en", kEnFields)};
  std::vector<Passage> es = {Make("es", 0, "es", "Hola.")};
  PairStatedTranslations(en, es);
  EXPECT_EQ(Translations(en), (std::vector<std::string>{"", ""}));
  EXPECT_EQ(Translations(es), (std::vector<std::string>{""}));
}

// The Debian handbook's Spanish chapters declare es-ES on the chapter's
// <div>, over the paragraphs the translators left in English: those are
// English passages; a paragraph's own lang= still wins.
TEST(BuildPassages, AChaptersLanguageIsADefaultAndAParagraphsIsNot) {
  const ReadResult read = ReadHtml(
      "chapter.html",
      "<html><body><div class=\"chapter\" lang=\"es-ES\">"
      "<p>Debian se integra perfectamente en todos los tipos de entornos existentes y funciona "
      "muy bien con otros sistemas operativos.</p>"
      "<p>Finally, NFS (Network File System) and NIS (Network Information Service), both "
      "included, guarantee interaction with Unix systems.</p>"
      "<p lang=\"es\">The translators asked for this paragraph to be read as Spanish, and "
      "so it is.</p></div></body></html>");
  ASSERT_EQ(read.documents.size(), 1u);
  LanguageIdentifier identifier;
  std::vector<std::string> langs;
  for (const Passage& p : BuildPassages(read.documents[0], identifier)) langs.push_back(p.lang);
  EXPECT_EQ(langs, (std::vector<std::string>{"es", "en", "es"}));
}

Xapian::Document WithData(const std::string& data) {
  Xapian::Document d;
  d.set_data(data);
  return d;
}

// A key's weight in a passage, BM25's (k1 = 1, b = 0.5, the pivot as the mean
// length) without its idf: `count` occurrences among `keys` key postings.
double Bm25Part(double count, double keys) {
  const double n = 0.5 + 0.5 * std::max(keys / schema::kPivotLength, 0.5);
  return 2 * count / (n + count);
}

std::string Repeat(const std::string& word, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += " " + word;
  return out;
}

// The length normalisation is in the wdf (schema::Impact); searched with
// schema::Weighting(), whose b is 0, a key weighs as BM25 says, by its count
// and the length of its passage only: not of its translation.
TEST(ToXapianDocument, KeysWeighAsBm25WithTheLengthNormalisedWhenIndexed) {
  Analyzer analyzer;
  Xapian::WritableDatabase db(std::string(), Xapian::DB_BACKEND_INMEMORY);
  const Passage long_twin = Make("d", 9, "es", "piedra" + Repeat("piedra", 300));
  struct Case {
    Passage passage;
    double count;
    const Passage* translation;
  };
  std::vector<Case> cases = {
      {Make("d", 1, "en", "river stone"), 1, nullptr},
      {Make("d", 2, "en", "river" + Repeat("stone", 39)), 1, nullptr},
      {Make("d", 3, "en", "river" + Repeat("stone", 159)), 1, nullptr},
      {Make("d", 4, "en", "river river river" + Repeat("stone", 37)), 3, nullptr},
      {Make("d", 5, "en", "river" + Repeat("stone", 39)), 1, &long_twin},
  };
  for (const Case& c : cases) db.add_document(ToXapianDocument(c.passage, analyzer, c.translation));
  const std::string river = PassageKeyTerms(cases[0].passage, analyzer).front();
  Xapian::Enquire enquire(db);
  enquire.set_query(Xapian::Query(river));
  enquire.set_weighting_scheme(schema::Weighting());
  const Xapian::MSet mset = enquire.get_mset(0, 10);
  ASSERT_EQ(mset.size(), cases.size());
  std::map<std::string, double> weight;
  for (auto it = mset.begin(); it != mset.end(); ++it) {
    weight[it.get_document().get_value(schema::kSlotId)] = it.get_weight();
  }
  const auto keys = [&](const Passage& p) {
    double n = 0;
    for (const Token& t : analyzer.Analyze(p.text, p.lang)) n += t.keys.size();
    return n;
  };
  const Case& base = cases[1];
  for (const Case& c : cases) {
    SCOPED_TRACE(c.passage.text.substr(0, 20) + "... of " + std::to_string(keys(c.passage)));
    const double expected =
        Bm25Part(c.count, keys(c.passage)) / Bm25Part(base.count, keys(base.passage));
    EXPECT_NEAR(weight[c.passage.id] / weight[base.passage.id], expected, 0.02 * expected);
  }
  EXPECT_GT(weight[cases[0].passage.id], weight[cases[1].passage.id]);
  EXPECT_GT(weight[cases[1].passage.id], weight[cases[2].passage.id]);
}

// What the indexer stores is what a search reads back, field by field.
TEST(FromXapianDocument, ReadsBackEveryField) {
  Passage p = Make("cities/bilbao.md", 7, "es", "Bilbao, ciudad \"creativa\" del diseño\n\u00e9");
  p.title = "Bilbao";
  p.section = "Diseño";
  p.url = "https://example.org/bilbao?a=1&b=2";
  p.translation = schema::PassageId("cities/bilbao.md", 8);
  Analyzer analyzer;
  Result<Passage> back = FromXapianDocument(ToXapianDocument(p, analyzer));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->id, p.id);
  EXPECT_EQ(back->doc, p.doc);
  EXPECT_EQ(back->title, p.title);
  EXPECT_EQ(back->lang, p.lang);
  EXPECT_EQ(back->position, 7);
  EXPECT_EQ(back->text, p.text);
  EXPECT_EQ(back->section, p.section);
  EXPECT_EQ(back->url, p.url);
  EXPECT_EQ(back->translation, p.translation);

  p.translation.clear();
  back = FromXapianDocument(WithData(PassageRecord(p)));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->translation, "");
}

// Positions of either sign and at int's ends, long texts (lengths of several
// bytes) and bytes of every value come back as they went.
TEST(FromXapianDocument, ReadsBackEdgeValues) {
  std::string bytes;
  for (int c = 0; c < 256; ++c) bytes.push_back(static_cast<char>(c));
  for (const int position : {0, 1, -1, 63, 64, -64, -65, 300, std::numeric_limits<int>::max(),
                             std::numeric_limits<int>::min()}) {
    Passage p = Make("d", 0, "en", std::string(70000, 'x') + bytes);
    p.position = position;
    p.title = bytes;
    const Result<Passage> back = PassageFromRecord(PassageRecord(p), 1);
    ASSERT_TRUE(back.ok()) << position << ": " << back.status().message();
    EXPECT_EQ(back->position, position);
    EXPECT_EQ(back->text, p.text);
    EXPECT_EQ(back->title, bytes);
  }
}

// Data that is not a passage's is corruption, said as such, never a crash.
TEST(FromXapianDocument, RejectsWhatIsNotAPassage) {
  Passage p = Make("d", 3, "en", "hello");
  p.translation = schema::PassageId("d", 4);
  const std::string record = PassageRecord(p);
  Passage no_id = p;
  no_id.id.clear();
  // A position beyond int: the record of a passage at 2^31, its varint patched.
  std::string far = record;
  const std::size_t at =
      1 + 1 + p.id.size() + 1 + p.doc.size() + 1 + p.title.size() + 1 + p.lang.size();
  ASSERT_EQ(far[at], 6) << "position 3, zigzag";
  far.replace(at, 1, std::string("\x80\x80\x80\x80\x10", 5));
  struct Case {
    std::string data;
    const char* says;
  };
  const Case cases[] = {
      {"", "holds no passage data"},
      {"not a record", "holds no passage data"},
      {R"({"id":"a-0","text":"x","position":1})", "holds no passage data"},  // schema 6's JSON
      {record.substr(0, 1), "malformed passage data: cut short"},
      {record.substr(0, record.size() - 1), "malformed passage data: cut short"},
      {record.substr(0, 12), "malformed passage data: cut short"},
      {record + "zz", "malformed passage data: 2 bytes after the last field"},
      {std::string("\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 12),
       "malformed passage data: cut short"},  // a length of 2^64 - 1 bytes
      {std::string("\x01\x80", 2), "malformed passage data: cut short"},
      {PassageRecord(no_id), "malformed passage data: no passage id"},
      {far, "position 2147483648 is not a passage's position"},
  };
  for (const Case& c : cases) {
    const Result<Passage> back = FromXapianDocument(WithData(c.data));
    ASSERT_FALSE(back.ok()) << c.says;
    EXPECT_EQ(back.status().code(), StatusCode::kCorruption) << c.says;
    EXPECT_NE(back.status().message().find(c.says), std::string::npos)
        << c.says << " -> " << back.status().message();
  }
}

}  // namespace
}  // namespace sarea
