#include "common/segmenter.h"

namespace sarea {

std::vector<Segment> SegmentDocument(const SourceDocument& document) {
  std::vector<Segment> segments;
  std::string section;
  // Whether list items may still join the last segment: only right after its
  // lead-in paragraph or after items already joined, within one section.
  bool open_for_items = false;
  for (const Block& block : document.blocks) {
    if (block.text.empty()) continue;
    switch (block.kind) {
      case BlockKind::kHeading:
        section = block.text;
        open_for_items = false;
        break;
      case BlockKind::kParagraph:
        segments.push_back({static_cast<int>(segments.size()), block.text,
                            block.lang.empty() ? document.lang : block.lang, section});
        open_for_items = true;
        break;
      case BlockKind::kListItem:
        if (!open_for_items) {
          segments.push_back({static_cast<int>(segments.size()), "- " + block.text,
                              block.lang.empty() ? document.lang : block.lang, section});
          open_for_items = true;
        } else {
          segments.back().text += "\n- " + block.text;
        }
        break;
    }
  }
  return segments;
}

}  // namespace sarea
