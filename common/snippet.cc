#include "common/snippet.h"

#include <algorithm>
#include <bitset>
#include <optional>
#include <vector>

namespace sarea {
namespace {

// A word of the text and the first of its keys that the query has (or null).
struct Word {
  std::size_t begin = 0, end = 0;  // bytes
  const std::string* matched = nullptr;
};

// The words read so far, with each one's code-point offsets counted once, so
// that the length of any run of words is a subtraction.
class Words {
 public:
  explicit Words(std::string_view text) : text_(text) {}

  void Add(std::size_t begin, std::size_t end, const std::string* matched) {
    words_.push_back({begin, end, matched});
    cp_begin_.push_back(Advance(begin));
    cp_end_.push_back(Advance(end));
  }
  std::size_t size() const { return words_.size(); }
  bool empty() const { return words_.empty(); }
  const Word& operator[](std::size_t i) const { return words_[i]; }
  std::size_t CpBegin(std::size_t i) const { return cp_begin_[i]; }
  // Code points from the start of word `first` to the end of word `last`.
  std::size_t Span(std::size_t first, std::size_t last) const {
    return cp_end_[last] - cp_begin_[first];
  }

 private:
  std::size_t Advance(std::size_t to) {
    for (; at_ < to; ++at_) count_ += (static_cast<unsigned char>(text_[at_]) & 0xC0) != 0x80;
    return count_;
  }

  std::string_view text_;
  std::vector<Word> words_;
  std::vector<std::size_t> cp_begin_, cp_end_;
  std::size_t at_ = 0, count_ = 0;  // byte offset reached and code points before it
};

struct Window {
  std::size_t first = 0;  // word indexes, inclusive
  std::size_t last = 0;
};

// Chooses the window as the words are read: it tries a window from the
// opening, then one from a little before each matched word (a quarter of the
// window of context), and keeps the one with the most distinct matched keys,
// the earliest on ties. Each is scored once a word beyond its reach is read
// (or the text ended), and the choice is decided as soon as a window holds
// every key of the query: none after it can hold more. A long passage is then
// read only up to there.
class WindowChooser {
 public:
  WindowChooser(const Words& words, std::size_t length, std::size_t keys)
      : words_(words), length_(length), keys_(keys) {}

  // After each word is added.
  void WordAdded() {
    const std::size_t m = words_.size() - 1;
    if (words_[m].matched) {
      std::size_t first = m;
      while (first > 0 && words_.CpBegin(m) - words_.CpBegin(first - 1) <= length_ / 4) --first;
      starts_.push_back(first);
    }
    Score(false);
  }
  // After the last word.
  void TextEnded() { Score(true); }
  bool Decided() const { return scored_ > 0 && best_score_ == keys_; }
  Window best() const { return best_; }

 private:
  // Scores the windows whose extent is known.
  void Score(bool ended) {
    for (; scored_ < starts_.size(); ++scored_) {
      const std::size_t first = starts_[scored_];
      // Still growing: the next word may fit (and later windows start later).
      if (!ended && words_.Span(first, words_.size() - 1) <= length_) return;
      Window w{first, first};
      while (w.last + 1 < words_.size() && words_.Span(first, w.last + 1) <= length_) ++w.last;
      const std::size_t score = DistinctMatches(w);
      if (scored_ == 0 || score > best_score_) best_ = w, best_score_ = score;
      if (best_score_ == keys_) {
        ++scored_;
        return;
      }
    }
  }

  std::size_t DistinctMatches(const Window& w) const {
    std::vector<const std::string*> seen;  // keys are unique in the query's set
    for (std::size_t i = w.first; i <= w.last; ++i) {
      const std::string* m = words_[i].matched;
      if (m && std::find(seen.begin(), seen.end(), m) == seen.end()) seen.push_back(m);
    }
    return seen.size();
  }

  const Words& words_;
  std::size_t length_, keys_;
  std::vector<std::size_t> starts_{0};  // first word of each window to try, in order
  std::size_t scored_ = 0;              // windows of starts_ scored
  Window best_;
  std::size_t best_score_ = 0;
};

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
  // The lean path: no Tokens, one cached lookup per word, and no more words
  // than the window needs.
  std::uint32_t signature = 0;
  // The keys' first bytes: words beginning otherwise are not looked up.
  std::bitset<128> firsts;
  if (!Analyzer::KeysBeginLikeTheirWord(lang)) firsts.set();
  for (const std::string& key : keys) {
    signature |= KeySignature(key);
    if (!key.empty() && static_cast<unsigned char>(key[0]) < 128)
      firsts.set(static_cast<unsigned char>(key[0]));
  }
  Words words(text);
  std::optional<WindowChooser> chooser;
  if (CodePointCount(text) > options.length) chooser.emplace(words, options.length, keys.size());
  analyzer.ForEachWord(text, lang, firsts,
                       [&](std::size_t b, std::size_t e, std::uint32_t, const CachedWord& w) {
                         const std::string* matched = nullptr;
                         // Most words share no bit with the query's keys.
                         if (w.key_signature & signature)
                           for (const std::string& key : w->keys) {
                             const auto it = keys.find(key);
                             if (it != keys.end()) {
                               matched = &*it;
                               break;
                             }
                           }
                         words.Add(b, e, matched);
                         if (!chooser) return true;
                         chooser->WordAdded();
                         return !chooser->Decided();
                       });
  std::size_t begin = 0, end = text.size();
  std::size_t first = 0, last = words.empty() ? 0 : words.size() - 1;
  if (chooser && !words.empty()) {
    if (!chooser->Decided()) chooser->TextEnded();
    const Window w = chooser->best();
    first = w.first, last = w.last;
    begin = w.first == 0 ? 0 : words[w.first].begin;
    // (A window decided early has a word after it: it never ends the text.)
    end = w.last + 1 == words.size() ? text.size() : words[w.last].end;
  }
  std::string out = begin > 0 ? options.ellipsis + " " : "";
  std::size_t at = begin;
  for (std::size_t i = first; !words.empty() && i <= last; ++i) {
    if (!words[i].matched) continue;
    out += EscapeHtml(text.substr(at, words[i].begin - at));
    out += options.mark_open +
           EscapeHtml(text.substr(words[i].begin, words[i].end - words[i].begin)) +
           options.mark_close;
    at = words[i].end;
  }
  out += EscapeHtml(text.substr(at, end - at));
  if (end < text.size()) out += " " + options.ellipsis;
  return out;
}

}  // namespace sarea
