// Language identification per passage, with the document as context.
//
// One library call is not enough for short passages: CLD2 labels a six-word
// Spanish bullet Galician with "reliable" set, and knows nothing of the other
// passages. So a passage's evidence is CLD2's top three languages plus the share
// of its words that are stopwords of each language; a passage is decided alone
// only when it is long and CLD2 is sure. The other passages choose among the
// languages of the document's confident passages (or, failing those, the
// collection's expected languages), and take their neighbour's language when
// nothing speaks for any candidate. A short passage of another language keeps
// CLD2's sure answer only if it reads as prose in it: CLD2 is as sure of
// Vietnamese for "auto eth0 iface eth0 inet dhcp" and of Danish for an Apache
// URL, which belong to their document's language like any code.
//
// Not thread-safe (it owns a WordSplitter): one per thread.
#ifndef SAREA_COMMON_LANGUAGE_IDENTIFIER_H_
#define SAREA_COMMON_LANGUAGE_IDENTIFIER_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/text.h"

namespace sarea {

struct LanguageEvidence {
  std::map<std::string, double> scores;  // by language code; higher is likelier
  std::map<std::string, int> stopwords;  // the text's stopwords, counted by language
  std::string best;                      // highest score, or "" when no evidence
  int words = 0;
  bool reliable = false;  // CLD2 says reliable, and its answer is `best`
  bool weak = false;      // CLD2 unsure and not one stopword: a neighbour knows better
  // A command line ("$ ls -l"), or more than a fifth of its words with digits
  // or joiners ("eth0", "2.4", "httpd.apache.org", "unconfined_u:r"): CLD2
  // is sure of some language for any of it.
  bool code = false;
  bool confident = false;  // long enough, not code, and CLD2 sure: decided without context
  // Reads as prose in `best`: not code, no address ("https://"), and one of
  // `best`'s stopwords when sarea has a list for it.
  bool prose = false;
};

struct LanguageIdentifierOptions {
  // The collection's languages: the candidates for a document with no confident
  // passage (a one-line document, a short jsonl record).
  std::vector<std::string> expected = {"en", "es"};
  // A passage needs this many words, and CLD2's reliability, to be decided alone.
  int min_confident_words = 12;
};

class LanguageIdentifier {
 public:
  explicit LanguageIdentifier(LanguageIdentifierOptions options = {});

  // The evidence for one text on its own.
  LanguageEvidence Score(std::string_view text);

  // The language of each passage of one document, in order: hints[i], when
  // non-empty, wins (input markup on the passage itself, such as <p lang>);
  // otherwise a confident reading of the text; otherwise defaults[i], when
  // non-empty (markup on an enclosing element: a chapter's <div lang>, the
  // page's <html lang>, which a translated manual keeps over the paragraphs
  // it left in English); otherwise as described above; "und" when nothing at
  // all can be told. `hints` and `defaults` may be empty.
  std::vector<std::string> IdentifyPassages(const std::vector<std::string>& texts,
                                            const std::vector<std::string>& hints,
                                            const std::vector<std::string>& defaults = {});

 private:
  std::string ChooseAmong(const LanguageEvidence& e,
                          const std::vector<std::string>& candidates) const;

  LanguageIdentifierOptions options_;
  WordSplitter splitter_;
};

}  // namespace sarea

#endif  // SAREA_COMMON_LANGUAGE_IDENTIFIER_H_
