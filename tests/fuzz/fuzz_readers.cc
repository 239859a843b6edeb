// Each corpus reader (.txt, .md, .html, .jsonl) on any bytes: no crash, and
// whatever it accepts comes out as documents of valid UTF-8 text.
#include <cstddef>
#include <cstdint>

#include "common/readers.h"
#include "common/text.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  sarea::fuzz::Input in(data, size);
  static const char* const kNames[] = {"a.txt", "b/c.md", "d.html", "e.jsonl"};
  const char* name = kNames[in.Byte() % 4];
  const sarea::Result<sarea::ReadResult> read = sarea::ReadFile(name, in.Rest());
  if (!read.ok()) {
    if (read.status().message().empty()) sarea::fuzz::Fail("an error without a message");
    return 0;
  }
  for (const sarea::SourceDocument& doc : read->documents) {
    if (doc.id.empty()) sarea::fuzz::Fail("a document without an id");
    for (const std::string* s : {&doc.id, &doc.title, &doc.lang}) {
      if (sarea::FindInvalidUtf8(*s) != std::string::npos) sarea::fuzz::Fail("invalid UTF-8");
    }
    for (const sarea::Block& block : doc.blocks) {
      if (sarea::FindInvalidUtf8(block.text) != std::string::npos)
        sarea::fuzz::Fail("a block of invalid UTF-8");
    }
  }
  return 0;
}
