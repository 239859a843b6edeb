// The synonyms file: groups of words or phrases that mean the same, in any
// languages mixed, one group per line, entries separated by commas:
//
//   # the creative fields of the network
//   cinema, film, cine
//   crafts and folk art, artesanía y artes populares
//
// Blank lines and lines starting with '#' are ignored. The indexer loads the
// groups into the index's synonym table (schema.h); a query word or quoted
// phrase then also matches every other entry of its group, each read in the
// query's languages like any word.
#ifndef SAREA_COMMON_SYNONYMS_H_
#define SAREA_COMMON_SYNONYMS_H_

#include <string>
#include <string_view>
#include <vector>

namespace sarea {

struct SynonymFile {
  // Each group's entries, whitespace collapsed, duplicates (by SynonymKey) dropped.
  std::vector<std::vector<std::string>> groups;
  // "line N: reason" for each line that was skipped.
  std::vector<std::string> errors;
};

// Parses a synonyms file. A line that is not valid UTF-8, has an entry without
// words, or fewer than two distinct entries is reported and skipped; the other
// lines still count.
SynonymFile ParseSynonyms(std::string_view bytes);

}  // namespace sarea

#endif  // SAREA_COMMON_SYNONYMS_H_
