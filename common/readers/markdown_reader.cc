// Markdown through libcmark (CommonMark): the parsed tree's headings,
// paragraphs and list items, with inline markup reduced to the text it shows.
#include <cmark.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/readers.h"
#include "common/readers/reader_util.h"

namespace sarea {
namespace {

using readers_internal::AppendBlock;
using readers_internal::CollapseWhitespace;

struct NodeDeleter {
  void operator()(cmark_node* node) const { cmark_node_free(node); }
};
struct IterDeleter {
  void operator()(cmark_iter* iter) const { cmark_iter_free(iter); }
};
using NodePtr = std::unique_ptr<cmark_node, NodeDeleter>;
using IterPtr = std::unique_ptr<cmark_iter, IterDeleter>;

// The text a reader sees in `node`'s inlines: emphasis and links reduce to
// their text, code spans to their code, images to their alt text (the image's
// children), line breaks to spaces. Raw inline HTML is markup, so dropped.
std::string InlineText(cmark_node* node) {
  std::string text;
  IterPtr iter(cmark_iter_new(node));
  for (cmark_event_type event = cmark_iter_next(iter.get()); event != CMARK_EVENT_DONE;
       event = cmark_iter_next(iter.get())) {
    if (event != CMARK_EVENT_ENTER) continue;
    cmark_node* current = cmark_iter_get_node(iter.get());
    switch (cmark_node_get_type(current)) {
      case CMARK_NODE_TEXT:
      case CMARK_NODE_CODE:
        if (const char* literal = cmark_node_get_literal(current)) text += literal;
        break;
      case CMARK_NODE_SOFTBREAK:
      case CMARK_NODE_LINEBREAK:
        text += ' ';
        break;
      default:
        break;
    }
  }
  return text;
}

bool IsTextBlock(cmark_node* node) {
  const cmark_node_type type = cmark_node_get_type(node);
  return type == CMARK_NODE_PARAGRAPH || type == CMARK_NODE_HEADING;
}

// An item's own text: its paragraphs (and headings) joined by spaces. Nested
// lists are not part of it: their items become blocks of their own.
std::string ItemText(cmark_node* item) {
  std::string text;
  for (cmark_node* child = cmark_node_first_child(item); child != nullptr;
       child = cmark_node_next(child)) {
    if (IsTextBlock(child)) text += InlineText(child) + ' ';
  }
  return text;
}

bool InsideItem(cmark_node* node) {
  cmark_node* parent = cmark_node_parent(node);
  return parent != nullptr && cmark_node_get_type(parent) == CMARK_NODE_ITEM;
}

// Emits the block for one node entered in document order. Code blocks, HTML
// blocks and thematic breaks are not prose and emit nothing; block quotes and
// lists emit nothing themselves but their contents are visited.
void VisitBlock(cmark_node* node, SourceDocument* document) {
  const cmark_node_type type = cmark_node_get_type(node);
  if (type == CMARK_NODE_ITEM) {
    AppendBlock(&document->blocks, BlockKind::kListItem, ItemText(node), document->lang);
    return;
  }
  if (!IsTextBlock(node) || InsideItem(node)) return;  // an item's text is its block
  if (type == CMARK_NODE_PARAGRAPH) {
    AppendBlock(&document->blocks, BlockKind::kParagraph, InlineText(node), document->lang);
    return;
  }
  const std::string heading = CollapseWhitespace(InlineText(node));
  if (heading.empty()) return;
  if (document->title.empty()) document->title = heading;
  AppendBlock(&document->blocks, BlockKind::kHeading, heading, document->lang,
              cmark_node_get_heading_level(node));
}

}  // namespace

ReadResult ReadMarkdown(std::string_view rel_path, std::string_view bytes) {
  SourceDocument document;
  document.id = std::string(rel_path);
  NodePtr root(cmark_parse_document(bytes.data(), bytes.size(), CMARK_OPT_DEFAULT));
  // The walk is iterative (cmark_iter), so deeply nested quotes or lists cannot
  // exhaust the stack.
  IterPtr iter(cmark_iter_new(root.get()));
  for (cmark_event_type event = cmark_iter_next(iter.get()); event != CMARK_EVENT_DONE;
       event = cmark_iter_next(iter.get())) {
    if (event == CMARK_EVENT_ENTER) VisitBlock(cmark_iter_get_node(iter.get()), &document);
  }
  if (document.title.empty()) document.title = TitleFromPath(rel_path);
  ReadResult result;
  result.documents.push_back(std::move(document));
  return result;
}

}  // namespace sarea
