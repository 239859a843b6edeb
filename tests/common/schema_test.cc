#include "common/schema.h"

#include <gtest/gtest.h>

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

TEST(Schema, TermsCarryTheirPrefixes) {
  EXPECT_EQ(KeyTerm("es", "ciud"), "Zes:ciud");
  EXPECT_EQ(LangTerm("en"), "Len");
  EXPECT_EQ(FormTerm("es", "creacion", "creación"), "Ues:creacion creación");
  EXPECT_EQ(WordOfFormTerm(FormTerm("es", "creacion", "creación")), "creación");
  EXPECT_EQ(WordOfFormTerm("Zes:x"), "");
  EXPECT_EQ(DocTerm("a.txt").substr(0, 1), kDocPrefix);
  EXPECT_EQ(DocTerm("a.txt").size(), 17u);  // long paths stay short
}

TEST(Schema, FormPrefixesSelectWholeOrPartialWords) {
  const std::string term = FormTerm("es", "creacion", "creación");
  EXPECT_EQ(term.rfind(FormTermPrefix("es", "creacion", true), 0), 0u);
  EXPECT_EQ(term.rfind(FormTermPrefix("es", "crea", false), 0), 0u);
  EXPECT_NE(term.rfind(FormTermPrefix("es", "crea", true), 0), 0u);
}

}  // namespace
}  // namespace sarea::schema
