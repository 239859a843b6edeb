#include "common/segmenter.h"

namespace sarea {

namespace {

Segment MakeSegment(int position, std::string text, const Block& block,
                    const SourceDocument& document, const std::string& section) {
  Segment s{position, std::move(text), "", "", section};
  if (block.lang.empty())
    s.lang = document.lang;
  else
    (block.lang_inherited ? s.default_lang : s.lang) = block.lang;
  return s;
}

}  // namespace

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
        segments.push_back(
            MakeSegment(static_cast<int>(segments.size()), block.text, block, document, section));
        open_for_items = true;
        break;
      case BlockKind::kListItem:
        if (!open_for_items) {
          segments.push_back(MakeSegment(static_cast<int>(segments.size()), "- " + block.text,
                                         block, document, section));
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
