// Language identification on any valid UTF-8 text (what readers let through):
// no crash, one language per passage, and only codes it can name.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/language_identifier.h"
#include "common/text.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static sarea::LanguageIdentifier identifier;
  sarea::fuzz::Input in(data, size);
  const std::uint8_t flags = in.Byte();
  const std::string_view text = in.Rest();
  if (sarea::FindInvalidUtf8(text) != std::string::npos) return 0;
  identifier.Score(text);
  std::vector<std::string> passages, hints;
  static const char* const kHints[] = {"", "", "en", "es", "fr", "xx"};
  for (sarea::fuzz::Input lines(data + 1, size - (size > 0 ? 1 : 0)); !lines.Rest().empty();) {
    passages.emplace_back(lines.Until('\n'));
    hints.emplace_back((flags & 1) ? kHints[passages.size() % 6] : "");
  }
  const std::vector<std::string> langs = identifier.IdentifyPassages(passages, hints);
  if (langs.size() != passages.size()) sarea::fuzz::Fail("one language per passage");
  for (const std::string& lang : langs) {
    if (lang.empty()) sarea::fuzz::Fail("an empty language code");
  }
  return 0;
}
