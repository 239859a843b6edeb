// The index schema: the ONLY place that spells term prefixes, value slots and
// metadata keys. Never renumber a slot or reuse a prefix: indexes on disk depend
// on them. Bump kSchemaVersion when the layout changes.
//
// One Xapian document per passage, with these terms:
//   Q<passage id>                   unique id (boolean)
//   D<doc key>                      the passage's document (boolean; doc key = hash of doc id)
//   L<lang>                         the passage's language (boolean)
//   Z<lang>:<key>                   a match key of a word, with positions (see analyzer.h)
//   X<lang>:<key>                   a match key of the passage's TRANSLATION (in that
//                                   language), with its positions there: cross-lingual
//                                   retrieval finds a passage through its twin
// The vocabulary (vocabulary.h), in metadata (VocabularyMetaKey): each entry
// with the number of passages that have it, summed over shards when read:
//   U<lang>:<folded> <word>         a spelling seen, keyed by its accent-folded form:
//                                   the way back from "creacion" to "creación"
//   K<lang>:<folded> <folded>       two consecutive words, accent-folded:
//                                   completions of "ciudades crea"
// Until schema 5 these were terms of every passage; as metadata the writer keeps
// one entry per distinct spelling or pair instead of a posting and a termlist
// entry per passage (the handbook x100: full build 876 -> 474 s, index 1771 ->
// 1200 MB).
// No spelling table: "did you mean" reads the vocabulary (suggest.h; until
// schema 6 it was Xapian's spelling table, whose language markers made every
// lookup scan a whole language).
// Synonyms, in metadata (SynonymMetaKey): the accent-folded words of an entry of
// the corpus's synonyms.txt (SynonymKey) -> a JSON array of the other entries of
// its group, as written. Metadata, not Xapian's synonym table, because the remote
// backend serves metadata and no synonyms; every shard holds them all.
// A sharded index (--shards N >= 2) puts each document, with all its passages
// and its records, in shard ShardOf(doc id, N); the corpus-wide records (files,
// versions, synonyms) are in shard 0, versions and synonyms in every shard.
// Document data is the passage's record (passage.h: PassageRecord; until schema 7
// it was the passage's JSON), compressed with the index's dictionary when it has
// one (record_codec.h; since schema 8).
#ifndef SAREA_COMMON_SCHEMA_H_
#define SAREA_COMMON_SCHEMA_H_

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>

#include <xapian.h>

