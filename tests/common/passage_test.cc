#include "common/passage.h"

#include <gtest/gtest.h>
#include <xapian.h>

#include <string>
#include <vector>

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

TEST(PairStatedTranslations, NothingAlikeLeavesBothUnpaired) {
  std::vector<Passage> en = {Make("en", 0, "en", kEnCities), Make("en", 1, "en", kEnFields)};
  std::vector<Passage> es = {Make("es", 0, "es", "Hola.")};
  PairStatedTranslations(en, es);
  EXPECT_EQ(Translations(en), (std::vector<std::string>{"", ""}));
  EXPECT_EQ(Translations(es), (std::vector<std::string>{""}));
}

Xapian::Document WithData(const std::string& data) {
  Xapian::Document d;
  d.set_data(data);
  return d;
}

// What the indexer stores is what a search reads back, field by field.
TEST(FromXapianDocument, ReadsBackEveryField) {
  Passage p = Make("cities/bilbao.md", 7, "es", "Bilbao, ciudad \"creativa\" del diseño\n\u00e9");
  p.title = "Bilbao";
  p.section = "Diseño";
  p.url = "https://example.org/bilbao?a=1&b=2";
  p.translation = schema::PassageId("cities/bilbao.md", 8);
  Result<Passage> back = FromXapianDocument(WithData(PassageToJson(p).dump()));
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

  p.translation.clear();  // stored as null
  back = FromXapianDocument(WithData(PassageToJson(p).dump()));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->translation, "");
}

// Keys it does not know, nested values among them, are skipped; a repeated
// key counts as its last occurrence.
TEST(FromXapianDocument, SkipsUnknownKeysAndNestedValues) {
  Result<Passage> p = FromXapianDocument(
      WithData(R"({"future":{"id":"nested","text":["x",{"position":"no"}]},"id":"a-0","id":"a-1",)"
               R"("position":2.0,"text":"hola","extra":[1,null,true],"translation":7,"n":1e400})"));
  EXPECT_FALSE(p.ok()) << "1e400 overflows a double: not JSON nlohmann reads";
  p = FromXapianDocument(
      WithData(R"({"future":{"id":"nested","text":["x",{"position":"no"}]},"id":"a-0","id":"a-1",)"
               R"("position":2.0,"text":"hola","extra":[1,null,true],"translation":7})"));
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->id, "a-1");
  EXPECT_EQ(p->position, 2);
  EXPECT_EQ(p->text, "hola");
  EXPECT_EQ(p->translation, "") << "a translation that is not a string is none";
}

// Data that is not a passage's is corruption, said as such, never a crash.
TEST(FromXapianDocument, RejectsWhatIsNotAPassage) {
  struct Case {
    const char* data;
    const char* says;
  };
  const Case cases[] = {
      {"", "holds no passage data"},
      {"not json", "holds no passage data"},
      {R"({"id":"a-0","text":"x","position":1)", "holds no passage data"},  // cut short
      {R"(["id","a-0"])", "holds no passage data"},
      {R"("a string")", "holds no passage data"},
      {"42", "holds no passage data"},
      {R"({"id":"a-0","text":"x"})", "holds no passage data"},    // no position
      {R"({"id":"a-0","position":1})", "holds no passage data"},  // no text
      {R"({"text":"x","position":1})", "holds no passage data"},  // no id
      {R"({"id":5,"text":"x","position":1})", "has malformed passage data"},
      {R"({"id":"a-0","text":null,"position":1})", "has malformed passage data"},
      {R"({"id":"a-0","text":"x","position":"1"})", R"("position" is "1")"},
      {R"({"id":"a-0","text":"x","position":null})", R"("position" is null)"},
      // (Cast to int, it would be undefined behaviour.)
      {R"({"id":"a-0","text":"x","position":1e12})", R"("position" is 1000000000000.0)"},
      {R"({"id":"a-0","text":{"x":1},"position":1})", "has malformed passage data"},
      {R"({"id":"a-0","text":["x"],"position":1})", "has malformed passage data"},
      {R"({"id":"a-0","text":"x","position":1,"lang":true})", "has malformed passage data"},
  };
  for (const Case& c : cases) {
    const Result<Passage> p = FromXapianDocument(WithData(c.data));
    ASSERT_FALSE(p.ok()) << c.data;
    EXPECT_EQ(p.status().code(), StatusCode::kCorruption) << c.data;
    EXPECT_NE(p.status().message().find(c.says), std::string::npos)
        << c.data << " -> " << p.status().message();
  }
}

}  // namespace
}  // namespace sarea
