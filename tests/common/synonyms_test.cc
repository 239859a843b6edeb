#include "common/synonyms.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace sarea {
namespace {

using Groups = std::vector<std::vector<std::string>>;

TEST(Synonyms, OneGroupPerLineCommentsAndBlanksIgnored) {
  const SynonymFile file = ParseSynonyms(
      "# comment\n"
      "\n"
      "film,  cinema ,cine\r\n"
      "   # indented comment\n"
      "crafts and folk art, artesanía  y artes populares\n"
      "Film, FILM, película");
  EXPECT_TRUE(file.errors.empty()) << file.errors.front();
  EXPECT_EQ(file.groups, (Groups{{"film", "cinema", "cine"},
                                 {"crafts and folk art", "artesanía y artes populares"},
                                 {"Film", "película"}}));
}

TEST(Synonyms, BadLinesAreReportedAndTheOthersKept) {
  const SynonymFile file = ParseSynonyms(
      "film, cine\n"
      "alone\n"
      "a, , b\n"
      "same, Same\n"
      "x, ¿?\n"
      "bad \xFF, byte\n"
      "music, música\n");
  EXPECT_EQ(file.groups, (Groups{{"film", "cine"}, {"music", "música"}}));
  EXPECT_EQ(file.errors, (std::vector<std::string>{
                             "line 2: a group needs at least two different entries",
                             "line 3: an empty entry",
                             "line 4: a group needs at least two different entries",
                             "line 5: entry '¿?' has no words",
                             "line 6: invalid UTF-8",
                         }));
}

TEST(Synonyms, TheShippedFileHasNoErrors) {
  std::ifstream in(SAREA_SOURCE_DIR "/corpus/synonyms.txt");
  std::stringstream bytes;
  bytes << in.rdbuf();
  const SynonymFile file = ParseSynonyms(bytes.str());
  EXPECT_TRUE(file.errors.empty()) << file.errors.front();
  EXPECT_EQ(file.groups.size(), 7u) << "the seven creative fields";
}

}  // namespace
}  // namespace sarea
