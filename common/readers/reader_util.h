// Helpers shared by the format readers (private to common/readers/).
//
// All functions take and return UTF-8 and are pure, so they are thread-safe.
// Bytes that are not valid UTF-8 are copied through unchanged rather than
// rejected: ReadFile validates before any reader runs.
#ifndef SAREA_COMMON_READERS_READER_UTIL_H_
#define SAREA_COMMON_READERS_READER_UTIL_H_

#include <string>
#include <string_view>
#include <vector>

#include "common/document.h"

namespace sarea::readers_internal {

// Trims `text` and replaces every run of Unicode white space (ASCII spaces,
// tabs, CR/LF, NBSP, U+3000...) with one ASCII space. "" when only white space.
std::string CollapseWhitespace(std::string_view text);

// Appends a Block of `kind` whose text is CollapseWhitespace(raw); appends
// nothing when that is empty, so no reader ever produces an empty block.
void AppendBlock(std::vector<Block>* blocks, BlockKind kind, std::string_view raw,
                 const std::string& lang, int level = 0, bool lang_inherited = false);

// Splits plain text into paragraphs and list items, as a .txt file's content
// (rules in text_reader.cc). Every block gets `lang`.
std::vector<Block> SplitTextBlocks(std::string_view text, const std::string& lang);

}  // namespace sarea::readers_internal

#endif  // SAREA_COMMON_READERS_READER_UTIL_H_
