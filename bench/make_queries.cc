// Generates the benchmark's fixed query lists from a corpus, deterministically:
// the same corpus gives the same lists, which are committed (bench/queries/).
//
// Queries are what people type: one to three words of one passage, or two
// consecutive words as a "phrase", half English, half Spanish (by the
// language sarea tells each passage), some Spanish ones without their accents.
// Words are content words that are neither rare nor everywhere (in 3 passages
// or more, and in at most 2% of them). Suggest prefixes are beginnings of those
// queries, cut inside their last word.
//
// Prints text_bytes=N: the bytes of text of every passage of the corpus. With
// --passages FILE it also writes every passage for the peers, as PostgreSQL's
// COPY text format: id, language of its directory (en-US -> en, es-ES -> es,
// as a user of a peer would set it), text.
//
// Usage: sarea-make-queries CORPUS_DIR SEARCH_OUT SUGGEST_OUT [--per-language N]
//                           [--passages FILE]
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/analyzer.h"
#include "common/language_identifier.h"
#include "common/passage.h"
#include "common/readers.h"
#include "common/text.h"

namespace fs = std::filesystem;
using sarea::Token;

namespace {

struct Words {
  std::string lang;
  std::vector<Token> tokens;  // content words of one passage, in order
};

// `text` for PostgreSQL's COPY text format.
std::string CopyEscape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\t')
      out += "\\t";
    else if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else
      out.push_back(c);
  }
  return out;
}

// A number from the generator in [0, n): the same on every platform (unlike
// std::uniform_int_distribution, whose algorithm the library chooses).
std::size_t Pick(std::mt19937& rng, std::size_t n) { return rng() % n; }

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: sarea-make-queries CORPUS_DIR SEARCH_OUT SUGGEST_OUT [--per-language N] "
                 "[--passages FILE]\n";
    return 2;
  }
  const fs::path corpus = argv[1];
  std::size_t per_language = 110;
  std::ofstream passages_out;
  for (int i = 4; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--per-language") {
      per_language = std::stoul(argv[i + 1]);
    } else if (flag == "--passages") {
      passages_out.open(argv[i + 1]);
    } else {
      std::cerr << "sarea-make-queries: unknown option " << flag << "\n";
      return 2;
    }
  }
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(corpus)) {
    if (entry.is_regular_file()) files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  sarea::Analyzer analyzer;
  sarea::LanguageIdentifier identifier;
  std::vector<Words> passages;
  std::size_t text_bytes = 0;                            // of every passage, as indexed
  std::map<std::string, std::map<std::string, int>> df;  // lang -> word -> passages
  for (const std::string& path : files) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    const auto read =
        sarea::ReadFile(fs::path(path).lexically_relative(corpus).generic_string(), bytes.str());
    if (!read.ok()) continue;
    for (const sarea::SourceDocument& doc : read->documents) {
      for (const sarea::Passage& p : sarea::BuildPassages(doc, identifier)) {
        text_bytes += p.text.size();
        if (passages_out.is_open()) {
          const bool spanish = p.doc.find("es-ES/") != std::string::npos;
          passages_out << p.id << "\t" << (spanish ? "es" : "en") << "\t" << CopyEscape(p.text)
                       << "\n";
        }
        if (p.lang != "en" && p.lang != "es") continue;
        Words words{p.lang, {}};
        std::set<std::string> seen;
        for (Token& t : analyzer.Analyze(p.text, p.lang)) {
          const bool alphabetic = std::all_of(t.word.begin(), t.word.end(), [](unsigned char c) {
            return c >= 0x80 || (c >= 'a' && c <= 'z');
          });
          if (t.stopword || !alphabetic || sarea::CodePointCount(t.word) < 4) continue;
          if (seen.insert(t.word).second) ++df[p.lang][t.word];
          words.tokens.push_back(std::move(t));
        }
        if (words.tokens.size() >= 3) passages.push_back(std::move(words));
      }
    }
  }
  std::map<std::string, std::size_t> passages_of;
  for (const Words& w : passages) ++passages_of[w.lang];
  auto usable = [&](const std::string& lang, const std::string& word) {
    const int n = df[lang][word];
    return n >= 3 && n <= static_cast<int>(passages_of[lang] / 50) + 3;
  };

  std::mt19937 rng(20261126);
  std::ofstream search(argv[2]), suggest(argv[3]);
  std::set<std::string> made;
  for (const char* lang : {"en", "es"}) {
    std::vector<const Words*> pool;
    for (const Words& w : passages) {
      if (w.lang == lang) pool.push_back(&w);
    }
    if (pool.empty()) continue;
    std::size_t count = 0;
    for (int attempt = 0; count < per_language && attempt < 100000; ++attempt) {
      const Words& p = *pool[Pick(rng, pool.size())];
      const std::size_t kind = Pick(rng, 20);  // 0-7 one word, 8-13 two, 14-16 three, 17-19 phrase
      const std::size_t n = kind < 8 ? 1 : kind < 14 ? 2 : kind < 17 ? 3 : 2;
      const bool phrase = kind >= 17;
      if (p.tokens.size() < n) continue;
      const std::size_t start = Pick(rng, p.tokens.size() - n + 1);
      std::vector<std::string> words;
      bool ok = true;
      for (std::size_t i = 0; i < n; ++i) {
        const Token& t = p.tokens[start + i];
        // A phrase needs words next to each other in the text.
        if (phrase && i > 0 && t.position != p.tokens[start + i - 1].position + 1) ok = false;
        if (!usable(lang, t.word)) ok = false;
        words.push_back(t.word);
      }
      if (!ok) continue;
      std::string q;
      for (const std::string& w : words) q += (q.empty() ? "" : " ") + w;
      // A third of the Spanish queries typed without accents.
      if (std::string(lang) == "es" && Pick(rng, 3) == 0) q = sarea::FoldAccents(q);
      if (phrase) q = "\"" + q + "\"";
      if (!made.insert(q).second) continue;
      search << lang << "\t" << q << "\n";
      // The suggest prefix: the words before the last, and 1 to 4 letters of it
      // (at least 3 when it is the only word).
      const std::string last = words.back();
      const std::size_t letters =
          std::min(sarea::CodePointCount(last), (n == 1 ? 3 : 1) + Pick(rng, 3));
      std::string prefix;
      for (std::size_t i = 0; i + 1 < n; ++i) prefix += words[i] + " ";
      prefix += std::string(sarea::FirstCodePoints(last, letters));
      suggest << lang << "\t" << prefix << "\n";
      ++count;
    }
  }
  std::cerr << "sarea-make-queries: " << made.size() << " queries from " << passages.size()
            << " passages\n";
  std::cout << "text_bytes=" << text_bytes << "\n";
  return 0;
}
