// Snippets of any valid UTF-8 text for any query words: no crash, valid UTF-8,
// and nothing but <mark> and </mark> left unescaped (the page inserts snippets
// as HTML).
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

#include "common/analyzer.h"
#include "common/snippet.h"
#include "common/text.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static sarea::Analyzer analyzer;
  sarea::fuzz::Input in(data, size);
  const std::uint8_t control = in.Byte();
  static const char* const kLangs[] = {"en", "es", "und", "fr"};
  const char* lang = kLangs[control % 4];
  const std::string_view words = in.Until('|');
  const std::string_view text = in.Rest();
  if (sarea::FindInvalidUtf8(words) != std::string::npos ||
      sarea::FindInvalidUtf8(text) != std::string::npos)
    return 0;
  std::set<std::string> keys;
  for (const sarea::Token& t : analyzer.Analyze(words, lang))
    keys.insert(t.keys.begin(), t.keys.end());
  sarea::SnippetOptions options;
  options.length = 1 + control / 4 * 4;
  const std::string snippet = sarea::MakeSnippet(text, lang, keys, analyzer, options);
  if (sarea::FindInvalidUtf8(snippet) != std::string::npos) sarea::fuzz::Fail("invalid UTF-8");
  std::string bare = snippet;
  for (const std::string_view tag : {"<mark>", "</mark>"}) {
    for (std::size_t at; (at = bare.find(tag)) != std::string::npos;) bare.erase(at, tag.size());
  }
  if (bare.find_first_of("<>\"") != std::string::npos) sarea::fuzz::Fail("unescaped markup");
  return 0;
}
