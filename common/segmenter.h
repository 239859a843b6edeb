// Segmentation: a SourceDocument's blocks become passages (paragraphs).
//
// A paragraph starts a passage. A run of list items belongs to the passage that
// introduces it: the paragraph right before the run ("...civil society to:"
// followed by four bullets is one passage). A run with no paragraph before it in
// its section is a passage of its own. Headings start a new section and are not
// passages; they are kept as the section of the passages under them.
#ifndef SAREA_COMMON_SEGMENTER_H_
#define SAREA_COMMON_SEGMENTER_H_

#include <string>
#include <vector>

#include "common/document.h"

namespace sarea {

struct Segment {
  int position = 0;  // 0-based, in reading order
  std::string text;  // lead-in, then "\n- item" per list item
  std::string lang;  // language stated by the markup for the lead block, or ""
  // Language stated by an element enclosing the lead block (Block::lang_inherited),
  // or "": a default, not a verdict. At most one of `lang` and this is set.
  std::string default_lang;
  std::string section;  // text of the nearest heading above, or ""
};

std::vector<Segment> SegmentDocument(const SourceDocument& document);

}  // namespace sarea

#endif  // SAREA_COMMON_SEGMENTER_H_
