// Stopword lists per language (Snowball's, embedded at build time).
//
// Stopwords are indexed like any word (so phrases stay exact) but a free-text
// query drops them, and language identification counts them as evidence.
#ifndef SAREA_COMMON_STOPWORDS_H_
#define SAREA_COMMON_STOPWORDS_H_

#include <string>
#include <string_view>
#include <vector>

namespace sarea {

// True when `word` (normalised: lowercase, accents kept) is a stopword of
// `lang`. Languages without a list have no stopwords. Thread-safe.
bool IsStopword(std::string_view lang, std::string_view word);

// The languages `word` (normalised) is a stopword of, sorted; one lookup.
const std::vector<std::string>& StopwordLanguagesOf(std::string_view word);

// The languages that have a stopword list, sorted.
std::vector<std::string> StopwordLanguages();

}  // namespace sarea

#endif  // SAREA_COMMON_STOPWORDS_H_
