// ReadFile's validation and dispatch, file-name helpers, and the helpers the
// format readers share (reader_util.h).
#include "common/readers.h"

#include <unicode/uchar.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/readers/reader_util.h"
#include "common/text.h"

namespace sarea {
namespace readers_internal {

std::string CollapseWhitespace(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t length = static_cast<int32_t>(text.size());
  int32_t i = 0;
  while (i < length) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, length, c);
    // Invalid bytes only reach here when a reader is called directly; keep them.
    if (c >= 0 && u_isUWhiteSpace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.append(text.data() + start, static_cast<std::size_t>(i - start));
  }
  return out;
}

void AppendBlock(std::vector<Block>* blocks, BlockKind kind, std::string_view raw,
                 const std::string& lang, int level, bool lang_inherited) {
  std::string text = CollapseWhitespace(raw);
  if (text.empty()) return;
  Block block;
  block.kind = kind;
  block.text = std::move(text);
  block.lang = lang;
  block.lang_inherited = !lang.empty() && lang_inherited;
  block.level = kind == BlockKind::kHeading ? level : 0;
  blocks->push_back(std::move(block));
}

}  // namespace readers_internal

namespace {

using readers_internal::CollapseWhitespace;

std::string_view WithoutBom(std::string_view bytes) {
  constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
  if (bytes.substr(0, kUtf8Bom.size()) == kUtf8Bom) bytes.remove_prefix(kUtf8Bom.size());
  return bytes;
}

// The file name after the last '/' (or '\\', for paths written on Windows).
std::string_view BaseName(std::string_view path) {
  const std::size_t slash = path.find_last_of("/\\");
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// The position of the extension's dot, or npos. A leading dot (".profile")
// starts a hidden file's name, not an extension.
std::size_t ExtensionDot(std::string_view base_name) {
  const std::size_t dot = base_name.rfind('.');
  return dot == 0 ? std::string_view::npos : dot;
}

// The checks every format shares, on the bytes as they are on disk (so the
// offset of invalid UTF-8 is the one a hex editor shows).
Status Validate(std::string_view bytes) {
  if (bytes.size() > static_cast<std::size_t>(INT32_MAX)) {
    return Status::InvalidArgument("file too large");
  }
  if (bytes.find('\0') != std::string_view::npos) return Status::InvalidArgument("binary file");
  const std::size_t bad = FindInvalidUtf8(bytes);
  if (bad != std::string_view::npos) {
    return Status::InvalidArgument("invalid UTF-8 at byte " + std::to_string(bad));
  }
  if (CollapseWhitespace(WithoutBom(bytes)).empty()) return Status::InvalidArgument("empty file");
  return Status::Ok();
}

// A jsonl file fails as a whole only when not one of its records can be read.
Result<ReadResult> ReadJsonlFile(std::string_view rel_path, std::string_view content) {
  ReadResult result = ReadJsonl(rel_path, content);
  if (!result.documents.empty()) return result;
  std::string message = "no readable records";
  if (!result.record_errors.empty()) message += ": " + result.record_errors.front();
  return Status::InvalidArgument(std::move(message));
}

}  // namespace

Format FormatForPath(std::string_view path) {
  const std::string_view base = BaseName(path);
  const std::size_t dot = ExtensionDot(base);
  if (dot == std::string_view::npos) return Format::kUnknown;
  std::string ext(base.substr(dot + 1));
  for (char& ch : ext) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch | 0x20);
  }
  if (ext == "txt") return Format::kText;
  if (ext == "md" || ext == "markdown") return Format::kMarkdown;
  if (ext == "html" || ext == "htm") return Format::kHtml;
  if (ext == "jsonl") return Format::kJsonl;
  return Format::kUnknown;
}

std::string TitleFromPath(std::string_view path) {
  const std::string_view base = BaseName(path);
  std::string stem(base.substr(0, ExtensionDot(base)));
  for (char& ch : stem) {
    if (ch == '-' || ch == '_') ch = ' ';
  }
  std::string title = CollapseWhitespace(stem);
  if (title.empty()) return std::string(base);  // "---.txt": better than nothing
  // Upper-case the first code point with ICU so "élan.txt" gives "Élan".
  int32_t end = 0;
  UChar32 first;
  U8_NEXT(reinterpret_cast<const uint8_t*>(title.data()), end, static_cast<int32_t>(title.size()),
          first);
  if (first < 0) return title;
  std::string upper(U8_MAX_LENGTH, '\0');
  int32_t upper_length = 0;
  UBool error = false;
  U8_APPEND(reinterpret_cast<uint8_t*>(upper.data()), upper_length, U8_MAX_LENGTH, u_toupper(first),
            error);
  if (error) return title;
  upper.resize(static_cast<std::size_t>(upper_length));
  return upper + title.substr(static_cast<std::size_t>(end));
}

Result<ReadResult> ReadFile(std::string_view rel_path, std::string_view bytes) {
  const Format format = FormatForPath(rel_path);
  if (format == Format::kUnknown) return Status::InvalidArgument("unsupported format");
  Status valid = Validate(bytes);
  if (!valid.ok()) return valid;
  const std::string_view content = WithoutBom(bytes);
  switch (format) {
    case Format::kText:
      return ReadText(rel_path, content);
    case Format::kMarkdown:
      return ReadMarkdown(rel_path, content);
    case Format::kHtml:
      return ReadHtml(rel_path, content);
    case Format::kJsonl:
      return ReadJsonlFile(rel_path, content);
    case Format::kUnknown:
      break;
  }
  return Status::Internal("unreachable: unknown format after the check");
}

}  // namespace sarea
