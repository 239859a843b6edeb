#include "common/aligner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include "common/language_identifier.h"
#include "common/readers.h"
#include "common/segmenter.h"

namespace sarea {
namespace {

// The partner of each passage, as indexes (-1: none).
std::vector<int> Partners(const std::vector<AlignInput>& passages) {
  return AlignTranslations(passages).partner;
}

TEST(Aligner, SeedPairsAsItsTranslationsGo) {
  std::ifstream in(SAREA_SOURCE_DIR "/corpus/creative-cities-network.txt");
  std::stringstream bytes;
  bytes << in.rdbuf();
  Result<ReadResult> read = ReadFile("creative-cities-network.txt", bytes.str());
  ASSERT_TRUE(read.ok());
  std::vector<AlignInput> passages;
  std::vector<std::string> texts;
  for (const Segment& s : SegmentDocument(read->documents.at(0))) texts.push_back(s.text);
  LanguageIdentifier identifier;
  const std::vector<std::string> langs = identifier.IdentifyPassages(texts, {});
  for (std::size_t i = 0; i < texts.size(); ++i) passages.push_back({langs[i], texts[i]});
  // en0 es1, then en2..en5 before es6..es9.
  EXPECT_EQ(Partners(passages), (std::vector<int>{1, 0, 6, 7, 8, 9, 2, 3, 4, 5}));
}

TEST(Aligner, OneLanguageOrNothingHasNoPairs) {
  EXPECT_TRUE(Partners({}).empty());
  EXPECT_EQ(Partners({{"en", "Music and cinema."}, {"en", "Design."}}), (std::vector<int>{-1, -1}));
  EXPECT_EQ(Partners({{"und", "2004"}, {"en", "In 2004."}}), (std::vector<int>{-1, -1}));
}

// Parallel paragraphs of Debian package descriptions (see the file's first line).
std::vector<std::pair<std::string, std::string>> LoadPairs() {
  std::ifstream in(SAREA_SOURCE_DIR "/tests/data/parallel-en-es.tsv");
  std::vector<std::pair<std::string, std::string>> pairs;
  auto unescape = [](std::string s) {
    for (std::size_t at = s.find("\\n"); at != std::string::npos; at = s.find("\\n", at))
      s.replace(at, 2, "\n");
    return s;
  };
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const std::size_t tab = line.find('\t');
    pairs.emplace_back(unescape(line.substr(0, tab)), unescape(line.substr(tab + 1)));
  }
  return pairs;
}

// French paragraphs, as passages in a third language.
std::vector<std::string> LoadFrench() {
  std::ifstream in(SAREA_SOURCE_DIR "/tests/data/langid.tsv");
  std::vector<std::string> texts;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("fr\tlong\t", 0) == 0) texts.push_back(line.substr(8));
  }
  return texts;
}

struct Doc {
  std::vector<AlignInput> passages;
  std::vector<int> gold;
};

enum class Layout {
  kAlternate,
  kOneThenOther,
  kSpanishFirst,
  kBlocks,
  kMissing,
  kThirdLanguage,
  kAlike,  // one language then the other, paragraphs of about one length, some missing
  // Nothing translates anything: English and Spanish paragraphs of different
  // descriptions, alternating, or the English ones a few leftovers among the
  // Spanish (as untranslated paragraphs in a translated page).
  kUnrelated,
  kLeftovers,
};

