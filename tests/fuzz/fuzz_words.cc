// Word splitting of any bytes: WordSplitter gives the words ICU's word break
// iterator gives over the whole text (it splits alphabetic chunks by the same
// rules itself), one at a time or all at once.
#include <unicode/brkiter.h>
#include <unicode/utext.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/text.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

using Spans = std::vector<std::pair<std::size_t, std::size_t>>;

Spans IcuWords(icu::BreakIterator& breaker, std::string_view text) {
  Spans words;
  UErrorCode status = U_ZERO_ERROR;
  UText* ut = utext_openUTF8(nullptr, text.data(), static_cast<int64_t>(text.size()), &status);
  if (U_FAILURE(status)) sarea::fuzz::Fail("utext_openUTF8");
  breaker.setText(ut, status);
  int32_t begin = breaker.first();
  for (int32_t end = breaker.next(); end != icu::BreakIterator::DONE;
       begin = end, end = breaker.next()) {
    if (breaker.getRuleStatus() != UBRK_WORD_NONE) words.emplace_back(begin, end);
  }
  breaker.setText(icu::UnicodeString());
  utext_close(ut);
  return words;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static sarea::WordSplitter splitter;
  static std::unique_ptr<icu::BreakIterator> breaker = [] {
    UErrorCode status = U_ZERO_ERROR;
    return std::unique_ptr<icu::BreakIterator>(
        icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
  }();
  const std::string text(reinterpret_cast<const char*>(data), size);
  const Spans expected = IcuWords(*breaker, text);
  Spans got;
  for (const sarea::WordSpan& w : splitter.Split(text)) got.emplace_back(w.begin, w.end);
  if (got != expected) sarea::fuzz::Fail("other words than ICU's");
  // One at a time, stopping halfway, then the whole text again from Start.
  splitter.Start(text);
  sarea::WordSpan w;
  for (std::size_t i = 0; i < expected.size() / 2; ++i) {
    if (!splitter.Next(&w) || std::make_pair(w.begin, w.end) != expected[i])
      sarea::fuzz::Fail("Next gives other words than Split");
  }
  got.clear();
  splitter.Start(text);
  while (splitter.Next(&w)) got.emplace_back(w.begin, w.end);
  if (got != expected) sarea::fuzz::Fail("a new Start does not start afresh");
  return 0;
}
