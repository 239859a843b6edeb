// HTML through gumbo (an HTML5-conformant parser, so malformed pages parse as a
// browser would parse them): the visible text, cut into blocks at block-level
// elements.
#include <gumbo.h>

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/languages.h"
#include "common/readers.h"
#include "common/readers/reader_util.h"

namespace sarea {
namespace {

using readers_internal::AppendBlock;
using readers_internal::CollapseWhitespace;

struct OutputDeleter {
  void operator()(GumboOutput* output) const {
    gumbo_destroy_output(&kGumboDefaultOptions, output);
  }
};
using OutputPtr = std::unique_ptr<GumboOutput, OutputDeleter>;

// How an element's content relates to the blocks around it.
enum class Role {
  kIgnore,  // never rendered as text (script, style...) or not body text (head)
  kInline,  // continues the text around it (span, a, em, unknown elements...)
  kBlock,   // starts and ends a block (p, div, td, li, h1...)
};

// Elements never rendered as text, or not body text (<head>: its <title> is
// read separately).
constexpr GumboTag kIgnoredTags[] = {GUMBO_TAG_HEAD,   GUMBO_TAG_TITLE,    GUMBO_TAG_SCRIPT,
                                     GUMBO_TAG_STYLE,  GUMBO_TAG_NOSCRIPT, GUMBO_TAG_TEMPLATE,
                                     GUMBO_TAG_IFRAME, GUMBO_TAG_NOEMBED,  GUMBO_TAG_NOFRAMES};

// HTML's block-level elements; everything else, unknown elements included,
// flows inline as CSS displays it by default.
constexpr GumboTag kBlockTags[] = {
    GUMBO_TAG_HTML,     GUMBO_TAG_BODY,    GUMBO_TAG_ARTICLE, GUMBO_TAG_SECTION,
    GUMBO_TAG_NAV,      GUMBO_TAG_ASIDE,   GUMBO_TAG_H1,      GUMBO_TAG_H2,
    GUMBO_TAG_H3,       GUMBO_TAG_H4,      GUMBO_TAG_H5,      GUMBO_TAG_H6,
    GUMBO_TAG_HGROUP,   GUMBO_TAG_HEADER,  GUMBO_TAG_FOOTER,  GUMBO_TAG_ADDRESS,
    GUMBO_TAG_P,        GUMBO_TAG_HR,      GUMBO_TAG_PRE,     GUMBO_TAG_BLOCKQUOTE,
    GUMBO_TAG_OL,       GUMBO_TAG_UL,      GUMBO_TAG_LI,      GUMBO_TAG_DL,
    GUMBO_TAG_DT,       GUMBO_TAG_DD,      GUMBO_TAG_FIGURE,  GUMBO_TAG_FIGCAPTION,
    GUMBO_TAG_MAIN,     GUMBO_TAG_DIV,     GUMBO_TAG_TABLE,   GUMBO_TAG_CAPTION,
    GUMBO_TAG_TBODY,    GUMBO_TAG_THEAD,   GUMBO_TAG_TFOOT,   GUMBO_TAG_TR,
    GUMBO_TAG_TD,       GUMBO_TAG_TH,      GUMBO_TAG_FORM,    GUMBO_TAG_FIELDSET,
    GUMBO_TAG_LEGEND,   GUMBO_TAG_DETAILS, GUMBO_TAG_SUMMARY, GUMBO_TAG_MENU,
    GUMBO_TAG_DIR,      GUMBO_TAG_CENTER,  GUMBO_TAG_LISTING, GUMBO_TAG_XMP,
    GUMBO_TAG_PLAINTEXT};

template <std::size_t N>
bool Contains(const GumboTag (&tags)[N], GumboTag tag) {
  return std::find(std::begin(tags), std::end(tags), tag) != std::end(tags);
}

Role RoleOf(GumboTag tag) {
  if (Contains(kIgnoredTags, tag)) return Role::kIgnore;
  return Contains(kBlockTags, tag) ? Role::kBlock : Role::kInline;
}

// 1-6 for h1-h6, else 0. Gumbo keeps its tag enum's order stable (new tags go
// at the end), and h1-h6 are consecutive in it.
int HeadingLevel(GumboTag tag) {
  static_assert(GUMBO_TAG_H6 - GUMBO_TAG_H1 == 5, "gumbo's h1-h6 are consecutive");
  if (tag < GUMBO_TAG_H1 || tag > GUMBO_TAG_H6) return 0;
  return static_cast<int>(tag - GUMBO_TAG_H1) + 1;
}

// What the text being collected becomes once its block ends.
struct Context {
  BlockKind kind = BlockKind::kParagraph;
  int level = 0;
  std::string lang;             // the nearest enclosing lang=, normalised
  bool lang_inherited = false;  // `lang` is not the block element's own lang=
};

// The text of an element's text children (a <title> has only that).
std::string ChildText(const GumboElement& element) {
  std::string text;
  for (unsigned i = 0; i < element.children.length; ++i) {
    const auto* child = static_cast<const GumboNode*>(element.children.data[i]);
    if (child->type == GUMBO_NODE_TEXT) text += child->v.text.text;
  }
  return text;
}

// Collects blocks in document order. Text accumulates until a block-level
// element starts or ends; it then becomes a block of the kind of the innermost
// block it belongs to, so text directly inside a <td> or <div> is kept too.
// The walk keeps its own stack rather than recursing: gumbo builds trees as
// deep as the input nests, and a hostile page must not exhaust the call stack.
class Walker {
 public:
  explicit Walker(SourceDocument* document) : document_(document) {}

