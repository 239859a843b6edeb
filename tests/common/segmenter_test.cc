#include "common/segmenter.h"

#include <gtest/gtest.h>

namespace sarea {
namespace {

Block P(const char* text, const char* lang = "") { return {BlockKind::kParagraph, text, lang, 0}; }
Block L(const char* text) { return {BlockKind::kListItem, text, "", 0}; }
Block H(const char* text) { return {BlockKind::kHeading, text, "", 1}; }

SourceDocument Doc(std::vector<Block> blocks, const char* lang = "") {
  SourceDocument doc;
  doc.id = "d";
  doc.title = "t";
  doc.lang = lang;
  doc.blocks = std::move(blocks);
  return doc;
}

TEST(Segmenter, ListItemsJoinTheirLeadIn) {
  SourceDocument doc = Doc({P("Intro."), P("They act to:"), L("one;"), L("two."), P("After.")});
  const auto s = SegmentDocument(doc);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[1].text, "They act to:\n- one;\n- two.");
  EXPECT_EQ(s[2].text, "After.");
  EXPECT_EQ(s[2].position, 2);
}

TEST(Segmenter, ListWithoutLeadInIsItsOwnPassage) {
  SourceDocument doc = Doc({H("Goals"), L("one"), L("two"), H("Next"), P("Text.")});
  const auto s = SegmentDocument(doc);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].text, "- one\n- two");
  EXPECT_EQ(s[0].section, "Goals");
  EXPECT_EQ(s[1].section, "Next");
}

TEST(Segmenter, HeadingBreaksTheLeadIn) {
  SourceDocument doc = Doc({P("Lead:"), H("Section"), L("item")});
  const auto s = SegmentDocument(doc);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].text, "Lead:");
  EXPECT_EQ(s[1].text, "- item");
}

TEST(Segmenter, LanguageFromBlockElseDocument) {
  SourceDocument doc = Doc({P("Hola.", ""), P("Hello.", "en")}, "es");
  const auto s = SegmentDocument(doc);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].lang, "es");
  EXPECT_EQ(s[1].lang, "en");
}

TEST(Segmenter, EmptyDocumentHasNoPassages) {
  EXPECT_TRUE(SegmentDocument(SourceDocument{}).empty());
  SourceDocument only_heading = Doc({H("Title")});
  EXPECT_TRUE(SegmentDocument(only_heading).empty());
}

}  // namespace
}  // namespace sarea