// A document of `k` translation pairs laid out as `layout`.
Doc MakeDoc(Layout layout, const std::vector<std::pair<std::string, std::string>>& pool,
            const std::vector<std::string>& french, std::mt19937& rng) {
  std::uniform_int_distribution<std::size_t> pick(0, pool.size() - 1);
  const int k = std::uniform_int_distribution<int>(3, 8)(rng);
  std::vector<std::pair<std::string, std::string>> pairs;
  if (layout == Layout::kAlike) {
    // Lengths within 25% of the first paragraph's: the length model alone
    // cannot tell them apart, only anchors can.
    const std::size_t length = pool[pick(rng)].first.size();
    while (static_cast<int>(pairs.size()) < k) {
      const auto& candidate = pool[pick(rng)];
      const double ratio = double(candidate.first.size()) / length;
      if (ratio > 0.8 && ratio < 1.25) pairs.push_back(candidate);
    }
  } else {
    for (int i = 0; i < k; ++i) pairs.push_back(pool[pick(rng)]);
  }
  if (layout == Layout::kUnrelated || layout == Layout::kLeftovers) {
    Doc doc;
    for (int i = 0; i < k; ++i) {
      if (layout == Layout::kUnrelated || std::uniform_int_distribution<int>(0, 2)(rng) == 0)
        doc.passages.push_back({"en", pairs[i].first});
      doc.passages.push_back({"es", pool[pick(rng)].second});
      if (layout == Layout::kLeftovers) doc.passages.push_back({"es", pool[pick(rng)].second});
    }
    doc.gold.assign(doc.passages.size(), -1);
    return doc;
  }
  std::vector<std::pair<int, bool>> order;  // (pair, is_spanish)
  const int block = layout == Layout::kBlocks ? std::uniform_int_distribution<int>(2, 3)(rng) : 1;
  if (layout == Layout::kAlternate || layout == Layout::kMissing ||
      layout == Layout::kThirdLanguage) {
    for (int i = 0; i < k; ++i) order.push_back({i, false}), order.push_back({i, true});
  } else if (layout == Layout::kBlocks) {
    for (int start = 0; start < k; start += block) {
      for (int i = start; i < std::min(k, start + block); ++i) order.push_back({i, false});
      for (int i = start; i < std::min(k, start + block); ++i) order.push_back({i, true});
    }
  } else {
    const bool spanish_first = layout == Layout::kSpanishFirst;
    for (int i = 0; i < k; ++i) order.push_back({i, spanish_first});
    for (int i = 0; i < k; ++i) order.push_back({i, !spanish_first});
  }
  if (layout == Layout::kMissing || layout == Layout::kAlike) {  // drop about a third
    std::vector<std::pair<int, bool>> kept;
    for (const auto& o : order) {
      if (std::uniform_int_distribution<int>(0, 5)(rng) > 1) kept.push_back(o);
    }
    order = kept;
  }
  Doc doc;
  std::map<std::pair<int, bool>, int> at;
  for (const auto& [i, es] : order) {
    at[{i, es}] = static_cast<int>(doc.passages.size());
    doc.passages.push_back({es ? "es" : "en", es ? pairs[i].second : pairs[i].first});
    if (layout == Layout::kThirdLanguage && std::uniform_int_distribution<int>(0, 3)(rng) == 0) {
      doc.passages.push_back(
          {"fr", french[std::uniform_int_distribution<std::size_t>(0, french.size() - 1)(rng)]});
    }
  }
  doc.gold.assign(doc.passages.size(), -1);
  for (const auto& [key, index] : at) {
    const auto other = at.find({key.first, !key.second});
    if (other != at.end()) doc.gold[index] = other->second;
  }
  return doc;
}

TEST(Aligner, DebianParallelDescriptionsInEveryLayout) {
  const auto pool = LoadPairs();
  const auto french = LoadFrench();
  ASSERT_GT(pool.size(), 100u);
  ASSERT_FALSE(french.empty());
  std::mt19937 rng(20261126);
  const std::pair<Layout, const char*> layouts[] = {
      {Layout::kAlternate, "alternate"},          {Layout::kOneThenOther, "english-then-spanish"},
      {Layout::kSpanishFirst, "spanish-first"},   {Layout::kBlocks, "blocks-of-2-3"},
      {Layout::kMissing, "missing-translations"}, {Layout::kThirdLanguage, "third-language"},
      {Layout::kAlike, "alike-lengths-missing"},
  };

  int predicted_all = 0, correct_all = 0, gold_all = 0;
  for (const auto& [layout, name] : layouts) {
    int predicted = 0, correct = 0, gold = 0;
    for (int d = 0; d < 60; ++d) {
      const Doc doc = MakeDoc(layout, pool, french, rng);
      const std::vector<int> got = Partners(doc.passages);
      for (std::size_t i = 0; i < got.size(); ++i) {
        if (got[i] > static_cast<int>(i)) ++predicted, correct += doc.gold[i] == got[i];
        if (doc.gold[i] > static_cast<int>(i)) ++gold;
        if (doc.passages[i].lang == "fr") {
          EXPECT_EQ(got[i], -1) << "a third-language passage was paired";
        }
      }
    }
    std::printf("  %-22s precision %.3f recall %.3f (%d pairs)\n", name,
                double(correct) / predicted, double(correct) / gold, gold);
    EXPECT_GE(double(correct) / predicted, 0.98) << name;
    // (Paragraph lengths in translation vary: with the length model weighing
    // almost half, missing-translations found 0.835 of its pairs.)
    EXPECT_GE(double(correct) / gold, 0.85) << name;
    predicted_all += predicted, correct_all += correct, gold_all += gold;
  }
  const double precision = double(correct_all) / predicted_all,
               recall = double(correct_all) / gold_all;
  std::printf("  %-22s precision %.3f recall %.3f (%d pairs)\n", "all", precision, recall,
              gold_all);
  EXPECT_GE(precision, 0.98);
  EXPECT_GE(recall, 0.90);
  const std::pair<Layout, const char*> unrelated[] = {
      {Layout::kUnrelated, "unrelated"},
      {Layout::kLeftovers, "english-leftovers"},
  };
  for (const auto& [layout, name] : unrelated) {
    int predicted = 0, passages = 0;
    for (int d = 0; d < 60; ++d) {
      const Doc doc = MakeDoc(layout, pool, french, rng);
      const std::vector<int> got = Partners(doc.passages);
      for (std::size_t i = 0; i < got.size(); ++i) predicted += got[i] > static_cast<int>(i);
      passages += static_cast<int>(got.size());
    }
    std::printf("  %-22s %d pairs in %d passages\n", name, predicted, passages);
    // Every pair here is wrong. A document whose few leftovers pair is not
    // told from a parallel one by its share of pairs (one English paragraph
    // among ten Spanish): those few remain (17 and 9 pairs here before the
    // share was required).
    EXPECT_LE(predicted * 200, passages) << name;
  }
}

}  // namespace
}  // namespace sarea
