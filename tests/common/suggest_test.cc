// Complete()'s ranking over a vocabulary written by hand: one suggestion a
// spelling, however many languages have it; the most passages first, then
// in alphabetical order; a word by its most frequent spelling, with the
// passages of all its spellings.
#include "common/suggest.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/schema.h"
#include "common/vocabulary.h"
#include "tests/support/process.h"

namespace sarea {
namespace {

using schema::FormTerm;

class SuggestTest : public ::testing::Test {
 protected:
  SuggestTest()
      : dir_("suggest-"),
        db_((dir_.path() / "db").string(), Xapian::DB_CREATE | Xapian::DB_BACKEND_GLASS) {}

  // `count` passages of `lang` have `word`, spelt `spelling`.
  void Add(const std::string& lang, const std::string& folded, const std::string& spelling,
           int count) {
    VocabularyChanges changes;
    for (int i = 0; i < count; ++i) changes.Count({FormTerm(lang, folded, spelling)}, +1);
    changes.Apply(db_);
    db_.commit();
  }

  // "text@lang" of each completion of `typed`.
  std::vector<std::string> Suggested(const std::string& typed,
                                     const std::vector<std::string>& langs, std::size_t size = 8) {
    std::vector<std::string> out;
    for (const Suggestion& s : Complete(typed, {Xapian::Database(db_)}, langs, size))
      out.push_back(s.text + "@" + s.lang);
    return out;
  }

  test_support::TempDir dir_;
  Xapian::WritableDatabase db_;
};

TEST_F(SuggestTest, RanksByPassagesThenAlphabetically) {
  Add("en", "harbour", "harbour", 2);
  Add("en", "hamlet", "hamlet", 2);
  Add("en", "hall", "hall", 5);
  Add("en", "hazel", "hazel", 1);
  EXPECT_EQ(Suggested("ha", {"en"}),
            (std::vector<std::string>{"hall@en", "hamlet@en", "harbour@en", "hazel@en"}));
  EXPECT_EQ(Suggested("ha", {"en"}, 2), (std::vector<std::string>{"hall@en", "hamlet@en"}));
  EXPECT_EQ(Suggested("the ha", {"en"}, 1), std::vector<std::string>{}) << "no 'the ha' pair";
}

TEST_F(SuggestTest, ASpellingOfTwoLanguagesIsOfferedOnce) {
  Add("en", "hotel", "hotel", 3);
  Add("es", "hotel", "hotel", 5);
  Add("en", "radio", "radio", 4);
  Add("es", "radio", "radio", 4);
  // The language in which more passages have it; among equals, the first.
  EXPECT_EQ(Suggested("hot", {"en", "es"}), std::vector<std::string>{"hotel@es"});
  EXPECT_EQ(Suggested("rad", {"en", "es"}), std::vector<std::string>{"radio@en"});
  EXPECT_EQ(Suggested("rad", {"es", "en"}), std::vector<std::string>{"radio@es"});
}

TEST_F(SuggestTest, AWordComesInItsMostFrequentSpellingWithAllItsPassages) {
  Add("es", "camion", "camion", 2);
  Add("es", "camion", "camión", 3);
  Add("es", "camara", "cámara", 4);
  // "camión" (3 of 5 passages) before "cámara" (4): the spellings' passages add up.
  EXPECT_EQ(Suggested("cam", {"es"}), (std::vector<std::string>{"camión@es", "cámara@es"}));
  Add("es", "camion", "camion", 2);  // the unaccented spelling now in 4 passages, against 3
  EXPECT_EQ(Suggested("cam", {"es"}), (std::vector<std::string>{"camion@es", "cámara@es"}));
}

}  // namespace
}  // namespace sarea
