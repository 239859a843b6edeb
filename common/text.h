// Text primitives over ICU: word splitting, normalisation and accent folding.
//
// All strings are UTF-8. Offsets are byte offsets into the caller's string.
#ifndef SAREA_COMMON_TEXT_H_
#define SAREA_COMMON_TEXT_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <unicode/utext.h>
#include <unicode/uversion.h>

U_NAMESPACE_BEGIN
class BreakIterator;
U_NAMESPACE_END

namespace sarea {

// Byte offset of the first invalid UTF-8 sequence in `text`, or npos when the
// whole string is valid (overlong forms and surrogates are invalid).
std::size_t FindInvalidUtf8(std::string_view text);

// NFKC normalisation plus Unicode case folding: "ＣＩＵＤＡＤ" -> "ciudad".
// Accents are kept: "Creación" -> "creación". Invalid UTF-8 yields U+FFFD.
std::string NormalizeWord(std::string_view word);

// Removes accents and other combining marks after canonical decomposition:
// "creación" -> "creacion", "ñ" -> "n", "ü" -> "u". Letters without a
// decomposition (ø, ł, ß after case folding) are kept as they are.
std::string FoldAccents(std::string_view text);

// The number of code points in UTF-8 `text` (continuation bytes not counted).
std::size_t CodePointCount(std::string_view text);

// The first `n` code points of UTF-8 `text` (all of it when shorter).
std::string_view FirstCodePoints(std::string_view text, std::size_t n);

// A word found in a text: [begin, end) in bytes.
struct WordSpan {
  std::size_t begin = 0;
  std::size_t end = 0;
};

// Splits text into words by Unicode word boundaries (UAX #29 as ICU's word
// break rules apply it, with ICU's dictionaries for scripts without spaces).
// Only letters, numbers and ideographs count as words: punctuation and spaces
// are dropped. Not thread-safe: use one WordSplitter per thread.
//
// The text is taken a chunk at a time, chunks being separated by ASCII
// whitespace, where every rule breaks. A chunk whose characters are all of the
// Word_Break classes of alphabetic text (letters, digits, the punctuation
// between them; ICU's own property data says which) is split here, by the
// rules those classes meet; any other chunk (combining marks, emoji, Hebrew,
// scripts split by dictionary, invalid UTF-8) by ICU's iterator, from the
// whitespace before it. Both give the same words (tests/common/text_test.cc
// compares them over random text); this way costs a few nanoseconds a word
// where ICU's iterator costs tens.
class WordSplitter {
 public:
  WordSplitter();
  ~WordSplitter();
  WordSplitter(const WordSplitter&) = delete;
  WordSplitter& operator=(const WordSplitter&) = delete;

  std::vector<WordSpan> Split(std::string_view text);

  // The words of `text` one at a time, for a caller that may stop early (a
  // snippet stops once it knows its window): Start, then Next until it
  // returns false. `text` must outlive the iteration; Start or Split begins
  // another.
  void Start(std::string_view text);
  bool Next(WordSpan* word);

 private:
  struct UTextCloser {
    void operator()(UText* ut) const;
  };
  // Points ICU's iterator at text_[from, to).
  void StartIcu(std::size_t from, std::size_t to);
  // The next word of the chunk [pos_, chunk_end_), split here.
  bool NextInChunk(WordSpan* word);

  std::string_view text_;
  std::size_t pos_ = 0;        // where splitting goes on
  std::size_t chunk_end_ = 0;  // the end of the chunk being split here
  std::unique_ptr<icu::BreakIterator> breaker_;
  std::unique_ptr<UText, UTextCloser> utext_;  // what the breaker reads
  std::size_t icu_base_ = 0;                   // where in text_ the breaker's text begins
  int32_t begin_ = -1;  // the breaker's boundary Next starts from; -1: not in use
};

}  // namespace sarea

#endif  // SAREA_COMMON_TEXT_H_
