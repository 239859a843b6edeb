// The synonyms file: groups of words or phrases that mean the same, in any
// languages mixed, one group per line, entries separated by commas:
//
//   # the creative fields of the network
//   cinema, film, cine
//   crafts and folk art, artesanía y artes populares
//
// Blank lines and lines starting with '#' are ignored. The indexer stores the
// groups in the index's metadata (schema.h); a query word or quoted
// phrase then also matches every other entry of its group, each read in the
// query's languages like any word.
#ifndef SAREA_COMMON_SYNONYMS_H_
#define SAREA_COMMON_SYNONYMS_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <xapian.h>

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

// The metadata entries that store `file`'s groups: for each entry's
// SynonymMetaKey, the other entries of its group (entries in several groups
// get all their partners).
std::map<std::string, std::string> SynonymMetadata(const SynonymFile& file);

// The entries stored for `key` (a SynonymKey); none when it has no group.
// Reads metadata, which local shards, stubs and remote databases all serve
// (from the first database listed).
std::vector<std::string> StoredSynonyms(const Xapian::Database& db, const std::string& key);

}  // namespace sarea

#endif  // SAREA_COMMON_SYNONYMS_H_
