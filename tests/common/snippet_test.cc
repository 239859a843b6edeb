#include "common/snippet.h"

#include <gtest/gtest.h>

namespace sarea {
namespace {

class SnippetTest : public ::testing::Test {
 protected:
  std::set<std::string> KeysOf(const std::string& query, const std::string& lang) {
    std::set<std::string> keys;
    for (const Token& t : analyzer_.Analyze(query, lang)) keys.insert(t.keys.begin(), t.keys.end());
    return keys;
  }
  Analyzer analyzer_;
};

TEST_F(SnippetTest, MarksWordsMatchedThroughStemmingAndPlurals) {
  EXPECT_EQ(
      MakeSnippet("La Red de Ciudades Creativas", "es", KeysOf("ciudad creativa", "es"), analyzer_),
      "La Red de <mark>Ciudades</mark> <mark>Creativas</mark>");
}

TEST_F(SnippetTest, MarksAccentedWordsForTheKeysOfTheirForms) {
  // The query builder gives "creacion" the keys of "creación" through the index's forms.
  EXPECT_EQ(MakeSnippet("la creación y la producción", "es", KeysOf("creación", "es"), analyzer_),
            "la <mark>creación</mark> y la producción");
}

TEST_F(SnippetTest, EscapesEverythingElse) {
  EXPECT_EQ(
      MakeSnippet("<script>alert('x')</script> & music", "en", KeysOf("music", "en"), analyzer_),
      "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; <mark>music</mark>");
}

TEST_F(SnippetTest, ShortPassageComesWholeWithoutEllipsis) {
  EXPECT_EQ(MakeSnippet("Music and cinema.", "en", {}, analyzer_), "Music and cinema.");
}

TEST_F(SnippetTest, LongPassageShowsTheWindowWithTheMatches) {
  std::string text;
  for (int i = 0; i < 40; ++i) text += "filler words here, ";
  text += "the gastronomy of Bilbao is famous. ";
  for (int i = 0; i < 40; ++i) text += "more filler text. ";
  const std::string s = MakeSnippet(text, "en", KeysOf("gastronomy", "en"), analyzer_, {80});
  EXPECT_NE(s.find("<mark>gastronomy</mark>"), std::string::npos) << s;
  EXPECT_EQ(s.rfind("… ", 0), 0u) << s;
  EXPECT_EQ(s.substr(s.size() - 4), " …") << s;
  EXPECT_LT(s.size(), 140u) << s;
}

TEST_F(SnippetTest, PrefersTheWindowWithMoreDistinctWords) {
  std::string text = "cinema cinema cinema. ";
  for (int i = 0; i < 30; ++i) text += "padding words. ";
  text += "cinema and music together. ";
  for (int i = 0; i < 30; ++i) text += "padding words. ";
  const std::string s = MakeSnippet(text, "en", KeysOf("cinema music", "en"), analyzer_, {60});
  EXPECT_NE(s.find("<mark>music</mark>"), std::string::npos) << s;
}

// The window is chosen while the words are read, and reading stops once a
// window holds every key: that window must still reach its full length, the
// earliest such window must win, and one that ends the text keeps its end.
TEST_F(SnippetTest, AWindowWithEveryKeyIsWholeAndTheEarliest) {
  std::string text = "Gastronomy and music open the day. ";
  for (int i = 0; i < 40; ++i) text += "filler" + std::to_string(i) + " words. ";
  text += "Music and gastronomy close it.";
  const auto keys = KeysOf("gastronomy music", "en");
  const std::string s = MakeSnippet(text, "en", keys, analyzer_, {80});
  EXPECT_EQ(s.rfind("<mark>Gastronomy</mark> and <mark>music</mark> open the day. filler0", 0), 0u)
      << s;
  EXPECT_EQ(s.substr(s.size() - 4), " …") << s;
  EXPECT_GE(CodePointCount(s), 80u) << s;  // marks included: the window itself is about 80

  // Only the closing sentence has both: its window ends the text, full stop included.
  text.erase(0, text.find("filler0"));
  const std::string end = MakeSnippet(text, "en", keys, analyzer_, {80});
  EXPECT_EQ(end.rfind("… ", 0), 0u) << end;
  const std::string tail = "<mark>Music</mark> and <mark>gastronomy</mark> close it.";
  ASSERT_GE(end.size(), tail.size());
  EXPECT_EQ(end.substr(end.size() - tail.size()), tail) << end;
}

TEST_F(SnippetTest, NoMatchGivesTheOpening) {
  std::string text;
  for (int i = 0; i < 50; ++i) text += "word" + std::to_string(i) + " ";
  const std::string s = MakeSnippet(text, "en", KeysOf("absent", "en"), analyzer_, {30});
  EXPECT_EQ(s.rfind("word0 ", 0), 0u) << s;
  EXPECT_EQ(s.find("<mark>"), std::string::npos);
}

TEST_F(SnippetTest, CountsCharactersNotBytes) {
  std::string text;
  for (int i = 0; i < 30; ++i) text += "ñandú ";  // 6 characters, 8 bytes
  const std::string s = MakeSnippet(text, "es", {}, analyzer_, {60});
  EXPECT_GE(s.size(), 60u);  // ~10 words of 8 bytes, not ~7
  EXPECT_LE(s.size(), 90u);
}

}  // namespace
}  // namespace sarea
