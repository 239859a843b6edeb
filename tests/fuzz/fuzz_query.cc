// The query parser and builder on any bytes as q, with every combination of
// languages, translations and single_database, over the seed index; then the
// query runs, and "did you mean" and completions read the same bytes. No
// crash, no Xapian exception: a query that builds must run.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <xapian.h>

#include "common/analyzer.h"
#include "common/query_builder.h"
#include "common/suggest.h"
#include "tests/fuzz/fuzz_util.h"
#include "tests/fuzz/seed_index.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Xapian::Database db(sarea::fuzz::SeedIndex());
  static sarea::Analyzer analyzer;
  static sarea::QueryBuilder builder(analyzer);
  static const std::vector<std::string> kLangs = sarea::IndexLanguages(db);
  static const std::vector<std::string> kBySize = sarea::LanguagesBySize(db, kLangs);
  sarea::fuzz::Input in(data, size);
  const std::uint8_t control = in.Byte();
  sarea::QueryOptions options;
  options.via_translation = control & 1;
  for (std::size_t i = 0; i < kLangs.size() && i < 5; ++i) {
    if (control & (2 << i)) options.languages.push_back(kLangs[i]);
  }
  options.single_database = control & 0x40;  // readings under OP_MAX, as the server's
  if (options.single_database) options.index_languages = kLangs;  // kept, as the server does
  if (control & 0x80) options.languages.push_back("xx");          // unknown: an error, not a crash
  const std::string_view q = in.Rest();
  const sarea::Result<sarea::BuiltQuery> built = builder.Build(q, {db}, options);
  if (built.ok()) {
    Xapian::Enquire enquire(db);
    enquire.set_query(built->query);
    enquire.get_mset(0, 10, 100);
    sarea::SpellingCorrections(q, db, {db}, kBySize, built->languages, analyzer);
  } else if (built.status().message().empty()) {
    sarea::fuzz::Fail("an error without a message");
  }
  sarea::Complete(q, {db}, kLangs, 8);
  return 0;
}
