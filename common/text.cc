#include "common/text.h"

#include <unicode/brkiter.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>
#include <unicode/utext.h>
#include <unicode/utf8.h>

#include <cstdint>
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

namespace {

// The Word_Break classes WordSplitter splits by its own rules.
enum WordClass : std::uint8_t {
  kBreak,    // breaks on both sides: Other, spaces, newlines, Double_Quote
  kLetter,   // ALetter (not CJK, not split by dictionary)
  kNumeric,  // Numeric
  kMidLetter,
  kMidNum,
  kMidNumLet,     // MidNumLet, and Single_Quote (the same outside Hebrew)
  kExtendNumLet,  // the connectors: "_"
  kSlow,          // any other: ICU splits the chunk
};

WordClass ClassOf(UChar32 c) {
  // ICU's rules take these out of MidLetter (word.txt): "a:b" is two words;
  // and count "@" a letter: "x@y.com" is one.
  if (c == 0x3A || c == 0xFE55 || c == 0xFF1A) return kBreak;
  if (c == 0x40) return kLetter;
  if (u_hasBinaryProperty(c, UCHAR_EXTENDED_PICTOGRAPHIC) ||
      u_hasBinaryProperty(c, UCHAR_IDEOGRAPHIC) ||
      u_getIntPropertyValue(c, UCHAR_LINE_BREAK) == U_LB_COMPLEX_CONTEXT) {
    return kSlow;
  }
  const int script = u_getIntPropertyValue(c, UCHAR_SCRIPT);
  if (script == USCRIPT_HAN || script == USCRIPT_HIRAGANA || script == USCRIPT_KATAKANA ||
      script == USCRIPT_HANGUL) {
    return kSlow;
  }
  switch (u_getIntPropertyValue(c, UCHAR_WORD_BREAK)) {
    case U_WB_ALETTER:
      return kLetter;
    case U_WB_NUMERIC:
      return kNumeric;
    case U_WB_MIDLETTER:
      return kMidLetter;
    case U_WB_MIDNUM:
      return kMidNum;
    case U_WB_MIDNUMLET:
    case U_WB_SINGLE_QUOTE:
      return kMidNumLet;
    case U_WB_EXTENDNUMLET:
      return kExtendNumLet;
    case U_WB_OTHER:
    case U_WB_WSEGSPACE:
    case U_WB_CR:
    case U_WB_LF:
    case U_WB_NEWLINE:
    case U_WB_DOUBLE_QUOTE:
      return kBreak;
    default:  // Extend, Format, ZWJ, Katakana, Hebrew_Letter, Regional_Indicator, ...
      return kSlow;
  }
}

// The classes of U+0000..U+07FF (one and two UTF-8 bytes) and of
// U+2000..U+207F (General Punctuation: typographic quotes and spaces), from
// ICU's property data; other code points are kSlow.
struct WordClasses {
  std::uint8_t low[0x800];
  std::uint8_t punctuation[0x80];
  WordClasses() {
    for (UChar32 c = 0; c < 0x800; ++c) low[c] = ClassOf(c);
    for (UChar32 c = 0; c < 0x80; ++c) punctuation[c] = ClassOf(0x2000 + c);
  }
};

const WordClasses& Classes() {
  static const WordClasses classes;
  return classes;
}

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// The class of the code point at text[i] (i < text.size()) and its length in
// bytes; kSlow (length 1) for code points outside the tables and for invalid
// UTF-8.
inline WordClass ClassAt(const WordClasses& classes, std::string_view text, std::size_t i,
                         std::size_t* length) {
  const auto c0 = static_cast<unsigned char>(text[i]);
  *length = 1;
  if (c0 < 0x80) return static_cast<WordClass>(classes.low[c0]);
  const std::size_t n = text.size();
  if (c0 >= 0xC2 && c0 <= 0xDF && i + 1 < n) {
    const auto c1 = static_cast<unsigned char>(text[i + 1]);
    if ((c1 & 0xC0) != 0x80) return kSlow;
    *length = 2;
    return static_cast<WordClass>(classes.low[((c0 & 0x1F) << 6) | (c1 & 0x3F)]);
  }
  if (c0 == 0xE2 && i + 2 < n) {
    const auto c1 = static_cast<unsigned char>(text[i + 1]);
    const auto c2 = static_cast<unsigned char>(text[i + 2]);
    if ((c1 == 0x80 || c1 == 0x81) && (c2 & 0xC0) == 0x80) {
      *length = 3;
      return static_cast<WordClass>(classes.punctuation[((c1 & 0x01) << 6) | (c2 & 0x3F)]);
    }
  }
  return kSlow;
}

bool Joins(WordClass c) { return c == kLetter || c == kNumeric || c == kExtendNumLet; }

}  // namespace

