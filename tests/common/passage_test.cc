#include "common/passage.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace sarea
