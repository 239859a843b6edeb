// Tests of sarea-serve's search (GET /api/search): ranking, the query syntax,
// language filters and facets, paging, snippets, and the seed corpus. The
// suite's server and corpus are set up by ServerTest (server_fixture.h).
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/server/server_fixture.h"

namespace sarea::server_test {
namespace {

using nlohmann::json;

// ----------------------------------------------------------- JSON helpers

// The response without what varies between runs: took_ms and each hit's
// score are checked (numbers, >= 0) and removed; "relaxed" is dropped when
// false; zero facet counts are dropped (whether they are listed is not
// specified).
json Stable(json response) {
  if (!response.is_object()) return response;
  EXPECT_TRUE(response["took_ms"].is_number()) << response.dump();
  EXPECT_GE(response.value("took_ms", -1.0), 0.0);
  response.erase("took_ms");
  if (response.contains("relaxed") && response["relaxed"] == false) response.erase("relaxed");
  for (json& hit : response["hits"]) {
    EXPECT_TRUE(hit["score"].is_number()) << hit.dump();
    EXPECT_GE(hit.value("score", -1.0), 0.0);
    hit.erase("score");
  }
  if (response["facets"]["lang"].is_object()) {
    json nonzero = json::object();
    for (const auto& [lang, count] : response["facets"]["lang"].items()) {
      if (count != 0) nonzero[lang] = count;
    }
    response["facets"]["lang"] = nonzero;
  }
  return response;
}

json Hit(const std::string& id, const std::string& doc, const std::string& title,
         const std::string& lang, int rank, const std::string& snippet) {
  return {{"id", id},     {"doc", doc},         {"title", title},        {"lang", lang},
          {"rank", rank}, {"snippet", snippet}, {"translation", nullptr}};
}

struct Expected {
  std::string query;
  int total = 0;
  json hits = json::array();
  json facets = json::object();
  int page = 1;
  int size = 10;
};

json Response(const Expected& e) {
  return {{"query", e.query},
          {"total", e.total},
          {"total_exact", true},
          {"page", e.page},
          {"size", e.size},
          {"hits", e.hits},
          {"facets", {{"lang", e.facets}}},
          {"did_you_mean", nullptr},
          {"partial", false}};
}

// A snippet with its <mark> tags removed.
std::string Unmark(std::string snippet) {
  for (const std::string& tag : {std::string("<mark>"), std::string("</mark>")}) {
    for (std::size_t at; (at = snippet.find(tag)) != std::string::npos;)
      snippet.erase(at, tag.size());
  }
  return snippet;
}

int CodePoints(const std::string& s) {
  int n = 0;
  for (const unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// ---------------------------------------------------------------- ranking

TEST_F(ServerTest, RepeatedWordRanksFirstInEitherLanguage) {
  const json en = SearchOk({{"q", "lighthouse"}});
  EXPECT_EQ(Stable(en),
            Response({"lighthouse",
                      2,
                      {Hit(Pid("en/lighthouse.txt", 0), "en/lighthouse.txt", "Lighthouse", "en", 1,
                           "The <mark>lighthouse</mark> keeper watched the <mark>lighthouse</mark> "
                           "every night, and the <mark>lighthouse</mark> light guided the boats "
                           "home."),
                       Hit(Pid("en/lighthouse.txt", 1), "en/lighthouse.txt", "Lighthouse", "en", 2,
                           "The old harbour has a small museum, a bakery and a "
                           "<mark>lighthouse</mark> near the fishing boats.")},
                      {{"en", 2}}}));
  ASSERT_EQ(en["hits"].size(), 2u);
  EXPECT_GT(en["hits"][0].value("score", 0.0), en["hits"][1].value("score", 0.0));

  const json es = SearchOk({{"q", "faro"}});
  EXPECT_EQ(Stable(es), Response({"faro",
                                  2,
                                  {Hit(Pid("es/faro.txt", 0), "es/faro.txt", "Faro", "es", 1,
                                       "El <mark>faro</mark> del puerto ilumina la costa, y el "
                                       "<mark>faro</mark> antiguo guía a los barcos hasta el "
                                       "<mark>faro</mark> nuevo."),
                                   Hit(Pid("es/faro.txt", 1), "es/faro.txt", "Faro", "es", 2,
                                       "El pueblo tiene un museo pequeño, una panadería y un "
                                       "<mark>faro</mark> junto a los barcos de pesca.")},
                                  {{"es", 2}}}));
  ASSERT_EQ(es["hits"].size(), 2u);
  EXPECT_GT(es["hits"][0].value("score", 0.0), es["hits"][1].value("score", 0.0));
}

// ------------------------------------------------------------ query syntax

TEST_F(ServerTest, QuerySyntaxSelectsExactlyTheMatchingPassages) {
  const std::string light0 = Pid("en/lighthouse.txt", 0), light1 = Pid("en/lighthouse.txt", 1);
  const std::string plans0 = Pid("en/plans.txt", 0), notes0 = Pid("en/notes.txt", 0);
  const std::string faro0 = Pid("es/faro.txt", 0), faro1 = Pid("es/faro.txt", 1);
  const struct {
    Params params;
    std::set<std::string> ids;
  } kCases[] = {
      {{{"q", "harbour"}}, {light1, plans0, notes0}},
      {{{"q", "harbour -bakery"}}, {plans0, notes0}},
      {{{"q", "harbour NOT bakery"}}, {plans0, notes0}},
      {{{"q", "+bakery harbour"}}, {light1}},
      {{{"q", "museum AND bakery"}}, {light1}},
      {{{"q", "bakery OR alert"}}, {light1, notes0}},
      {{{"q", "lightho*"}}, {light0, light1}},
      {{{"q", "\"sustainable development\""}}, {plans0, Seed(3), Seed(5)}},
      {{{"q", "harbour doc:en/plans.txt"}}, {plans0}},
      {{{"q", "harbour"}, {"doc", "en/plans.txt"}}, {plans0}},
      {{{"q", "lighthouse faro"}}, {light0, light1, faro0, faro1}},
      {{{"q", "lighthouse faro"}, {"lang", "es"}}, {faro0, faro1}},
      {{{"q", "lighthouse faro lang:en"}}, {light0, light1}},
      {{{"q", "bilbao"}}, {Seed(4), Seed(8)}},
      {{{"q", "bilbao"}, {"lang", "es"}}, {Seed(8)}},
      {{{"q", "bilbao lang:en"}}, {Seed(4)}},
      {{{"q", "panaderia"}}, {faro1}},             // accents folded
      {{{"q", "lighthouses"}}, {light0, light1}},  // stemmed
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(SearchTarget(c.params));
    const json response = SearchOk(c.params);
    EXPECT_EQ(HitIds(response), c.ids) << response.dump(1);
    EXPECT_EQ(response["total"], c.ids.size());
    EXPECT_EQ(response["total_exact"], true);
  }
}

TEST_F(ServerTest, LanguageFilterAndFacets) {
  const json both = SearchOk({{"q", "museum museo"}});
  EXPECT_EQ(both["total"], 4);
  EXPECT_EQ(Stable(both)["facets"], json({{"lang", {{"en", 3}, {"es", 1}}}}));
  // Facets count the whole match set, not the page.
  const json one = SearchOk({{"q", "museum museo"}, {"size", "1"}});
  EXPECT_EQ(one["hits"].size(), 1u);
  EXPECT_EQ(Stable(one)["facets"], json({{"lang", {{"en", 3}, {"es", 1}}}}));

  for (const std::string& lang : std::vector<std::string>{"en", "es"}) {
    for (const Params& params : {Params{{"q", "museum museo"}, {"lang", lang}},
                                 Params{{"q", "museum museo lang:" + lang}}}) {
      SCOPED_TRACE(SearchTarget(params));
      const json response = SearchOk(params);
      EXPECT_EQ(response["total"], lang == "en" ? 3 : 1);
      for (const json& hit : response["hits"]) EXPECT_EQ(hit["lang"], lang);
    }
  }
}

TEST_F(ServerTest, PagesAreConsecutiveSlicesOfOneRanking) {
  std::vector<std::string> paged;
  for (int page = 1; page <= 4; ++page) {
    SCOPED_TRACE("page " + std::to_string(page));
    const json response = SearchOk({{"q", "lantern"}, {"page", std::to_string(page)}});
    EXPECT_EQ(response["total"], kLanterns);
    EXPECT_EQ(response["total_exact"], true);
    EXPECT_EQ(response["page"], page);
    EXPECT_EQ(response["size"], 10);
    EXPECT_EQ(Stable(response)["facets"], json({{"lang", {{"en", kLanterns}}}}));
    const std::size_t expected_hits = page <= 2 ? 10 : page == 3 ? 5 : 0;
    ASSERT_EQ(response["hits"].size(), expected_hits);
    for (std::size_t i = 0; i < expected_hits; ++i) {
      EXPECT_EQ(response["hits"][i]["rank"], (page - 1) * 10 + static_cast<int>(i) + 1);
      paged.push_back(response["hits"][i].value("id", ""));
    }
  }
  std::set<std::string> all;
  for (int i = 0; i < kLanterns; ++i) all.insert(Pid(LanternId(i), 0));
  EXPECT_EQ(std::set<std::string>(paged.begin(), paged.end()), all) << "no repeats, none missing";

  const json whole = SearchOk({{"q", "lantern"}, {"size", "100"}});
  EXPECT_EQ(whole["size"], 100);
  std::vector<std::string> at_once;
  for (const json& hit : whole["hits"]) at_once.push_back(hit.value("id", ""));
  EXPECT_EQ(at_once, paged);
}

// --------------------------------------------------------------- snippets

TEST_F(ServerTest, SnippetsMarkStemmedAndFoldedMatches) {
  const struct {
    Params params;
    std::string first_id;
    std::string marked;
  } kCases[] = {
      {{{"q", "cities"}, {"lang", "en"}}, "", "<mark>Cities</mark>"},
      {{{"q", "ciudad"}}, "", "<mark>Ciudades</mark>"},
      {{{"q", "creacion"}, {"lang", "es"}}, Seed(7), "<mark>creación</mark>"},
      {{{"q", "lighthouses"}, {"lang", "en"}},
       Pid("en/lighthouse.txt", 0),
       "<mark>lighthouse</mark>"},
      {{{"q", "panaderia"}}, Pid("es/faro.txt", 1), "una <mark>panadería</mark> y"},
      {{{"q", "\"sustainable development\""}},
       "",
       "<mark>sustainable</mark> <mark>development</mark>"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(SearchTarget(c.params));
    const json response = SearchOk(c.params);
    ASSERT_FALSE(response.value("hits", json::array()).empty()) << response.dump();
    const json& first = response["hits"][0];
    if (!c.first_id.empty()) {
      EXPECT_EQ(first["id"], c.first_id);
    }
    EXPECT_TRUE(Contains(first.value("snippet", ""), c.marked)) << first.dump();
    for (const json& hit : response["hits"]) {
      const std::string text = Unmark(hit.value("snippet", ""));
      EXPECT_EQ(text.find_first_of("<>"), std::string::npos) << "unescaped: " << hit.dump();
    }
  }
}

TEST_F(ServerTest, SnippetsEscapeHtml) {
  const json response = SearchOk({{"q", "alert"}});
  ASSERT_EQ(HitIds(response), std::set<std::string>{Pid("en/notes.txt", 0)}) << response.dump();
  const std::string snippet = response["hits"][0].value("snippet", "");
  EXPECT_TRUE(Contains(snippet, "&lt;script&gt;<mark>alert</mark>(1)&lt;")) << snippet;
  EXPECT_TRUE(Contains(snippet, "fish &amp; chips")) << snippet;
  EXPECT_EQ(Unmark(snippet).find_first_of("<>"), std::string::npos) << snippet;
  // The passage endpoint is JSON, not HTML: the text comes back as written.
  EXPECT_TRUE(
      Contains(PassageOk(Pid("en/notes.txt", 0)).value("text", ""), "<script>alert(1)</script>"));
}

TEST_F(ServerTest, SnippetWindowOfALongPassage) {
  const std::string text = kLongText;
  const struct {
    std::string q;
    int snippet_len;  // 0: default (200)
    std::string marked;
    bool cut_before, cut_after;
  } kCases[] = {
      {"kaleidoscope", 60, "kaleidoscope", true, true},
      {"kaleidoscope", 0, "kaleidoscope", true, true},
      {"kaleidoscope", 20, "kaleidoscope", true, true},
      {"zeppelin", 60, "Zeppelin", false, true},  // the first word of the passage
      {"kaleidoscope", 2000, "kaleidoscope", false, false},
  };
  for (const auto& c : kCases) {
    Params params = {{"q", c.q}};
    if (c.snippet_len > 0) params.push_back({"snippet_len", std::to_string(c.snippet_len)});
    SCOPED_TRACE(SearchTarget(params));
    const json response = SearchOk(params);
    ASSERT_EQ(HitIds(response), std::set<std::string>{Pid("en/long.txt", 0)}) << response.dump();
    const std::string snippet = response["hits"][0].value("snippet", "");
    EXPECT_TRUE(Contains(snippet, "<mark>" + c.marked + "</mark>")) << snippet;
    std::string window = Unmark(snippet);
    const std::string ellipsis = "…";
    EXPECT_EQ(window.rfind(ellipsis, 0) == 0, c.cut_before) << snippet;
    if (window.rfind(ellipsis, 0) == 0) window.erase(0, ellipsis.size());
    const bool ends_cut =
        window.size() >= ellipsis.size() &&
        window.compare(window.size() - ellipsis.size(), ellipsis.size(), ellipsis) == 0;
    EXPECT_EQ(ends_cut, c.cut_after) << snippet;
    if (ends_cut) window.erase(window.size() - ellipsis.size());
    EXPECT_TRUE(Contains(text, window)) << "not a window of the passage: " << window;
    if (c.cut_before || c.cut_after) {
      const int len = c.snippet_len > 0 ? c.snippet_len : 200;
      EXPECT_GE(CodePoints(window), len / 2) << window;
      EXPECT_LE(CodePoints(window), len * 3 / 2 + 2) << window;
    } else {
      EXPECT_EQ(window, text);
    }
  }
}

// ------------------------------------------------------------- seed corpus

TEST_F(ServerTest, SeedCorpus) {
  const json cities = SearchOk({{"q", "ciudad creativa"}});
  ASSERT_GE(cities["hits"].size(), 2u) << cities.dump();
  std::set<std::string> first_two;
  for (int i = 0; i < 2; ++i) {
    const json& hit = cities["hits"][i];
    first_two.insert(hit.value("id", ""));
    EXPECT_EQ(hit["lang"], "es");
    EXPECT_TRUE(Contains(hit.value("snippet", ""), "<mark>Ciudades</mark> <mark>Creativas</mark>"))
        << hit.dump();
    EXPECT_TRUE(Contains(PassageOk(hit.value("id", "")).value("text", ""), "Ciudades Creativas"));
  }
  EXPECT_EQ(first_two, (std::set<std::string>{Seed(1), Seed(9)}));

  const json creation = SearchOk({{"q", "creacion"}, {"lang", "es"}});
  ASSERT_FALSE(creation["hits"].empty());
  EXPECT_TRUE(Contains(creation["hits"][0].value("snippet", ""), "<mark>creación</mark>"))
      << creation.dump();

  const json phrase = SearchOk({{"q", "\"sustainable development\""}});
  ASSERT_FALSE(phrase["hits"].empty());
  for (const json& hit : phrase["hits"]) {
    const json passage = PassageOk(hit.value("id", ""));
    EXPECT_TRUE(Contains(passage.value("text", ""), "sustainable development")) << passage.dump();
    EXPECT_EQ(passage["doc"], hit["doc"]);
    EXPECT_EQ(passage["lang"], hit["lang"]);
    EXPECT_EQ(passage["title"], hit["title"]);
  }
}

// The seed's passages are paired with their translations: en 0-es 1, then en 2..5
// with es 6..9; the creative areas are en 4 and es 8.
TEST_F(ServerTest, HitsAndPassagesCarryTheirTranslation) {
  const json passage = PassageOk(Seed(4));
  EXPECT_EQ(passage["translation"]["id"], Seed(8));
  EXPECT_EQ(passage["translation"]["lang"], "es");
  EXPECT_TRUE(Contains(passage["translation"].value("text", ""), "gastronomía")) << passage.dump();

  const json found = SearchOk({{"q", "Euskal"}});
  ASSERT_FALSE(found["hits"].empty()) << found.dump();
  const json& hit = found["hits"][0];
  EXPECT_EQ(hit["id"], Seed(8));
  EXPECT_EQ(hit["translation"]["id"], Seed(4));
  EXPECT_EQ(hit["translation"]["lang"], "en");
  // No query word occurs in the twin: its snippet is its opening.
  EXPECT_EQ(
      hit["translation"].value("snippet", "").rfind("The network covers seven creative areas", 0),
      0u)
      << hit.dump();
  EXPECT_FALSE(hit.contains("via"));

  const json lighthouse = SearchOk({{"q", "lighthouse"}});
  EXPECT_TRUE(lighthouse["hits"][0]["translation"].is_null()) << "an unpaired passage";
}

// "Basque" is only in the English passage on the creative areas (the Spanish
// one says "País Vasco"), and in no synonym group.
TEST_F(ServerTest, TranslationsFindPassagesThroughTheirTwin) {
  EXPECT_TRUE(SearchOk({{"q", "basque"}, {"lang", "es"}, {"translations", "0"}})["hits"].empty());
  // A language filter turns translations on unless told otherwise.
  const json by_default = SearchOk({{"q", "basque"}, {"lang", "es"}});
  ASSERT_EQ(by_default["hits"].size(), 1u) << by_default.dump();
  EXPECT_EQ(by_default["hits"][0]["via"], "translation");
  const json crossed = SearchOk({{"q", "basque"}, {"lang", "es"}, {"translations", "1"}});
  ASSERT_EQ(crossed["hits"].size(), 1u) << crossed.dump();
  EXPECT_EQ(crossed["hits"][0]["id"], Seed(8));
  EXPECT_EQ(crossed["hits"][0]["via"], "translation");
  EXPECT_TRUE(
      Contains(crossed["hits"][0]["translation"].value("snippet", ""), "<mark>Basque</mark>"))
      << crossed.dump();
  // Without a filter translations are off unless asked for: no twin is listed.
  EXPECT_EQ(SearchOk({{"q", "basque"}})["hits"].size(), 1u);
  // Both languages: the direct match ranks above its twin found through it.
  const json both = SearchOk({{"q", "basque"}, {"translations", "1"}});
  ASSERT_EQ(both["hits"].size(), 2u) << both.dump();
  EXPECT_EQ(both["hits"][0]["id"], Seed(4));
  EXPECT_FALSE(both["hits"][0].contains("via"));
  EXPECT_EQ(both["hits"][1]["id"], Seed(8));
  EXPECT_GT(both["hits"][0].value("score", 0.0), both["hits"][1].value("score", 0.0));
}

TEST_F(ServerTest, GroupPairReturnsAPassageAndItsTwinOnce) {
  const json grouped =
      SearchOk({{"q", "creative creativa cities ciudades"}, {"group", "pair"}, {"size", "50"}});
  std::set<std::string> ids;
  for (const json& hit : grouped["hits"]) ids.insert(hit.value("id", ""));
  for (const json& hit : grouped["hits"]) {
    if (hit["translation"].is_object()) {
      EXPECT_EQ(ids.count(hit["translation"].value("id", "")), 0u)
          << "twin also listed: " << hit.dump();
    }
  }
  EXPECT_TRUE(ids.count(Seed(0)) + ids.count(Seed(1)) == 1) << grouped.dump();
  // The total counts hits, a pair once, and exactly: every match was seen.
  // (Xapian alone estimates the groups from its terms' frequencies whenever
  // a page does not hold them all.)
  for (const char* q : {"creative creativa cities ciudades", "creative cities", "ciudades red"}) {
    const json all = SearchOk({{"q", q}, {"group", "pair"}, {"size", "50"}});
    ASSERT_GT(all["hits"].size(), 2u) << q;
    for (const char* page : {"1", "2"}) {
      const json some = SearchOk({{"q", q}, {"group", "pair"}, {"size", "1"}, {"page", page}});
      EXPECT_TRUE(some.value("total_exact", false)) << some.dump();
      EXPECT_EQ(some.value("total", 0u), all["hits"].size()) << some.dump();
    }
  }
  const Reply bad = Get(port(), "/api/search?q=x&group=doc");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(Get(port(), "/api/search?q=x&translations=2").status, 400);
}

}  // namespace
}  // namespace sarea::server_test