namespace sarea::schema {

inline constexpr int kSchemaVersion = 9;

// Ranking: BM25 (k1 = 1, b = 0.5, Xapian's defaults), its length normalisation
// done when the passage is indexed. A key term's wdf is not the key's count c
// in the passage but Impact(c, n) = round(kWdfScale * c / N), with
//   N = (1 - b) + b * max(n / kPivotLength, 0.5)
// where n is the number of key postings of the passage (of its translation,
// for a translation key term). Weighting(), BM25 with b = 0 and k1 scaled by
// kWdfScale, then gives each match BM25's weight times a constant, so BM25's
// order, without reading every match's document length: at 100 copies of the
// handbook, one seek and a chunk decoded per match, over half a search's CPU
// (until schema 8 the wdf was the count). The pivot is a constant, not the
// index's mean length, so a passage weighs the same whenever it was indexed
// and in whichever shard (the handbook's mean is 40 keys).
inline constexpr double kBm25K1 = 1.0;
inline constexpr double kBm25B = 0.5;
inline constexpr double kPivotLength = 40;
inline constexpr Xapian::termcount kWdfScale = 64;

inline Xapian::termcount Impact(Xapian::termcount count, Xapian::termcount keys) {
  const double n = (1 - kBm25B) + kBm25B * std::max(keys / kPivotLength, 0.5);
  const double wdf = std::round(kWdfScale * count / n);
  return wdf < 1 ? 1 : static_cast<Xapian::termcount>(wdf);
}

inline Xapian::BM25Weight Weighting() {
  return Xapian::BM25Weight(kBm25K1 * kWdfScale, 0, 1, 0, 0.5);
}

// Term prefixes (U and K name vocabulary entries, which are not terms).
inline constexpr char kPassageIdPrefix[] = "Q";
inline constexpr char kDocPrefix[] = "D";
inline constexpr char kLangPrefix[] = "L";
inline constexpr char kKeyPrefix[] = "Z";
inline constexpr char kFormPrefix[] = "U";
inline constexpr char kTranslationKeyPrefix[] = "X";
inline constexpr char kBigramPrefix[] = "K";

// Value slots.
inline constexpr Xapian::valueno kSlotDoc = 0;       // document id
inline constexpr Xapian::valueno kSlotLang = 1;      // language code
inline constexpr Xapian::valueno kSlotPosition = 2;  // passage position, sortable_serialise
inline constexpr Xapian::valueno kSlotPair = 3;      // the smaller id of a passage and its
                                                     // translation: collapse key for group=pair
inline constexpr Xapian::valueno kSlotId = 4;        // passage id: orders hits of equal weight
                                                     // the same however the index is sharded

// The first byte of a passage's document data (passage.h, record_codec.h).
inline constexpr char kRecordPlain = 0x01;       // PassageRecord's fields (Xapian deflates it)
inline constexpr char kRecordCompressed = 0x02;  // a zstd frame of a plain record

// Metadata keys.
inline constexpr char kMetaSchemaVersion[] = "sarea:schema";      // kSchemaVersion
inline constexpr char kMetaAnalyzerVersion[] = "sarea:analyzer";  // kAnalyzerVersion
inline constexpr char kMetaDocPrefix[] = "sarea:doc:";            // + doc key -> DocRecord JSON
inline constexpr char kMetaFilePrefix[] = "sarea:file:";          // + file key -> FileRecord JSON
inline constexpr char kMetaSynonyms[] = "sarea:synonyms";         // hash of the synonyms loaded
inline constexpr char kMetaSynonymPrefix[] = "sarea:synonym:";    // + SynonymKey -> JSON array
inline constexpr char kMetaVocabularyPrefix[] = "sarea:v:";       // + VocabularyMetaKey
inline constexpr char kMetaCommit[] = "sarea:commit";  // sharded: the indexer's commit stamp
// The zstd dictionary of compressed passage records (record_codec.h), in every shard.
inline constexpr char kMetaRecordDictionary[] = "sarea:records:dictionary";
// The indexer's table of the lemmas it looked up (Lemmatizer::Table()), in shard 0:
// a run that finds its words there loads no dictionary. Not index content.
inline constexpr char kMetaLemmas[] = "sarea:lemmas";

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
// The accent-folded form in a form term (a view into `term`); "" if `term` is
// not one.
std::string_view FoldedOfFormTerm(std::string_view term);

// Two consecutive accent-folded words. With `second` cut short, it is the
// prefix of every bigram whose second word starts with it.
std::string BigramTerm(std::string_view lang, std::string_view first, std::string_view second);
// The second word of a bigram term; "" if `term` is not one.
std::string SecondWordOfBigram(std::string_view term);

// The language and spelling of a form term; false if `term` is not one.
bool ParseFormTerm(std::string_view term, std::string* lang, std::string* word);

// The synonym-table key of a word or phrase: its words accent-folded and
// case-folded, joined by single spaces ("Artes  Populares" -> "artes populares").
// "" when it has no words.
std::string SynonymKey(std::string_view text);

std::string SynonymMetaKey(std::string_view synonym_key);

// The metadata key of a vocabulary entry (a form or bigram "term") seen in
// `count` passages: kMetaVocabularyPrefix + term + NUL + count in decimal. The
// count is in the key, not the value, so that one scan of a prefix reads the
// entries with their counts (one exchange with a remote shard, not one each).
std::string VocabularyMetaKey(std::string_view term, long count);
// The key prefix of every entry whose term starts with `term_prefix`.
std::string VocabularyMetaPrefix(std::string_view term_prefix);
// The term and count of a vocabulary key; false if `key` is not one.
bool ParseVocabularyMetaKey(std::string_view key, std::string* term, long* count);
std::string DocMetaKey(std::string_view doc_id);
std::string FileMetaKey(std::string_view rel_path);

// The shard (0 .. shards-1) of a document in an index of `shards` shards: a
// stable hash of its id, the same on every machine and in every run.
unsigned ShardOf(std::string_view doc_id, unsigned shards);

}  // namespace sarea::schema

#endif  // SAREA_COMMON_SCHEMA_H_
