#include "common/schema.h"

#include <xxhash.h>

#include <cstdint>
#include <cstdio>

#include "common/text.h"

namespace sarea::schema {

std::string HashKey(std::string_view s) {
  const XXH64_hash_t h = XXH3_64bits(s.data(), s.size());
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string PassageId(std::string_view doc_id, int position) {
  return HashKey(doc_id) + "-" + std::to_string(position);
}

std::string PassageIdTerm(std::string_view passage_id) {
  return kPassageIdPrefix + std::string(passage_id);
}

std::string DocTerm(std::string_view doc_id) { return kDocPrefix + HashKey(doc_id); }

std::string LangTerm(std::string_view lang) { return kLangPrefix + std::string(lang); }

std::string KeyTermPrefix(std::string_view lang) { return kKeyPrefix + std::string(lang) + ":"; }

std::string KeyTerm(std::string_view lang, std::string_view key) {
  return KeyTermPrefix(lang).append(key);
}

std::string TranslationKeyTerm(std::string_view lang, std::string_view key) {
  return kTranslationKeyPrefix + std::string(lang) + ":" + std::string(key);
}

std::string FormTerm(std::string_view lang, std::string_view folded, std::string_view word) {
  return FormTermPrefix(lang, folded, true).append(word);
}

std::string FormTermPrefix(std::string_view lang, std::string_view folded, bool whole) {
  std::string prefix = kFormPrefix + std::string(lang) + ":" + std::string(folded);
  if (whole) prefix.push_back(' ');
  return prefix;
}

std::string WordOfFormTerm(std::string_view term) {
  if (term.substr(0, 1) != kFormPrefix) return "";
  const std::size_t space = term.find(' ');
  return space == std::string_view::npos ? "" : std::string(term.substr(space + 1));
}

std::string_view FoldedOfFormTerm(std::string_view term) {
  if (term.substr(0, 1) != kFormPrefix) return {};
  const std::size_t colon = term.find(':');
  const std::size_t space = term.find(' ');
  if (colon == std::string_view::npos || space == std::string_view::npos || space < colon)
    return {};
  return term.substr(colon + 1, space - colon - 1);
}

std::string BigramTerm(std::string_view lang, std::string_view first, std::string_view second) {
  return kBigramPrefix + std::string(lang) + ":" + std::string(first) + " " + std::string(second);
}

std::string SecondWordOfBigram(std::string_view term) {
  if (term.substr(0, 1) != kBigramPrefix) return "";
  const std::size_t space = term.find(' ');
  return space == std::string_view::npos ? "" : std::string(term.substr(space + 1));
}

bool ParseFormTerm(std::string_view term, std::string* lang, std::string* word) {
  if (term.substr(0, 1) != kFormPrefix) return false;
  const std::size_t colon = term.find(':');
  const std::size_t space = term.find(' ');
  if (colon == std::string_view::npos || space == std::string_view::npos || space < colon)
    return false;
  *lang = std::string(term.substr(1, colon - 1));
  *word = std::string(term.substr(space + 1));
  return true;
}

std::string SynonymKey(std::string_view text) {
  std::string key;
  // A break iterator costs more to build than a short text to split: one per thread.
  thread_local WordSplitter splitter;
  for (const WordSpan& span : splitter.Split(text)) {
    const std::string word =
        FoldAccents(NormalizeWord(text.substr(span.begin, span.end - span.begin)));
    if (word.empty()) continue;
    if (!key.empty()) key.push_back(' ');
    key += word;
  }
  return key;
}

std::string SynonymMetaKey(std::string_view synonym_key) {
  return kMetaSynonymPrefix + std::string(synonym_key);
}

std::string VocabularyMetaKey(std::string_view term, long count) {
  std::string key = VocabularyMetaPrefix(term);
  key.push_back('\0');
  key += std::to_string(count);
  return key;
}

std::string VocabularyMetaPrefix(std::string_view term_prefix) {
  return kMetaVocabularyPrefix + std::string(term_prefix);
}

bool ParseVocabularyMetaKey(std::string_view key, std::string* term, long* count) {
  const std::string_view prefix = kMetaVocabularyPrefix;
  if (key.substr(0, prefix.size()) != prefix) return false;
  const std::size_t nul = key.rfind('\0');
  if (nul == std::string_view::npos || nul < prefix.size() || nul + 1 == key.size()) return false;
  long n = 0;
  for (const char c : key.substr(nul + 1)) {
    if (c < '0' || c > '9' || n > 100000000000L) return false;
    n = n * 10 + (c - '0');
  }
  *term = std::string(key.substr(prefix.size(), nul - prefix.size()));
  *count = n;
  return true;
}

std::string DocMetaKey(std::string_view doc_id) { return kMetaDocPrefix + HashKey(doc_id); }

std::string FileMetaKey(std::string_view rel_path) { return kMetaFilePrefix + HashKey(rel_path); }

unsigned ShardOf(std::string_view doc_id, unsigned shards) {
  if (shards <= 1) return 0;
  return static_cast<unsigned>(XXH3_64bits(doc_id.data(), doc_id.size()) % shards);
}

}  // namespace sarea::schema
