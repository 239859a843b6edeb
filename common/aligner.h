// Translation alignment: which passage of a document is the translation of which.
//
// Parallel documents keep their translations in the same order in both
// languages whatever the layout (alternating, one language after the other,
// blocks of several, either language first), so the two languages' passage
// sequences are aligned monotonically by dynamic programming, as Gale and
// Church align sentences: each step pairs two passages or leaves one
// unpaired. A pair's score combines the Gale-Church length model (characters
// in one language predict those in the other) with anchors that survive
// translation: numbers, proper names and acronyms, cognates (shared word
// beginnings: "creatividad"/"creativity", weighing most), list structure and
// the number of sentences. Pairs scoring below a confidence threshold are
// left unpaired: a wrong pair is worse than none. So is a document whose
// pairs are too few for a parallel one (under 40% of its less used
// language's passages: untranslated leftovers, an unrelated section). Passages
// in a third language are never paired.
#ifndef SAREA_COMMON_ALIGNER_H_
#define SAREA_COMMON_ALIGNER_H_

#include <string>
#include <vector>

namespace sarea {

struct AlignerOptions {
  // Pairs scoring below this (0..1) are left unpaired.
  double min_confidence = 0.5;
  // No pair is kept when fewer than this share of the less used language's
  // passages pair (the document is not taken for a parallel one). 0 for
  // documents known to be translations of each other.
  double min_parallel_share = 0.4;
};

struct AlignInput {
  std::string lang;
  std::string text;
};

struct Alignment {
  std::vector<int> partner;        // index of each passage's translation, or -1
  std::vector<double> confidence;  // of each pair (0 for unpaired passages)
};

// Aligns the passages of one document. Only the document's two most frequent
// languages ("und" excluded) are paired, with each other.
Alignment AlignTranslations(const std::vector<AlignInput>& passages,
                            const AlignerOptions& options = {});

}  // namespace sarea

#endif  // SAREA_COMMON_ALIGNER_H_
