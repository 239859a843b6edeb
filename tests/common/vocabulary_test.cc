#include "common/vocabulary.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/analyzer.h"
#include "common/schema.h"
#include "tests/support/process.h"

namespace sarea {
namespace {

using schema::BigramTerm;
using schema::FormTerm;

class VocabularyTest : public ::testing::Test {
 protected:
  VocabularyTest()
      : dir_("vocabulary-"),
        a_((dir_.path() / "a").string(), Xapian::DB_CREATE | Xapian::DB_BACKEND_GLASS),
        b_((dir_.path() / "b").string(), Xapian::DB_CREATE | Xapian::DB_BACKEND_GLASS) {}

  static void Write(Xapian::WritableDatabase& db, const std::vector<std::string>& terms, int sign) {
    VocabularyChanges changes;
    changes.Count(terms, sign);
    changes.Apply(db);
    db.commit();
  }

  static long CountOf(const std::vector<Xapian::Database>& shards, const std::string& term) {
    for (const VocabularyEntry& e : ReadVocabulary(shards, term, 10)) {
      if (e.term == term) return e.count;
    }
    return 0;
  }

  test_support::TempDir dir_;
  Xapian::WritableDatabase a_, b_;
};

TEST_F(VocabularyTest, KeysCarryTheirCountAndParseBack) {
  const std::string key = schema::VocabularyMetaKey("Ues:creacion creación", 12);
  EXPECT_EQ(key.rfind(schema::VocabularyMetaPrefix("Ues:crea"), 0), 0u);
  std::string term;
  long count = 0;
  ASSERT_TRUE(schema::ParseVocabularyMetaKey(key, &term, &count));
  EXPECT_EQ(term, "Ues:creacion creación");
  EXPECT_EQ(count, 12);
  EXPECT_FALSE(schema::ParseVocabularyMetaKey("sarea:doc:0123", &term, &count));
  EXPECT_FALSE(
      schema::ParseVocabularyMetaKey(schema::VocabularyMetaPrefix("Ues:x y"), &term, &count));
  EXPECT_FALSE(schema::ParseVocabularyMetaKey(schema::VocabularyMetaPrefix("Ues:x y") + '\0' + "1x",
                                              &term, &count));
}

TEST_F(VocabularyTest, PassagesAreCountedAndUncounted) {
  const std::string creacion = FormTerm("es", "creacion", "creación");
  const std::string pair = BigramTerm("es", "ciudades", "creativas");
  Write(a_, {creacion, pair}, +1);
  Write(a_, {creacion}, +1);
  EXPECT_EQ(CountOf({a_}, creacion), 2);
  EXPECT_EQ(CountOf({a_}, pair), 1);

  Write(a_, {creacion, pair}, -1);
  EXPECT_EQ(CountOf({a_}, creacion), 1);
  EXPECT_EQ(CountOf({a_}, pair), 0);
  // An entry no passage has any more is gone, not kept at zero.
  const std::string prefix = schema::VocabularyMetaPrefix(pair);
  EXPECT_EQ(a_.metadata_keys_begin(prefix), a_.metadata_keys_end(prefix));
  EXPECT_TRUE(ReadVocabulary({a_}, pair, 1).empty());
  EXPECT_EQ(ReadVocabulary({a_}, "Ues:crea", 1).size(), 1u);
}

TEST_F(VocabularyTest, ChangesWithinOneBatchNetOut) {
  const std::string word = FormTerm("en", "city", "city");
  VocabularyChanges changes;
  changes.Count({word}, +1);
  changes.Count({word}, +1);
  changes.Count({word}, -1);
  EXPECT_FALSE(changes.empty());
  changes.Apply(a_);
  EXPECT_TRUE(changes.empty());
  a_.commit();
  EXPECT_EQ(CountOf({a_}, word), 1);
  // A term that is a prefix of another keeps its own count.
  Write(a_, {FormTerm("en", "cit", "cit")}, +1);
  Write(a_, {FormTerm("en", "cit", "cit")}, +1);
  EXPECT_EQ(CountOf({a_}, FormTerm("en", "cit", "cit")), 2);
  EXPECT_EQ(CountOf({a_}, word), 1);
}

TEST_F(VocabularyTest, ShardsAreSummedAndTheLimitIsTheUnions) {
  // The same entries spread over two shards read as they do from one database.
  const std::vector<std::string> words = {"cab", "cac", "cad", "cae", "caf", "cag"};
  Xapian::WritableDatabase one((dir_.path() / "one").string(),
                               Xapian::DB_CREATE | Xapian::DB_BACKEND_GLASS);
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::vector<std::string> terms = {FormTerm("es", words[i], words[i])};
    Write(i % 2 == 0 ? a_ : b_, terms, +1);
    if (i == 3) Write(a_, terms, +1);  // "cae" in both shards
    Write(one, terms, +1);
    if (i == 3) Write(one, terms, +1);
  }
  for (std::size_t limit : {1u, 2u, 3u, 4u, 6u, 10u}) {
    const std::vector<VocabularyEntry> sharded = ReadVocabulary({a_, b_}, "Ues:ca", limit);
    const std::vector<VocabularyEntry> single = ReadVocabulary({one}, "Ues:ca", limit);
    ASSERT_EQ(sharded.size(), single.size()) << limit;
    ASSERT_EQ(sharded.size(), std::min(limit, words.size()));
    for (std::size_t i = 0; i < single.size(); ++i) {
      EXPECT_EQ(sharded[i].term, single[i].term);
      EXPECT_EQ(sharded[i].count, single[i].count);
    }
  }
  EXPECT_EQ(CountOf({a_, b_}, FormTerm("es", "cae", "cae")), 2);
}

TEST_F(VocabularyTest, APassageHasItsSpellingsAndItsPairsOnce) {
  Analyzer analyzer;
  const std::vector<std::string> terms =
      VocabularyTerms(analyzer.Analyze("Ciudades creativas, ciudades creativas", "es"), "es");
  EXPECT_EQ(terms, (std::vector<std::string>{FormTerm("es", "ciudades", "ciudades"),
                                             FormTerm("es", "creativas", "creativas"),
                                             BigramTerm("es", "ciudades", "creativas"),
                                             BigramTerm("es", "creativas", "ciudades")}));
}

}  // namespace
}  // namespace sarea
