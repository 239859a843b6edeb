// Tests of what sarea-serve offers a search box: /api/suggest completions,
// "did you mean" in /api/search, and the shipped synonyms. The suite's server
// and corpus (the seed, a few crafted files and corpus/synonyms.txt) are set
// up by ServerTest (server_fixture.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/text.h"
#include "tests/server/server_fixture.h"

namespace sarea::server_test {
namespace {

using nlohmann::json;

// /api/suggest?q=typed plus `extra` (already encoded), which must answer 200.
json SuggestOk(int port, const std::string& typed, const std::string& extra = "") {
  const Reply reply = Get(port, "/api/suggest?q=" + Encode(typed) + extra);
  EXPECT_EQ(reply.status, 200) << reply.body;
  json body = reply.Json();
  EXPECT_EQ(body["query"], typed);
  return body.is_object() ? body : json::object();
}

// The suggested texts, in order, each "text@lang".
std::vector<std::string> Texts(const json& body) {
  std::vector<std::string> out;
  for (const json& s : body.value("suggestions", json::array()))
    out.push_back(s.value("text", "") + "@" + s.value("lang", ""));
  return out;
}

bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST_F(ServerTest, SuggestCompletesTheLastWordFromBothLanguages) {
  const std::vector<std::string> crea = Texts(SuggestOk(port(), "crea"));
  EXPECT_EQ(crea.size(), 8u);
  for (const char* s : {"creatividad@es", "creativas@es", "creativity@en", "creative@en"}) {
    EXPECT_TRUE(Has(crea, s)) << s << " not in " << json(crea).dump();
  }
  for (const std::string& s : crea) EXPECT_EQ(s.rfind("crea", 0), 0u) << s;
  // Most passages first: "creatividad" is in 5 Spanish passages, "created" in 1.
  EXPECT_EQ(crea.front(), "creatividad@es");
}

TEST_F(ServerTest, SuggestRestoresAccentsAndCompletesPhrases) {
  EXPECT_EQ(Texts(SuggestOk(port(), "gastronomia")), std::vector<std::string>{"gastronomía@es"});
  EXPECT_EQ(Texts(SuggestOk(port(), "Ciudades crea")),
            std::vector<std::string>{"Ciudades creativas@es"})
      << "only words that follow the previous one, which stays as typed";
  EXPECT_TRUE(Has(Texts(SuggestOk(port(), "ciudades ")), "ciudades creativas@es"));
  EXPECT_TRUE(Texts(SuggestOk(port(), "ciudades zq")).empty());
  // Stopwords are not offered for a prefix, only when typed in full.
  for (const std::string& s : Texts(SuggestOk(port(), "d"))) {
    EXPECT_NE(s, "de@es");
    EXPECT_NE(s, "del@es");
  }
}

TEST_F(ServerTest, SuggestLanguageSizeAndErrors) {
  const std::vector<std::string> en = Texts(SuggestOk(port(), "crea", "&lang=en"));
  ASSERT_FALSE(en.empty());
  for (const std::string& s : en) EXPECT_EQ(s.substr(s.size() - 3), "@en") << s;
  EXPECT_EQ(Texts(SuggestOk(port(), "crea", "&size=2")).size(), 2u);
  EXPECT_TRUE(Texts(SuggestOk(port(), "")).empty()) << "an empty box is no error";
  EXPECT_TRUE(Texts(SuggestOk(port(), "¿¡")).empty());
  for (const char* target : {"/api/suggest", "/api/suggest?q=a&size=0", "/api/suggest?q=a&size=21",
                             "/api/suggest?q=a&lang=xx", "/api/suggest?q=%FF"}) {
    const Reply reply = Get(port(), target);
    EXPECT_EQ(reply.status, 400) << target;
    EXPECT_EQ(reply.Json()["error"]["code"], "invalid_argument") << target << reply.body;
  }
}

TEST_F(ServerTest, DidYouMeanCorrectsWordsNoLanguageHas) {
  const struct {
    const char* q;
    const char* lang;
    const char* expected;  // nullptr: no suggestion
  } kCases[] = {
      {"cinma", "", "cinema"},            // English, one edit
      {"cinma", "es", "cine"},            // a Spanish reader gets a Spanish word
      {"creatividd", "", "creatividad"},  // the closest of the two languages
      {"creatividd", "en", "creativity"},
      {"\"sustainable developmnt\"", "", "\"sustainable development\""},
      {"creativo sostenibel", "", "creativo sostenible"},  // "creativo" matches: kept
      {"musika", "", "música"},            // accents cost nothing: one edit from "musica"
      {"desgin", "", "design"},            // two neighbours swapped: one edit
      {"xinema", "", nullptr},             // the first letter is taken as typed
      {"cinema", "", nullptr},             // known
      {"gastronomia", "", nullptr},        // known without its accent
      {"lighthouse -zqxwv", "", nullptr},  // nothing close
      {"cinma creatvity developmnt netwrk", "", "cinema creativity development network"},
      // More unknown words than kMaxCorrectedWords: none (each costs a scan).
      {"cinma creatvity developmnt netwrk citiess", "", nullptr},
  };
  for (const auto& c : kCases) {
    Params params = {{"q", c.q}};
    if (*c.lang) params.push_back({"lang", c.lang});
    const json found = SearchOk(params);
    if (c.expected == nullptr) {
      EXPECT_TRUE(found["did_you_mean"].is_null()) << c.q << ": " << found.dump();
    } else {
      EXPECT_EQ(found["did_you_mean"], c.expected) << c.q << " lang=" << c.lang;
    }
  }
}

TEST_F(ServerTest, GastronomyWithOrWithoutAccentFindsBothCreativeAreaPassages) {
  for (const char* q : {"gastronomia", "gastronomía", "gastronomy", "GASTRONOMIA"}) {
    EXPECT_EQ(HitIds(SearchOk({{"q", q}})), (std::set<std::string>{Seed(4), Seed(8)})) << q;
  }
}

TEST_F(ServerTest, ShippedSynonymsFindCinemaAndCineForFilm) {
  const json film = SearchOk({{"q", "film"}});
  EXPECT_EQ(HitIds(film), (std::set<std::string>{Seed(4), Seed(8)})) << film.dump();
  for (const json& hit : film["hits"]) {
    const std::string snippet = hit.value("snippet", "");
    EXPECT_TRUE(
        Contains(snippet, hit["lang"] == "en" ? "<mark>cinema</mark>" : "<mark>cine</mark>"))
        << snippet;
  }
  // Phrases too, across languages: the network's name for the field finds
  // the corpus's English and Spanish names.
  const json crafts = SearchOk({{"q", "\"crafts and folk art\""}});
  EXPECT_EQ(HitIds(crafts), (std::set<std::string>{Seed(4), Seed(8)})) << crafts.dump();
  EXPECT_TRUE(SearchOk({{"q", "\"folk art\""}})["hits"].empty()) << "only whole entries";
}

}  // namespace
}  // namespace sarea::server_test
