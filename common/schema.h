// The index schema: the ONLY place that spells term prefixes, value slots and
// metadata keys. Never renumber a slot or reuse a prefix: indexes on disk depend
// on them. Bump kSchemaVersion when the layout changes.
//
// One Xapian document per passage, with these terms:
//   Q<passage id>                   unique id (boolean)
//   D<doc key>                      the passage's document (boolean; doc key = hash of doc id)
//   L<lang>                         the passage's language (boolean)
//   Z<lang>:<key>                   a match key of a word, with positions (see analyzer.h)
//   U<lang>:<folded> <word>         a spelling seen, keyed by its accent-folded form,
//                                   without positions: the way back from "creacion"
//                                   to "creación"
//   X<lang>:<key>                   a match key of the passage's TRANSLATION (in that
//                                   language), with its positions there: cross-lingual
//                                   retrieval finds a passage through its twin
// Document data is the passage's JSON (see passage_document.h).
#ifndef SAREA_COMMON_SCHEMA_H_
#define SAREA_COMMON_SCHEMA_H_

#include <string>
#include <string_view>

#include <xapian.h>

namespace sarea::schema {

inline constexpr int kSchemaVersion = 2;

// Term prefixes.
inline constexpr char kPassageIdPrefix[] = "Q";
inline constexpr char kDocPrefix[] = "D";
inline constexpr char kLangPrefix[] = "L";
inline constexpr char kKeyPrefix[] = "Z";
inline constexpr char kFormPrefix[] = "U";
inline constexpr char kTranslationKeyPrefix[] = "X";

// Value slots.
inline constexpr Xapian::valueno kSlotDoc = 0;       // document id
inline constexpr Xapian::valueno kSlotLang = 1;      // language code
inline constexpr Xapian::valueno kSlotPosition = 2;  // passage position, sortable_serialise
inline constexpr Xapian::valueno kSlotPair = 3;      // the smaller id of a passage and its
                                                     // translation: collapse key for group=pair

// Metadata keys.
inline constexpr char kMetaSchemaVersion[] = "sarea:schema";      // kSchemaVersion
inline constexpr char kMetaAnalyzerVersion[] = "sarea:analyzer";  // kAnalyzerVersion
inline constexpr char kMetaDocPrefix[] = "sarea:doc:";            // + doc key -> DocRecord JSON
inline constexpr char kMetaFilePrefix[] = "sarea:file:";          // + file key -> FileRecord JSON

// A short stable key for any string: 16 lowercase hex digits of XXH3-64.
std::string HashKey(std::string_view s);

// A passage id: "<doc key>-<position>", URL-safe and stable while the document is.
std::string PassageId(std::string_view doc_id, int position);

std::string PassageIdTerm(std::string_view passage_id);
std::string DocTerm(std::string_view doc_id);
std::string LangTerm(std::string_view lang);
std::string KeyTerm(std::string_view lang, std::string_view key);
// A key of the passage's translation, in the translation's language.
std::string TranslationKeyTerm(std::string_view lang, std::string_view key);
// The prefix shared by every key term of `lang`.
std::string KeyTermPrefix(std::string_view lang);
std::string FormTerm(std::string_view lang, std::string_view folded, std::string_view word);
// The prefix of every form term whose folded form is `folded` (exactly, when
// `whole` is true; or starting with it).
std::string FormTermPrefix(std::string_view lang, std::string_view folded, bool whole);
// The spelling in a form term; "" if `term` is not one.
std::string WordOfFormTerm(std::string_view term);

std::string DocMetaKey(std::string_view doc_id);
std::string FileMetaKey(std::string_view rel_path);

}  // namespace sarea::schema

#endif  // SAREA_COMMON_SCHEMA_H_