WordSplitter::WordSplitter() {
  Classes();  // built once, before any thread needs it
  UErrorCode status = U_ZERO_ERROR;
  breaker_.reset(icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
  if (U_FAILURE(status)) throw std::runtime_error("ICU: cannot create a word break iterator");
}

WordSplitter::~WordSplitter() = default;

void WordSplitter::UTextCloser::operator()(UText* ut) const { utext_close(ut); }

void WordSplitter::Start(std::string_view text) {
  text_ = text;
  pos_ = chunk_end_ = 0;
  begin_ = -1;
}

void WordSplitter::StartIcu(std::size_t from, std::size_t to) {
  // Detach the iterator from the previous UText before that closes.
  breaker_->setText(icu::UnicodeString());
  utext_.reset();
  begin_ = -1;
  icu_base_ = from;
  UErrorCode status = U_ZERO_ERROR;
  // A UTF-8 UText makes the iterator's indices byte offsets into the chunk.
  utext_.reset(
      utext_openUTF8(nullptr, text_.data() + from, static_cast<int64_t>(to - from), &status));
  if (U_FAILURE(status)) {
    utext_.reset();
    return;
  }
  breaker_->setText(utext_.get(), status);
  if (U_FAILURE(status)) return;
  begin_ = breaker_->first();
}

// UAX #29's rules between the classes above: WB5 (letters), WB6-7 (a letter,
// MidLetter or MidNumLet, a letter), WB8-10 (digits and letters), WB11-12 (a
// digit, MidNum or MidNumLet, a digit), WB13a-b (connectors); WB999 breaks
// anywhere else. A lone connector is no word, as in ICU's rules.
bool WordSplitter::NextInChunk(WordSpan* word) {
  const WordClasses& classes = Classes();  // once, not a guarded static a character
  while (pos_ < chunk_end_) {
    std::size_t length = 0;
    WordClass last = ClassAt(classes, text_, pos_, &length);
    const std::size_t begin = pos_;
    pos_ += length;
    if (!Joins(last)) continue;
    bool is_word = last != kExtendNumLet;
    while (pos_ < chunk_end_) {
      const WordClass next = ClassAt(classes, text_, pos_, &length);
      if (Joins(next)) {
        pos_ += length;
        last = next;
        is_word = true;  // two joined: a word whatever they are
        continue;
      }
      const bool between_letters = last == kLetter && (next == kMidLetter || next == kMidNumLet);
      const bool between_digits = last == kNumeric && (next == kMidNum || next == kMidNumLet);
      if (!between_letters && !between_digits) break;
      const std::size_t after = pos_ + length;
      if (after >= chunk_end_) break;
      std::size_t after_length = 0;
      const WordClass then = ClassAt(classes, text_, after, &after_length);
      if (then != (between_letters ? kLetter : kNumeric)) break;
      pos_ = after + after_length;
    }
    if (is_word) {
      *word = {begin, pos_};
      return true;
    }
  }
  return false;
}

bool WordSplitter::Next(WordSpan* word) {
  for (;;) {
    if (begin_ >= 0) {
      for (int32_t end = breaker_->next(); end != icu::BreakIterator::DONE;
           end = breaker_->next()) {
        const int32_t begin = begin_;
        begin_ = end;
        // Rule status UBRK_WORD_NONE marks spaces and punctuation.
        if (breaker_->getRuleStatus() == UBRK_WORD_NONE) continue;
        *word = {icu_base_ + static_cast<std::size_t>(begin),
                 icu_base_ + static_cast<std::size_t>(end)};
        return true;
      }
      begin_ = -1;
    }
    if (NextInChunk(word)) return true;
    // The next chunk: up to the next ASCII whitespace, where every rule breaks.
    pos_ = chunk_end_;
    while (pos_ < text_.size() && IsAsciiSpace(text_[pos_])) ++pos_;
    if (pos_ >= text_.size()) return false;
    bool slow = false;
    std::size_t end = pos_;
    const WordClasses& classes = Classes();
    while (end < text_.size() && !IsAsciiSpace(text_[end])) {
      std::size_t length = 0;
      if (ClassAt(classes, text_, end, &length) == kSlow) slow = true;
      end += length;
    }
    chunk_end_ = end;
    if (slow) {
      // From the whitespace before it, so that ICU sees what precedes the
      // chunk as the whole text has it (a mark after a space goes with it).
      StartIcu(pos_ > 0 ? pos_ - 1 : 0, end);
      pos_ = end;
    }
  }
}

std::vector<WordSpan> WordSplitter::Split(std::string_view text) {
  std::vector<WordSpan> words;
  Start(text);
  for (WordSpan word; Next(&word);) words.push_back(word);
  return words;
}

}  // namespace sarea
