#include "common/text.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sarea {
namespace {

std::vector<std::string> Words(std::string_view text) {
  WordSplitter splitter;
  std::vector<std::string> words;
  for (const WordSpan& w : splitter.Split(text))
    words.emplace_back(text.substr(w.begin, w.end - w.begin));
  return words;
}

TEST(FindInvalidUtf8, AcceptsValidText) {
  EXPECT_EQ(FindInvalidUtf8("Creación “quotes” 日本"), std::string_view::npos);
  EXPECT_EQ(FindInvalidUtf8(""), std::string_view::npos);
}

TEST(FindInvalidUtf8, ReportsTheFirstBadByte) {
  EXPECT_EQ(FindInvalidUtf8("abc\xff"), 3u);
  EXPECT_EQ(FindInvalidUtf8("ab\xc3"), 2u);         // truncated sequence
  EXPECT_EQ(FindInvalidUtf8("a\xc0\xaf"), 1u);      // overlong '/'
  EXPECT_EQ(FindInvalidUtf8("x\xed\xa0\x80"), 1u);  // UTF-16 surrogate
}

TEST(NormalizeWord, FoldsCaseAndCompatibilityFormsButKeepsAccents) {
  EXPECT_EQ(NormalizeWord("Creación"), "creación");
  EXPECT_EQ(NormalizeWord("ＣＩＵＤＡＤ"), "ciudad");  // full-width
  EXPECT_EQ(NormalizeWord("ﬁesta"), "fiesta");         // ligature
  EXPECT_EQ(NormalizeWord("STRASSE"), "strasse");
  EXPECT_EQ(NormalizeWord("Straße"), "strasse");
  // Decomposed input (e + combining acute) composes.
  EXPECT_EQ(NormalizeWord("cre\x61\xcc\x81"), "creá");
}

// ASCII words take a fast path: it must agree with ICU's NFKC_Casefold, which
// a non-ASCII letter appended forces.
TEST(NormalizeWord, AsciiFastPathAgreesWithIcu) {
  for (int c = 1; c < 0x80; ++c) {
    const std::string ascii = "x" + std::string(1, static_cast<char>(c)) + "Y";
    const std::string through_icu = NormalizeWord(ascii + "é");
    ASSERT_EQ(NormalizeWord(ascii) + "é", through_icu) << "character " << c;
  }
}

TEST(FoldAccents, RemovesMarksOnly) {
  EXPECT_EQ(FoldAccents("creación"), "creacion");
  EXPECT_EQ(FoldAccents("año"), "ano");
  EXPECT_EQ(FoldAccents("pingüino"), "pinguino");
  EXPECT_EQ(FoldAccents("ámbitos"), "ambitos");
  EXPECT_EQ(FoldAccents("plain"), "plain");
  EXPECT_EQ(FoldAccents("øre"), "øre");  // no decomposition: kept
}

TEST(CodePoints, CountAndCutByCharactersNotBytes) {
  EXPECT_EQ(CodePointCount(""), 0u);
  EXPECT_EQ(CodePointCount("ñandú"), 5u);
  EXPECT_EQ(CodePointCount("日本"), 2u);
  EXPECT_EQ(FirstCodePoints("ñandú", 2), "ña");
  EXPECT_EQ(FirstCodePoints("ab", 5), "ab");
  EXPECT_EQ(FirstCodePoints("日本語", 1), "日");
}

TEST(WordSplitter, DropsPunctuationAndKeepsNumbers) {
  EXPECT_EQ(Words("cooperation “towards and between” cities, in 2004."),
            (std::vector<std::string>{"cooperation", "towards", "and", "between", "cities", "in",
                                      "2004"}));
}

TEST(WordSplitter, GivesByteOffsetsIntoUtf8) {
  WordSplitter splitter;
  const std::string text = "¿Qué? Creación";
  const auto words = splitter.Split(text);
  ASSERT_EQ(words.size(), 2u);
  EXPECT_EQ(text.substr(words[1].begin, words[1].end - words[1].begin), "Creación");
  EXPECT_EQ(words[1].begin, text.find("Creación"));
}

TEST(WordSplitter, EmptyAndPunctuationOnly) {
  EXPECT_TRUE(Words("").empty());
  EXPECT_TRUE(Words(" - ;, … ").empty());
}

TEST(WordSplitter, GivesWordsOneAtATimeAndStartsAfresh) {
  WordSplitter splitter;
  const std::string first = "Ciudades creativas, 2004: ¡música!", second = "the network";
  std::vector<std::string> words;
  splitter.Start(first);
  WordSpan span;
  ASSERT_TRUE(splitter.Next(&span));
  words.push_back(first.substr(span.begin, span.end - span.begin));
  // A new Start leaves the first text half read.
  splitter.Start(second);
  while (splitter.Next(&span)) words.push_back(second.substr(span.begin, span.end - span.begin));
  EXPECT_FALSE(splitter.Next(&span));  // and stays at the end
  EXPECT_EQ(words, (std::vector<std::string>{"Ciudades", "the", "network"}));
  EXPECT_EQ(Words(first), (std::vector<std::string>{"Ciudades", "creativas", "2004", "música"}));
}

TEST(WordSplitter, KeepsApostrophesInsideWords) {
  EXPECT_EQ(Words("UNESCO's network"), (std::vector<std::string>{"UNESCO's", "network"}));
}

}  // namespace
}  // namespace sarea