  void Walk(const GumboElement& root);

  // The text of the <title> in <head>, collapsed; "" when there is none.
  const std::string& title() const { return title_; }

 private:
  // What leaving an element does to the text collected inside it.
  enum class OnLeave { kNothing, kSpace, kFlush };
  struct Frame {
    const GumboElement* element;
    Context context;  // for the element's children
    OnLeave on_leave;
    unsigned next_child = 0;
  };

  // `outer` is taken by value: callers pass a frame of stack_, which Enter grows.
  void Enter(const GumboElement& element, Context outer);
  void Leave(const Frame& frame);
  void Flush(const Context& context) {
    AppendBlock(&document_->blocks, context.kind, text_, context.lang, context.level,
                context.lang_inherited);
    text_.clear();
  }
  void ReadTitle(const GumboElement& head);

  SourceDocument* document_;
  std::vector<Frame> stack_;
  std::string text_;
  std::string title_;
};

void Walker::Walk(const GumboElement& root) {
  Enter(root, Context{});
  while (!stack_.empty()) {
    Frame& top = stack_.back();
    if (top.next_child == top.element->children.length) {
      const Frame done = std::move(top);
      stack_.pop_back();
      Leave(done);
      continue;
    }
    const auto& child =
        *static_cast<const GumboNode*>(top.element->children.data[top.next_child++]);
    if (child.type == GUMBO_NODE_ELEMENT) {
      Enter(child.v.element, top.context);  // `top` dangles from here on
    } else if (child.type == GUMBO_NODE_TEXT || child.type == GUMBO_NODE_WHITESPACE ||
               child.type == GUMBO_NODE_CDATA) {
      text_ += child.v.text.text;
    }  // else a comment, or a <template> (GUMBO_NODE_TEMPLATE): not rendered
  }
}

void Walker::ReadTitle(const GumboElement& head) {
  for (unsigned i = 0; i < head.children.length && title_.empty(); ++i) {
    const auto* child = static_cast<const GumboNode*>(head.children.data[i]);
    if (child->type == GUMBO_NODE_ELEMENT && child->v.element.tag == GUMBO_TAG_TITLE) {
      title_ = CollapseWhitespace(ChildText(child->v.element));
    }
  }
}

void Walker::Enter(const GumboElement& element, Context outer) {
  if (element.tag == GUMBO_TAG_HEAD) ReadTitle(element);
  if (element.tag == GUMBO_TAG_BR) text_ += ' ';
  const Role role = RoleOf(element.tag);
  if (role == Role::kIgnore) return;
  Context inner = outer;
  const GumboAttribute* own_lang = gumbo_get_attribute(&element.attributes, "lang");
  if (own_lang) inner.lang = NormalizeLanguageTag(own_lang->value);
  if (role == Role::kInline) {
    stack_.push_back({&element, std::move(inner), OnLeave::kNothing});
    return;
  }
  const int level = HeadingLevel(element.tag);
  const bool is_item = element.tag == GUMBO_TAG_LI;
  if (level == 0 && !is_item && outer.kind != BlockKind::kParagraph) {
    // A <p> or <ul> inside an item or heading is part of its text: "A</p><p>B" reads "A B".
    text_ += ' ';
    stack_.push_back({&element, std::move(inner), OnLeave::kSpace});
    return;
  }
  Flush(outer);
  inner.kind = level > 0 ? BlockKind::kHeading
               : is_item ? BlockKind::kListItem
                         : BlockKind::kParagraph;
  inner.level = level;
  inner.lang_inherited = own_lang == nullptr;
  stack_.push_back({&element, std::move(inner), OnLeave::kFlush});
}

void Walker::Leave(const Frame& frame) {
  if (frame.on_leave == OnLeave::kSpace) text_ += ' ';
  if (frame.on_leave == OnLeave::kFlush) Flush(frame.context);
}

std::string FirstHeading(const std::vector<Block>& blocks) {
  for (const Block& block : blocks) {
    if (block.kind == BlockKind::kHeading) return block.text;
  }
  return "";
}

}  // namespace

ReadResult ReadHtml(std::string_view rel_path, std::string_view bytes) {
  SourceDocument document;
  document.id = std::string(rel_path);
  GumboOptions options = kGumboDefaultOptions;
  // Parse errors are of no use here, and gumbo copies the open-element stack
  // into each one: unlimited, a deeply nested page costs memory quadratic in its depth.
  options.max_errors = 0;
  OutputPtr output(gumbo_parse_with_options(&options, bytes.data(), bytes.size()));
  const GumboNode& root = *output->root;  // always <html>, even when the input has none
  if (const GumboAttribute* lang = gumbo_get_attribute(&root.v.element.attributes, "lang")) {
    document.lang = NormalizeLanguageTag(lang->value);
  }
  Walker walker(&document);
  walker.Walk(root.v.element);
  document.title = walker.title();
  if (document.title.empty()) document.title = FirstHeading(document.blocks);
  if (document.title.empty()) document.title = TitleFromPath(rel_path);
  ReadResult result;
  result.documents.push_back(std::move(document));
  return result;
}

}  // namespace sarea
