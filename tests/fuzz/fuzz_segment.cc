// Segmentation, language identification and alignment of any document of
// blocks: no crash, passages in order, translations that point at passages.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

#include "common/language_identifier.h"
#include "common/passage.h"
#include "common/text.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static sarea::LanguageIdentifier identifier;
  sarea::fuzz::Input in(data, size);
  if (sarea::FindInvalidUtf8(in.Rest()) != std::string::npos) return 0;
  sarea::SourceDocument doc;
  doc.id = "fuzz.txt";
  doc.title = "fuzz";
  static const char* const kLangs[] = {"", "", "en", "es", "fr"};
  while (!in.Rest().empty()) {
    const std::uint8_t control = in.Byte();
    sarea::Block block;
    block.kind = static_cast<sarea::BlockKind>(control % 3);
    block.level = block.kind == sarea::BlockKind::kHeading ? 1 + control / 3 % 6 : 0;
    block.lang = kLangs[control / 18 % 5];
    block.text = std::string(in.Until('\n'));
    if (sarea::FindInvalidUtf8(block.text) != std::string::npos) return 0;
    doc.blocks.push_back(std::move(block));
  }
  const std::vector<sarea::Passage> passages = sarea::BuildPassages(doc, identifier);
  std::set<std::string> ids;
  int previous = -1;
  for (const sarea::Passage& p : passages) {
    if (p.position <= previous) sarea::fuzz::Fail("passages out of order");
    previous = p.position;
    if (!ids.insert(p.id).second) sarea::fuzz::Fail("a passage id twice");
  }
  for (const sarea::Passage& p : passages) {
    if (!p.translation.empty() && !ids.count(p.translation))
      sarea::fuzz::Fail("a translation that is not a passage");
    if (p.translation == p.id && !p.id.empty()) sarea::fuzz::Fail("its own translation");
  }
  return 0;
}
