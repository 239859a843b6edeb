// Plain text: paragraphs and list items recovered from line structure alone.
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/readers.h"
#include "common/readers/reader_util.h"

namespace sarea {
namespace readers_internal {
namespace {

enum class LineKind { kBlank, kPlain, kItem };

struct Line {
  LineKind kind = LineKind::kBlank;
  std::string_view text;  // for kItem, the text after the marker
  bool indented = false;  // starts with a space or a tab
};

// Where an item's text starts after "- ", "* ", "1. " or "1) " (leading spaces
// and tabs allowed), or npos when the line is not a list item. Up to 9 digits,
// as in CommonMark.
std::size_t ItemTextStart(std::string_view line) {
  std::size_t i = line.find_first_not_of(" \t");
  if (i == std::string_view::npos) return std::string_view::npos;
  if (line[i] == '-' || line[i] == '*') {
    ++i;
  } else {
    const std::size_t digits_end = line.find_first_not_of("0123456789", i);
    if (digits_end == i || digits_end == std::string_view::npos || digits_end - i > 9) {
      return std::string_view::npos;
    }
    if (line[digits_end] != '.' && line[digits_end] != ')') return std::string_view::npos;
    i = digits_end + 1;
  }
  if (i >= line.size() || (line[i] != ' ' && line[i] != '\t')) return std::string_view::npos;
  return i + 1;
}

Line ClassifyLine(std::string_view text) {
  Line line;
  line.text = text;
  line.indented = !text.empty() && (text[0] == ' ' || text[0] == '\t');
  if (CollapseWhitespace(text).empty()) return line;
  const std::size_t item_start = ItemTextStart(text);
  line.kind = item_start == std::string_view::npos ? LineKind::kPlain : LineKind::kItem;
  if (line.kind == LineKind::kItem) line.text = text.substr(item_start);
  return line;
}

// Lines end at "\n", "\r\n" or a lone "\r"; the last line needs no terminator.
std::vector<Line> SplitLines(std::string_view text) {
  std::vector<Line> lines;
  while (!text.empty()) {
    const std::size_t end = text.find_first_of("\r\n");
    lines.push_back(ClassifyLine(text.substr(0, end)));
    if (end == std::string_view::npos) break;
    const bool crlf = text[end] == '\r' && end + 1 < text.size() && text[end + 1] == '\n';
    text.remove_prefix(end + (crlf ? 2 : 1));
  }
  return lines;
}

// True when a blank line separates two non-list lines somewhere: the text is
// hard-wrapped with blank-line paragraphs, so its single newlines are wrapping.
bool HasBlankLineParagraphs(const std::vector<Line>& lines) {
  bool previous_plain = false;  // the last non-blank line was plain
  bool blank_since = false;
  for (const Line& line : lines) {
    if (line.kind == LineKind::kBlank) {
      blank_since = true;
      continue;
    }
    const bool plain = line.kind == LineKind::kPlain;
    if (plain && previous_plain && blank_since) return true;
    previous_plain = plain;
    blank_since = false;
  }
  return false;
}

// Accumulates the lines of one block until something ends it.
class BlockBuilder {
 public:
  BlockBuilder(std::vector<Block>* blocks, const std::string& lang)
      : blocks_(blocks), lang_(lang) {}

  void Start(BlockKind kind, std::string_view text) {
    Flush();
    kind_ = kind;
    text_ = text;
  }
  void Continue(std::string_view text) {
    text_ += ' ';
    text_ += text;
  }
  bool empty() const { return text_.empty(); }
  BlockKind kind() const { return kind_; }
  void Flush() {
    AppendBlock(blocks_, kind_, text_, lang_);
    text_.clear();
  }

 private:
  std::vector<Block>* blocks_;
  const std::string& lang_;
  BlockKind kind_ = BlockKind::kParagraph;
  std::string text_;
};

// A plain line continues the block being built when lines are wrapped: always
// after a paragraph line, and after a list item only when indented (otherwise
// it is the text that follows the list).
bool ContinuesBlock(const BlockBuilder& builder, const Line& line) {
  if (builder.empty()) return false;
  return builder.kind() == BlockKind::kParagraph || line.indented;
}

}  // namespace

std::vector<Block> SplitTextBlocks(std::string_view text, const std::string& lang) {
  const std::vector<Line> lines = SplitLines(text);
  const bool wrapped = HasBlankLineParagraphs(lines);
  std::vector<Block> blocks;
  BlockBuilder builder(&blocks, lang);
  for (const Line& line : lines) {
    if (line.kind == LineKind::kBlank) {
      builder.Flush();
    } else if (line.kind == LineKind::kItem) {
      builder.Start(BlockKind::kListItem, line.text);
    } else if (wrapped && ContinuesBlock(builder, line)) {
      builder.Continue(line.text);
    } else {
      builder.Start(BlockKind::kParagraph, line.text);
    }
  }
  builder.Flush();
  return blocks;
}

}  // namespace readers_internal

ReadResult ReadText(std::string_view rel_path, std::string_view bytes) {
  SourceDocument document;
  document.id = std::string(rel_path);
  document.title = TitleFromPath(rel_path);
  document.blocks = readers_internal::SplitTextBlocks(bytes, document.lang);
  ReadResult result;
  result.documents.push_back(std::move(document));
  return result;
}

}  // namespace sarea
