#include "common/schema.h"

#include <xxhash.h>

#include <cstdio>

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

std::string DocMetaKey(std::string_view doc_id) { return kMetaDocPrefix + HashKey(doc_id); }

std::string FileMetaKey(std::string_view rel_path) { return kMetaFilePrefix + HashKey(rel_path); }

}  // namespace sarea::schema
