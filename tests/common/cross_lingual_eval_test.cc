// Measures what translations=1 (QueryOptions::via_translation) does to
// retrieval, to decide whether it should be the default. The corpus is the
// 400 EN/ES pairs of Debian package descriptions (tests/data/parallel-en-es.tsv),
// each pair one document of two paired passages. Each query is two words of
// one passage, chosen deterministically among its moderately common words
// (in 2-30 passages), like what a person remembers of a text; the passage is
// the known item sought. Printed per query language:
// - filtered: the query's words in one language, results filtered to the
//   other (a reader of that language): success@10 of the source's twin;
// - unfiltered: mean reciprocal rank of the source itself, and the share of
//   the top 10 taken by twins of passages ranked above them.
#include <gtest/gtest.h>
#include <xapian.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "common/analyzer.h"
#include "common/passage.h"
#include "common/query_builder.h"
#include "common/schema.h"
#include "tests/common/scratch_index.h"

namespace sarea {
namespace {

struct Corpus {
  test_support::ScratchIndex index;
  Xapian::WritableDatabase& db = index.db();
  std::vector<Passage> passages;  // 2i: English of pair i, 2i+1: Spanish
};

void Load(Analyzer& analyzer, Corpus& corpus) {
  std::ifstream in(SAREA_SOURCE_DIR "/tests/data/parallel-en-es.tsv");
  int doc = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    for (std::size_t at = line.find("\\n"); at != std::string::npos; at = line.find("\\n", at))
      line.replace(at, 2, "\n");
    const std::size_t tab = line.find('\t');
    const std::string id = "pair" + std::to_string(doc++);
    Passage en{schema::PassageId(id, 0), id, id, "en", 0, line.substr(0, tab), "", "", ""};
    Passage es{schema::PassageId(id, 1), id, id, "es", 1, line.substr(tab + 1), "", "", ""};
    en.translation = es.id;
    es.translation = en.id;
    corpus.index.Add(en, analyzer, &es);
    corpus.index.Add(es, analyzer, &en);
    corpus.passages.push_back(std::move(en));
    corpus.passages.push_back(std::move(es));
  }
}

// Two words of `p` in 2-30 passages, the rarest first; "" if it has fewer.
std::string QueryFor(const Passage& p, Analyzer& analyzer, const Xapian::Database& db) {
  std::vector<std::pair<Xapian::doccount, std::string>> words;
  for (const Token& token : analyzer.Analyze(p.text, p.lang)) {
    if (token.stopword || token.word.size() < 4) continue;
    const Xapian::doccount df = db.get_termfreq(schema::KeyTerm(p.lang, token.keys[0]));
    if (df < 2 || df > 30) continue;
    if (std::none_of(words.begin(), words.end(), [&](auto& w) { return w.second == token.word; }))
      words.emplace_back(df, token.word);
  }
  if (words.size() < 2) return "";
  std::sort(words.begin(), words.end());
  return words[0].second + " " + words[1].second;
}

// The ids of the top 10 passages.
std::vector<std::string> Top10(QueryBuilder& builder, const Xapian::Database& db,
                               const std::string& q, const QueryOptions& options) {
  Result<BuiltQuery> built = builder.Build(q, {db}, options);
  EXPECT_TRUE(built.ok()) << q;
  std::vector<std::string> ids;
  if (!built.ok()) return ids;
  Xapian::Enquire enquire(db);
  enquire.set_query(built->query);
  enquire.set_weighting_scheme(schema::Weighting());
  for (const Xapian::Document& d : [&] {
         std::vector<Xapian::Document> docs;
         const Xapian::MSet mset = enquire.get_mset(0, 10);
         for (auto it = mset.begin(); it != mset.end(); ++it) docs.push_back(it.get_document());
         return docs;
       }()) {
    ids.push_back(FromXapianDocument(d)->id);
  }
  return ids;
}

TEST(CrossLingualEval, TranslationsOnAndOff) {
  Analyzer analyzer;
  Corpus corpus;
  Load(analyzer, corpus);
  QueryBuilder builder(analyzer);
  std::map<std::string, std::string> twin;
  for (const Passage& p : corpus.passages) twin[p.id] = p.translation;

  for (const char* lang : {"en", "es"}) {
    const std::string other = std::string(lang) == "en" ? "es" : "en";
    int queries = 0, filtered_hits[2] = {0, 0};
    double mrr[2] = {0, 0}, same_mrr[2] = {0, 0}, duplicate_share[2] = {0, 0};
    for (const Passage& p : corpus.passages) {
      if (p.lang != lang) continue;
      const std::string q = QueryFor(p, analyzer, corpus.db);
      if (q.empty()) continue;
      ++queries;
      for (int on = 0; on < 2; ++on) {
        const std::vector<std::string> filtered =
            Top10(builder, corpus.db, q, QueryOptions{{other}, on == 1});
        filtered_hits[on] += std::count(filtered.begin(), filtered.end(), p.translation) > 0;
        const std::vector<std::string> same =
            Top10(builder, corpus.db, q, QueryOptions{{lang}, on == 1});
        const auto in_same = std::find(same.begin(), same.end(), p.id);
        if (in_same != same.end()) same_mrr[on] += 1.0 / (1 + (in_same - same.begin()));
        const std::vector<std::string> all =
            Top10(builder, corpus.db, q, QueryOptions{{}, on == 1});
        const auto at = std::find(all.begin(), all.end(), p.id);
        if (at != all.end()) mrr[on] += 1.0 / (1 + (at - all.begin()));
        int duplicates = 0;
        for (std::size_t i = 0; i < all.size(); ++i) {
          duplicates += std::find(all.begin(), all.begin() + i, twin[all[i]]) != all.begin() + i;
        }
        if (!all.empty()) duplicate_share[on] += static_cast<double>(duplicates) / all.size();
      }
    }
    ASSERT_GT(queries, 300) << lang;
    std::printf(
        "%s queries (%d), translations off -> on:\n"
        "  filtered to %s: twin in top 10 %.3f -> %.3f\n"
        "  filtered to %s: MRR of the source %.3f -> %.3f\n"
        "  unfiltered: MRR of the source %.3f -> %.3f, top-10 share of twins of higher hits "
        "%.3f -> %.3f\n",
        lang, queries, other.c_str(), filtered_hits[0] / double(queries),
        filtered_hits[1] / double(queries), lang, same_mrr[0] / queries, same_mrr[1] / queries,
        mrr[0] / queries, mrr[1] / queries, duplicate_share[0] / queries,
        duplicate_share[1] / queries);
    // What the default rests on (README, "translations"): with a language
    // filter, the twin is found far more often and direct matches keep their
    // rank; without one, translations would fill the page with twins.
    EXPECT_GT(filtered_hits[1], filtered_hits[0] + queries * 0.3);
    EXPECT_GT(same_mrr[1], same_mrr[0] * 0.98);
    EXPECT_GT(duplicate_share[1], duplicate_share[0] + 0.1);
  }
}

}  // namespace
}  // namespace sarea
