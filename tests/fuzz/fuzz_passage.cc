// A passage record (document data) of any bytes: an error naming the document,
// or a passage whose record reads back the same.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/passage.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const sarea::Result<sarea::Passage> p = sarea::PassageFromRecord(bytes, 42);
  if (!p.ok()) {
    if (p.status().code() != sarea::StatusCode::kCorruption)
      sarea::fuzz::Fail("an error other than corruption");
    if (p.status().message().find("document 42 ") != 0) sarea::fuzz::Fail("no document named");
    return 0;
  }
  const sarea::Result<sarea::Passage> again =
      sarea::PassageFromRecord(sarea::PassageRecord(*p), 42);
  if (!again.ok()) sarea::fuzz::Fail("a passage whose record does not read back");
  if (again->id != p->id || again->doc != p->doc || again->title != p->title ||
      again->lang != p->lang || again->position != p->position || again->text != p->text ||
      again->section != p->section || again->url != p->url || again->translation != p->translation)
    sarea::fuzz::Fail("a passage read back different");
  return 0;
}
