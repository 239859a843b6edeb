#include "common/snippet.h"

#include <algorithm>
#include <vector>

namespace sarea {
namespace {

// A word of the text and the first of its keys that the query has (or null).
struct Word {
  std::size_t begin = 0, end = 0;  // bytes
  const std::string* matched = nullptr;
};

// Code-point offsets of each token's start and end, counted once, so that the
// length of any run of tokens is a subtraction.
struct CodePointOffsets {
  std::vector<std::size_t> begin, end;

  CodePointOffsets(std::string_view text, const std::vector<Word>& tokens) {
    std::size_t at = 0, count = 0;  // byte offset reached and code points before it
    auto advance = [&](std::size_t to) {
      for (; at < to; ++at) count += (static_cast<unsigned char>(text[at]) & 0xC0) != 0x80;
      return count;
    };
    for (const Word& t : tokens) {
      begin.push_back(advance(t.begin));
      end.push_back(advance(t.end));
    }
  }
  // Code points from the start of token `first` to the end of token `last`.
  std::size_t Span(std::size_t first, std::size_t last) const { return end[last] - begin[first]; }
};

struct Window {
  std::size_t first = 0;  // token indexes, inclusive
  std::size_t last = 0;
};

// The longest run of tokens from `first` whose text fits in `length` code points.
Window Extend(const CodePointOffsets& cp, std::size_t first, std::size_t length) {
  Window w{first, first};
  while (w.last + 1 < cp.end.size() && cp.Span(first, w.last + 1) <= length) ++w.last;
  return w;
}

std::size_t DistinctMatches(const std::vector<Word>& words, const Window& w) {
  std::vector<const std::string*> seen;  // keys are unique in the query's set
  for (std::size_t i = w.first; i <= w.last; ++i) {
    const std::string* m = words[i].matched;
    if (m && std::find(seen.begin(), seen.end(), m) == seen.end()) seen.push_back(m);
  }
  return seen.size();
}

// Tries windows that start a little before each matched word and keeps the one
// with the most distinct matched keys (the earliest on ties).
Window BestWindow(const CodePointOffsets& cp, const std::vector<Word>& words, std::size_t length) {
  Window best = Extend(cp, 0, length);
  std::size_t best_score = DistinctMatches(words, best);
  for (std::size_t m = 0; m < words.size(); ++m) {
    if (!words[m].matched) continue;
    std::size_t first = m;  // lead in with up to a quarter of the window of context
    while (first > 0 && cp.begin[m] - cp.begin[first - 1] <= length / 4) --first;
    const Window w = Extend(cp, first, length);
    const std::size_t score = DistinctMatches(words, w);
    if (score > best_score) best = w, best_score = score;
  }
  return best;
}

}  // namespace

std::string EscapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string MakeSnippet(std::string_view text, std::string_view lang,
                        const std::set<std::string>& keys, Analyzer& analyzer,
                        const SnippetOptions& options) {
  // The lean path: no Tokens, one cached lookup per word.
  std::vector<Word> tokens;
  analyzer.ForEachWord(text, lang,
                       [&](std::size_t b, std::size_t e, std::uint32_t, const AnalyzedWord& w) {
                         Word& word = tokens.emplace_back();
                         word.begin = b;
                         word.end = e;
                         for (const std::string& key : w.keys) {
                           const auto it = keys.find(key);
                           if (it != keys.end()) {
                             word.matched = &*it;
                             break;
                           }
                         }
                       });
  std::size_t begin = 0, end = text.size();
  std::size_t first = 0, last = tokens.empty() ? 0 : tokens.size() - 1;
  if (CodePointCount(text) > options.length && !tokens.empty()) {
    const Window w = BestWindow(CodePointOffsets(text, tokens), tokens, options.length);
    first = w.first, last = w.last;
    begin = w.first == 0 ? 0 : tokens[w.first].begin;
    end = w.last + 1 == tokens.size() ? text.size() : tokens[w.last].end;
  }
  std::string out = begin > 0 ? options.ellipsis + " " : "";
  std::size_t at = begin;
  for (std::size_t i = first; !tokens.empty() && i <= last; ++i) {
    if (!tokens[i].matched) continue;
    out += EscapeHtml(text.substr(at, tokens[i].begin - at));
    out += options.mark_open +
           EscapeHtml(text.substr(tokens[i].begin, tokens[i].end - tokens[i].begin)) +
           options.mark_close;
    at = tokens[i].end;
  }
  out += EscapeHtml(text.substr(at, end - at));
  if (end < text.size()) out += " " + options.ellipsis;
  return out;
}

}  // namespace sarea
