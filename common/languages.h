// The languages sarea knows: ISO 639-1 codes and the Snowball stemmer of each.
//
// Any well-formed tag ("es", "es-ES", "EU") normalises to a lowercase primary
// subtag. A language with a Snowball stemmer in Xapian 1.4 is analysed with it;
// any other language is still indexed, with words but no stemming. "und" is the
// passage whose language could not be told.
#ifndef SAREA_COMMON_LANGUAGES_H_
#define SAREA_COMMON_LANGUAGES_H_

#include <string>
#include <string_view>
#include <vector>

namespace sarea {

inline constexpr char kUndetermined[] = "und";

// "es-ES" -> "es", " EU " -> "eu"; "spa"/"eng" are not mapped. Returns "" when
// the tag is not 2-3 ASCII letters optionally followed by "-" or "_" and more.
std::string NormalizeLanguageTag(std::string_view tag);

// The Xapian (Snowball) stemmer name for a normalised code ("es" -> "spanish"),
// or "" when Xapian has none.
std::string_view SnowballName(std::string_view code);

// Every code that has a Snowball stemmer, sorted.
std::vector<std::string> StemmedLanguages();

}  // namespace sarea

#endif  // SAREA_COMMON_LANGUAGES_H_
