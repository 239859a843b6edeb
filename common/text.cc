#include "common/text.h"

#include <unicode/brkiter.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utext.h>
#include <unicode/utf8.h>

#include <stdexcept>

namespace sarea {
namespace {

// ICU owns the Normalizer2 singletons; they are immutable and thread-safe.
const icu::Normalizer2& NfkcCasefold() {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* n = icu::Normalizer2::getNFKCCasefoldInstance(status);
  if (U_FAILURE(status)) throw std::runtime_error("ICU: NFKC_Casefold unavailable");
  return *n;
}

const icu::Normalizer2& Nfd() {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* n = icu::Normalizer2::getNFDInstance(status);
  if (U_FAILURE(status)) throw std::runtime_error("ICU: NFD unavailable");
  return *n;
}

const icu::Normalizer2& Nfc() {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* n = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) throw std::runtime_error("ICU: NFC unavailable");
  return *n;
}

std::string ToUtf8(const icu::UnicodeString& s) {
  std::string out;
  s.toUTF8String(out);
  return out;
}

}  // namespace

std::size_t FindInvalidUtf8(std::string_view text) {
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t length = static_cast<int32_t>(text.size());
  int32_t i = 0;
  while (i < length) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c < 0) return static_cast<std::size_t>(start);
  }
  return std::string_view::npos;
}

std::size_t CodePointCount(std::string_view text) {
  std::size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::string_view FirstCodePoints(std::string_view text, std::size_t n) {
  std::size_t i = 0;
  for (std::size_t count = 0; i < text.size() && count < n; ++count) {
    ++i;
    while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) ++i;
  }
  return text.substr(0, i);
}

std::string NormalizeWord(std::string_view word) {
  // Fast path: NFKC leaves ASCII as it is and case folding only lowers A-Z.
  bool ascii = true;
  for (unsigned char c : word) ascii = ascii && c < 0x80;
  if (ascii) {
    std::string out(word);
    for (char& c : out) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
  }
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString out = NfkcCasefold().normalize(
      icu::UnicodeString::fromUTF8(icu::StringPiece(word.data(), word.size())), status);
  if (U_FAILURE(status)) return std::string(word);
  return ToUtf8(out);
}

std::string FoldAccents(std::string_view text) {
  // Fast path: ASCII has nothing to fold.
  bool ascii = true;
  for (unsigned char c : text) ascii = ascii && c < 0x80;
  if (ascii) return std::string(text);

  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString decomposed = Nfd().normalize(
      icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), text.size())), status);
  if (U_FAILURE(status)) return std::string(text);
  icu::UnicodeString stripped;
  for (int32_t i = 0; i < decomposed.length();) {
    const UChar32 c = decomposed.char32At(i);
    if (u_charType(c) != U_NON_SPACING_MARK) stripped.append(c);
    i += U16_LENGTH(c);
  }
  icu::UnicodeString recomposed = Nfc().normalize(stripped, status);
  if (U_FAILURE(status)) return ToUtf8(stripped);
  return ToUtf8(recomposed);
}

WordSplitter::WordSplitter() {
  UErrorCode status = U_ZERO_ERROR;
  breaker_.reset(icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
  if (U_FAILURE(status)) throw std::runtime_error("ICU: cannot create a word break iterator");
}

WordSplitter::~WordSplitter() = default;

void WordSplitter::UTextCloser::operator()(UText* ut) const { utext_close(ut); }

void WordSplitter::Start(std::string_view text) {
  // Detach the iterator from the previous UText before that closes.
  breaker_->setText(icu::UnicodeString());
  text_.reset();
  begin_ = icu::BreakIterator::DONE;
  UErrorCode status = U_ZERO_ERROR;
  // A UTF-8 UText makes the iterator's indices byte offsets into `text`.
  text_.reset(utext_openUTF8(nullptr, text.data(), static_cast<int64_t>(text.size()), &status));
  if (U_FAILURE(status)) {
    text_.reset();
    return;
  }
  breaker_->setText(text_.get(), status);
  if (U_FAILURE(status)) return;
  begin_ = breaker_->first();
}

bool WordSplitter::Next(WordSpan* word) {
  if (begin_ == icu::BreakIterator::DONE) return false;
  for (int32_t end = breaker_->next(); end != icu::BreakIterator::DONE; end = breaker_->next()) {
    const int32_t begin = begin_;
    begin_ = end;
    // Rule status UBRK_WORD_NONE marks spaces and punctuation.
    if (breaker_->getRuleStatus() == UBRK_WORD_NONE) continue;
    *word = {static_cast<std::size_t>(begin), static_cast<std::size_t>(end)};
    return true;
  }
  begin_ = icu::BreakIterator::DONE;
  return false;
}

std::vector<WordSpan> WordSplitter::Split(std::string_view text) {
  std::vector<WordSpan> words;
  Start(text);
  for (WordSpan word; Next(&word);) words.push_back(word);
  return words;
}

}  // namespace sarea
