// Passages: the unit sarea indexes and returns, and their Xapian encoding.
//
// A source document is segmented (segmenter.h), each segment's language is told
// (language_identifier.h), and each passage becomes one Xapian document whose
// terms come from the analyzer (analyzer.h) and whose layout is schema.h's.
#ifndef SAREA_COMMON_PASSAGE_H_
#define SAREA_COMMON_PASSAGE_H_

#include <string>
#include <string_view>
#include <vector>

#include <xapian.h>
#include <nlohmann/json.hpp>

#include "common/analyzer.h"
#include "common/document.h"
#include "common/language_identifier.h"
#include "common/status.h"

namespace sarea {

class RecordCompressor;  // record_codec.h

struct Passage {
  std::string id;  // schema::PassageId(doc, position)
  std::string doc;
  std::string title;
  std::string lang;
  int position = 0;
  std::string text;  // exactly as displayed
  std::string section;
  std::string url;
  std::string translation;  // id of the passage's translation in the document, or ""
};

// The passages of one document, languages told and translations aligned
// (aligner.h), in reading order.
std::vector<Passage> BuildPassages(const SourceDocument& document, LanguageIdentifier& identifier);

// Sets every passage's translation from the aligner (aligner.h): the passages
// of one document, in reading order.
void AlignPassages(std::vector<Passage>& passages);

// Pairs the passages of two documents that the corpus states are translations
// of each other (a .jsonl record's "translation_of"); the statement wins over
// the aligner, so every earlier pairing of these passages is dropped. With as
// many passages on each side they pair in order, as stated; otherwise the
// aligner pairs them, across the two documents only.
void PairStatedTranslations(std::vector<Passage>& a, std::vector<Passage>& b);

// {"id","doc","title","lang","position","text","translation"} plus
// "section"/"url" when set; "translation" is null when there is none.
nlohmann::json PassageToJson(const Passage& passage);

// The passage's index terms in order of first occurrence: its key terms
// (schema::KeyTerm), which is what a query must produce to match it.
std::vector<std::string> PassageKeyTerms(const Passage& passage, Analyzer& analyzer);

// The Xapian document for a passage: every term of schema.h, values and data.
// `translation`, when given, is the passage's twin, whose keys it also carries.
// `vocabulary`, when given, receives the passage's vocabulary entries
// (vocabulary.h), which the writer counts: they are not terms. `compressor`,
// when given, makes the stored data (record_codec.h); else it is the plain
// record.
Xapian::Document ToXapianDocument(const Passage& passage, Analyzer& analyzer,
                                  const Passage* translation = nullptr,
                                  std::vector<std::string>* vocabulary = nullptr,
                                  RecordCompressor* compressor = nullptr);

// The vocabulary entries of a passage, from its text and language.
std::vector<std::string> PassageVocabulary(const Passage& passage, Analyzer& analyzer);

// The passage as document data: a format byte, then every field in a fixed
// order, strings length-prefixed. Not JSON: a search reads it back for every
// hit, and parsing JSON was 6% of a search's CPU (and its keys, repeated in
// every passage, a tenth of the stored data).
std::string PassageRecord(const Passage& passage);

// Reads back what PassageRecord wrote. kCorruption, naming `docid`, if `data`
// is not such a record.
Result<Passage> PassageFromRecord(std::string_view data, Xapian::docid docid);

// PassageFromRecord of the document's data: a plain record only (an index's
// documents are read with record_codec.h's PassageReader).
Result<Passage> FromXapianDocument(const Xapian::Document& document);

}  // namespace sarea

#endif  // SAREA_COMMON_PASSAGE_H_
