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

// Splits text into words by Unicode word boundaries (UAX #29, with ICU's
// dictionaries for scripts without spaces). Only letters, numbers and ideographs
// count as words: punctuation and spaces are dropped. Not thread-safe: use one
// WordSplitter per thread.
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
  std::unique_ptr<icu::BreakIterator> breaker_;
  std::unique_ptr<UText, UTextCloser> text_;  // what the breaker reads
  int32_t begin_ = 0;                         // the boundary Next starts from
};

}  // namespace sarea

#endif  // SAREA_COMMON_TEXT_H_
