#include "common/text.h"

#include <gtest/gtest.h>
#include <unicode/brkiter.h>
#include <unicode/utext.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
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

// ICU's word break iterator over the whole text, the words as WordSplitter
// keeps them (rule status other than UBRK_WORD_NONE): the reference.
class IcuWords {
 public:
  IcuWords() {
    UErrorCode status = U_ZERO_ERROR;
    breaker_.reset(icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
  }
  std::vector<std::pair<std::size_t, std::size_t>> operator()(std::string_view text) {
    std::vector<std::pair<std::size_t, std::size_t>> words;
    UErrorCode status = U_ZERO_ERROR;
    UText* ut = utext_openUTF8(nullptr, text.data(), static_cast<int64_t>(text.size()), &status);
    breaker_->setText(ut, status);
    int32_t begin = breaker_->first();
    for (int32_t end = breaker_->next(); end != icu::BreakIterator::DONE;
         begin = end, end = breaker_->next()) {
      if (breaker_->getRuleStatus() != UBRK_WORD_NONE) words.emplace_back(begin, end);
    }
    breaker_->setText(icu::UnicodeString());
    utext_close(ut);
    return words;
  }

 private:
  std::unique_ptr<icu::BreakIterator> breaker_;
};

std::vector<std::pair<std::size_t, std::size_t>> Spans(WordSplitter& splitter,
                                                       std::string_view text) {
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  for (const WordSpan& w : splitter.Split(text)) spans.emplace_back(w.begin, w.end);
  return spans;
}

TEST(WordSplitter, SplitsWhereTheRulesJoinOrBreak) {
  EXPECT_EQ(Words("e.g. 3.14 1,000.50 l·l can’t a:b 1:2 a1.2 ab.1 dogs' 1;2 a;b"),
            (std::vector<std::string>{"e.g", "3.14", "1,000.50", "l·l", "can’t", "a", "b", "1", "2",
                                      "a1.2", "ab", "1", "dogs", "1;2", "a", "b"}));
  EXPECT_EQ(Words("_ __ a_ _1 x©y"),
            (std::vector<std::string>{"__", "a_", "_1", "x", "y"}));  // a lone "_" is no word
  EXPECT_EQ(Words("niño x\u0301y ́abc ไทยภาษา 中文 שָׁלוֹם"),
            (std::vector<std::string>{"niño", "x\u0301y", "abc", "ไทย", "ภาษา", "中文", "שָׁלוֹם"}));
}

// Every character WordSplitter may split by its own rules, alone and beside
// letters, digits, connectors and itself, is split as ICU splits it.
TEST(WordSplitter, SplitsEveryCharacterItKnowsAsIcuDoes) {
  WordSplitter splitter;
  IcuWords icu;
  int differ = 0;
  auto check = [&](UChar32 c) {
    std::string ch;
    icu::UnicodeString(c).toUTF8String(ch);
    for (const std::string& text :
         {ch, "a" + ch, ch + "a", "a" + ch + "a", "1" + ch, ch + "1", "1" + ch + "1", ch + ch,
          "_" + ch, ch + "_", "é" + ch + "é", " " + ch + " a", "a" + ch + ch + "a"}) {
      if (Spans(splitter, text) != icu(text) && ++differ <= 20) {
        ADD_FAILURE() << "U+" << std::hex << c << " in \"" << text << "\"";
      }
    }
  };
  for (UChar32 c = 0; c < 0x800; ++c) check(c);
  for (UChar32 c = 0x2000; c < 0x2080; ++c) check(c);
  EXPECT_EQ(differ, 0);
}

// The words of every text are ICU's: over the test data and the seed corpus,
// and over random strings of the characters where the rules differ (letters
// with and without accents, digits, the punctuation between them, connectors,
// spaces and newlines, combining marks, emoji, Hebrew, Thai, Han, invalid
// UTF-8), mostly split here, some by ICU.
TEST(WordSplitter, GivesIcusWords) {
  WordSplitter splitter;
  IcuWords icu;
  std::vector<std::string> texts;
  const std::filesystem::path root = SAREA_SOURCE_DIR;
  for (const auto& path : {root / "tests/data/parallel-en-es.tsv", root / "tests/data/langid.tsv",
                           root / "corpus/creative-cities-network.txt"}) {
    std::ifstream in(path);
    ASSERT_TRUE(in) << path;
    std::stringstream whole;
    whole << in.rdbuf();
    texts.push_back(whole.str());
  }
  ASSERT_GT(texts[0].size(), 1000u);
  const std::vector<std::string> alphabet = {
      "a",      "Z",      "q",      "é", "Ñ", "ß", "ª", "µ",  "ç",  "0",    "7",        "٣",
      ".",      ",",      ";",      ":", "'", "’", "‘", "\"", "“",  "·",    "_",        "‿",
      "-",      "/",      "@",      "×", "©", " ", " ", "\t", "\n", "\r",   "\u00a0",   "\u2003",
      "\u00ad", "\u0301", "\u200d", "😀", "🇪", "א", "ก", "中", "ア", "\xff", "\xe2\x80", "\xc3"};
  std::mt19937 random(29);
  for (int i = 0; i < 200000; ++i) {
    std::string text;
    const int length = 1 + static_cast<int>(random() % 12);
    for (int j = 0; j < length; ++j) text += alphabet[random() % alphabet.size()];
    texts.push_back(text);
  }
  int differ = 0;
  for (const std::string& text : texts) {
    const auto expected = icu(text);
    const auto got = Spans(splitter, text);
    if (got != expected && ++differ <= 10) {
      std::string shown;
      for (const auto& [b, e] : expected) shown += "[" + text.substr(b, e - b) + "]";
      shown += " vs ";
      for (const auto& [b, e] : got) shown += "[" + text.substr(b, e - b) + "]";
      ADD_FAILURE() << "\"" << (text.size() < 200 ? text : text.substr(0, 200))
                    << "\": ICU then WordSplitter: " << (text.size() < 200 ? shown : "");
    }
  }
  EXPECT_EQ(differ, 0);
}

}  // namespace
}  // namespace sarea
