// The document model every reader produces and the segmenter consumes.
//
// A reader turns a file's bytes into SourceDocuments made of Blocks (headings,
// paragraphs, list items) in reading order, with the exact text a person sees.
// Segmentation into passages (common/segmenter.h) happens afterwards, the same
// way for every format.
#ifndef SAREA_COMMON_DOCUMENT_H_
#define SAREA_COMMON_DOCUMENT_H_

#include <string>
#include <vector>

namespace sarea {

enum class BlockKind {
  kHeading,    // a title or section heading (md "#", html h1-h6)
  kParagraph,  // running text
  kListItem,   // one item of a bulleted or numbered list
};

struct Block {
  BlockKind kind = BlockKind::kParagraph;
  std::string text;  // UTF-8, whitespace collapsed, no markup, entities decoded
  std::string lang;  // language stated by the markup (html lang=, jsonl lang), else ""
  // `lang` is an enclosing element's (a chapter's <div lang>, the page's
  // <html lang>), not the block's own: a default that the text's own clear
  // evidence overrules (an untranslated paragraph in a translated manual).
  bool lang_inherited = false;
  int level = 0;  // heading level 1-6 for kHeading, else 0
};

struct SourceDocument {
  std::string id;     // path relative to the corpus root, or the jsonl record id
  std::string title;  // from the format, else derived from the file name
  std::string lang;   // document-wide language stated by the input, else ""
  std::string url;    // jsonl "url", else ""
  std::vector<Block> blocks;
  // jsonl "translation_of": the id of the document this one is a translation
  // of, anywhere in the corpus; else "". A stated pairing wins over the aligner.
  std::string translation_of;
};

}  // namespace sarea

#endif  // SAREA_COMMON_DOCUMENT_H_
