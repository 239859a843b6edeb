// Stored passage data of any bytes: an error naming the document, or a
// passage whose record reads back the same, plain or compressed with a
// record dictionary (record_codec.h).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/passage.h"
#include "common/record_codec.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

bool Same(const sarea::Passage& a, const sarea::Passage& b) {
  return a.id == b.id && a.doc == b.doc && a.title == b.title && a.lang == b.lang &&
         a.position == b.position && a.text == b.text && a.section == b.section && a.url == b.url &&
         a.translation == b.translation;
}

// A dictionary trained once on made-up passages (the same every run).
std::shared_ptr<const sarea::RecordDictionary> Dictionary() {
  static const auto dictionary = [] {
    static const char* const kWords[] = {"the",   "network", "of",     "creative", "cities",
                                         "la",    "red",     "de",     "ciudades", "música",
                                         "music", "design",  "diseño", "and",      "y"};
    std::vector<std::string> samples;
    unsigned state = 1;
    for (int i = 0; i < 2000; ++i) {
      sarea::Passage p;
      p.id = "p" + std::to_string(i);
      p.doc = "doc" + std::to_string(i / 10);
      p.lang = i % 2 ? "es" : "en";
      for (int w = 0; w < 40; ++w) {
        state = state * 1103515245u + 12345u;
        p.text += std::string(kWords[(state >> 16) % 15]) + " ";
      }
      samples.push_back(sarea::PassageRecord(p));
    }
    auto trained = sarea::RecordDictionary::Train(samples);
    if (!trained) sarea::fuzz::Fail("no dictionary trained");
    return trained;
  }();
  return dictionary;
}

void ExpectCorruptionNaming42(const sarea::Status& status) {
  if (status.code() != sarea::StatusCode::kCorruption)
    sarea::fuzz::Fail("an error other than corruption");
  if (status.message().find("document 42 ") != 0) sarea::fuzz::Fail("no document named");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  static sarea::PassageReader reader(Dictionary());
  static sarea::RecordCompressor compressor;
  compressor.set_dictionary(Dictionary());

  // As stored data: compressed frames are decompressed, or refused.
  const sarea::Result<sarea::Passage> stored = reader.Read(bytes, 42);
  if (!stored.ok()) ExpectCorruptionNaming42(stored.status());

  // As a plain record.
  const sarea::Result<sarea::Passage> p = sarea::PassageFromRecord(bytes, 42);
  if (!p.ok()) {
    ExpectCorruptionNaming42(p.status());
    return 0;
  }
  if (!stored.ok() || !Same(*stored, *p)) sarea::fuzz::Fail("a plain record read differently");
  const sarea::Result<sarea::Passage> again =
      sarea::PassageFromRecord(sarea::PassageRecord(*p), 42);
  if (!again.ok()) sarea::fuzz::Fail("a passage whose record does not read back");
  if (!Same(*again, *p)) sarea::fuzz::Fail("a passage read back different");
  // Compressed with the dictionary, it reads back the same.
  const sarea::Result<sarea::Passage> unpacked =
      reader.Read(compressor.Encode(std::string(bytes)), 42);
  if (!unpacked.ok() || !Same(*unpacked, *p))
    sarea::fuzz::Fail("a compressed record read back different");
  return 0;
}
