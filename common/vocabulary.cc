#include "common/vocabulary.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "common/schema.h"

namespace sarea {
namespace {

// Longer entries are not kept: no one completes a word from 60 letters on,
// and the key must stay under Xapian's limit (about 240 bytes).
constexpr std::size_t kMaxTermBytes = 200;

}  // namespace

std::vector<VocabularyEntry> ReadVocabulary(const std::vector<Xapian::Database>& shards,
                                            std::string_view term_prefix, std::size_t limit) {
  // Each shard's first `limit` entries: an entry among the first `limit` of
  // the union is among the first `limit` of every shard that has it.
  const std::string prefix = schema::VocabularyMetaPrefix(term_prefix);
  std::string term;
  long count = 0;
  if (shards.size() == 1) {
    // One database's keys come in term order (a term's key is the term, a
    // NUL and its count): no merge.
    std::vector<VocabularyEntry> entries;
    const Xapian::Database& db = shards.front();
    for (auto it = db.metadata_keys_begin(prefix); it != db.metadata_keys_end(prefix); ++it) {
      if (!schema::ParseVocabularyMetaKey(*it, &term, &count)) continue;
      if (!entries.empty() && entries.back().term == term) {
        entries.back().count += count;  // (one key a term, but as the merge would)
        continue;
      }
      if (entries.size() == limit) break;
      entries.push_back({term, count});
    }
    return entries;
  }
  std::map<std::string, long> counts;
  for (const Xapian::Database& db : shards) {
    std::size_t read = 0;
    for (auto it = db.metadata_keys_begin(prefix);
         it != db.metadata_keys_end(prefix) && read < limit; ++it) {
      if (!schema::ParseVocabularyMetaKey(*it, &term, &count)) continue;
      counts[term] += count;
      ++read;
    }
  }
  std::vector<VocabularyEntry> entries;
  for (auto& [t, c] : counts) {
    if (entries.size() == limit) break;
    entries.push_back({t, c});
  }
  return entries;
}

std::vector<std::string> VocabularyTerms(const std::vector<Token>& tokens, std::string_view lang) {
  std::set<std::string> seen;
  std::vector<std::string> terms;
  const auto add = [&](std::string term) {
    if (term.size() <= kMaxTermBytes && seen.insert(term).second) terms.push_back(std::move(term));
  };
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const Token& token = tokens[i];
    add(schema::FormTerm(lang, token.folded, token.word));
    if (i > 0 && tokens[i - 1].position + 1 == token.position) {
      add(schema::BigramTerm(lang, tokens[i - 1].folded, token.folded));
    }
  }
  return terms;
}

void VocabularyChanges::Count(const std::vector<std::string>& terms, int sign) {
  for (const std::string& term : terms) deltas_[term] += sign;
}

void VocabularyChanges::Apply(Xapian::WritableDatabase& db) {
  std::vector<std::pair<std::string, long>> changes;
  changes.reserve(deltas_.size());
  for (auto& [term, delta] : deltas_) {
    if (delta != 0) changes.emplace_back(term, delta);
  }
  deltas_.clear();
  std::sort(changes.begin(), changes.end());
  // The counts as they are, read in key order with one cursor before anything
  // is written (a write would make the cursor find its place again).
  std::vector<long> before(changes.size(), 0);
  const std::string all = schema::kMetaVocabularyPrefix;
  Xapian::TermIterator it = db.metadata_keys_begin(all);
  std::string term;
  long count = 0;
  for (std::size_t i = 0; i < changes.size() && it != db.metadata_keys_end(all); ++i) {
    const std::string key_prefix = schema::VocabularyMetaPrefix(changes[i].first) + '\0';
    it.skip_to(key_prefix);
    if (it == db.metadata_keys_end(all)) break;
    const std::string key = *it;
    if (key.compare(0, key_prefix.size(), key_prefix) == 0 &&
        schema::ParseVocabularyMetaKey(key, &term, &count)) {
      before[i] = count;
    }
  }
  for (std::size_t i = 0; i < changes.size(); ++i) {
    const auto& [t, delta] = changes[i];
    const long after = std::max(0L, before[i] + delta);
    if (before[i] > 0) db.set_metadata(schema::VocabularyMetaKey(t, before[i]), "");
    if (after > 0) db.set_metadata(schema::VocabularyMetaKey(t, after), "1");
  }
}

}  // namespace sarea
