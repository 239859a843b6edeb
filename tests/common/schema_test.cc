#include "common/schema.h"

#include <gtest/gtest.h>
#include <unicode/unistr.h>

#include <vector>

namespace sarea::schema {
namespace {

TEST(Schema, PassageIdsAreStableAndUrlSafe) {
  const std::string id = PassageId("reports/2024 año.txt", 3);
  EXPECT_EQ(id, PassageId("reports/2024 año.txt", 3));
  EXPECT_NE(id, PassageId("reports/2024 año.txt", 4));
  EXPECT_NE(id, PassageId("other.txt", 3));
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef-"), std::string::npos) << id;
  EXPECT_EQ(id.substr(id.size() - 2), "-3");
}

TEST(Schema, ShardsAreAStableHashOfTheDocumentId) {
  EXPECT_EQ(ShardOf("any.txt", 1), 0u);
  EXPECT_EQ(ShardOf("any.txt", 0), 0u);
  // Fixed values (XXH3-64 of the id, modulo the count): an index written on
  // one machine, or by one version, is updated by another.
  EXPECT_EQ(ShardOf("creative-cities-network.txt", 2), 1u);
  EXPECT_EQ(ShardOf("creative-cities-network.txt", 3), 2u);
  EXPECT_EQ(ShardOf("creative-cities-network.txt", 4), 3u);
  EXPECT_EQ(ShardOf("lanterns/7", 4), 1u);
  std::vector<int> counts(4);
  for (int i = 0; i < 400; ++i) {
    const unsigned shard = ShardOf("doc" + std::to_string(i) + ".txt", 4);
    ASSERT_LT(shard, 4u);
    ++counts[shard];
  }
  for (int n : counts) EXPECT_GT(n, 60) << "400 ids spread over 4 shards";
}

TEST(Schema, TermsCarryTheirPrefixes) {
  EXPECT_EQ(KeyTerm("es", "ciud"), "Zes:ciud");
  EXPECT_EQ(LangTerm("en"), "Len");
  EXPECT_EQ(FormTerm("es", "creacion", "creación"), "Ues:creacion creación");
  EXPECT_EQ(WordOfFormTerm(FormTerm("es", "creacion", "creación")), "creación");
  EXPECT_EQ(WordOfFormTerm("Zes:x"), "");
  EXPECT_EQ(FoldedOfFormTerm(FormTerm("es", "creacion", "creación")), "creacion");
  EXPECT_EQ(FoldedOfFormTerm("Zes:creacion"), "");
  EXPECT_EQ(FoldedOfFormTerm("Ues:creacion"), "");
  EXPECT_EQ(DocTerm("a.txt").substr(0, 1), kDocPrefix);
  EXPECT_EQ(DocTerm("a.txt").size(), 17u);  // long paths stay short
}

TEST(Schema, FormPrefixesSelectWholeOrPartialWords) {
  const std::string term = FormTerm("es", "creacion", "creación");
  EXPECT_EQ(term.rfind(FormTermPrefix("es", "creacion", true), 0), 0u);
  EXPECT_EQ(term.rfind(FormTermPrefix("es", "crea", false), 0), 0u);
  EXPECT_NE(term.rfind(FormTermPrefix("es", "crea", true), 0), 0u);
}

TEST(Schema, FormTermsParseBack) {
  std::string lang, word;
  ASSERT_TRUE(ParseFormTerm(FormTerm("es", "creacion", "creación"), &lang, &word));
  EXPECT_EQ(lang, "es");
  EXPECT_EQ(word, "creación");
  EXPECT_FALSE(ParseFormTerm("Zes:creacion", &lang, &word));
  EXPECT_FALSE(ParseFormTerm("Ues:creacion", &lang, &word));
}

TEST(Schema, BigramPrefixesCompleteTheSecondWord) {
  EXPECT_EQ(BigramTerm("es", "ciudades", "creativas"), "Kes:ciudades creativas");
  EXPECT_EQ(
      BigramTerm("es", "ciudades", "creativas").rfind(BigramTerm("es", "ciudades", "crea"), 0), 0u);
  EXPECT_EQ(SecondWordOfBigram("Kes:ciudades creativas"), "creativas");
  EXPECT_EQ(SecondWordOfBigram("Ues:ciudades ciudades"), "");
}

TEST(Schema, SynonymKeysFoldCaseAccentsAndSpacing) {
  EXPECT_EQ(SynonymKey("  Artes   Populares "), "artes populares");
  EXPECT_EQ(SynonymKey("Diseño"), "diseno");
  EXPECT_EQ(SynonymKey("film,"), "film");
  EXPECT_EQ(SynonymKey(" - "), "");
}

}  // namespace
}  // namespace sarea::schema
