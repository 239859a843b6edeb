// Readers: file bytes to SourceDocuments, one function per format.
//
// Supported: .txt, .md/.markdown, .html/.htm, .jsonl (case-insensitive).
// Every reader validates first: bytes containing NUL ("binary file") or invalid
// UTF-8 ("invalid UTF-8 at byte N") are rejected with kInvalidArgument, and an
// empty or whitespace-only file is rejected with kInvalidArgument ("empty file").
// Readers are pure functions of their input and are safe to call from any thread.
#ifndef SAREA_COMMON_READERS_H_
#define SAREA_COMMON_READERS_H_

#include <string>
#include <string_view>
#include <vector>

#include "common/document.h"
#include "common/status.h"

namespace sarea {

enum class Format { kUnknown, kText, kMarkdown, kHtml, kJsonl };

// The format for a file name, by extension; kUnknown for anything else.
Format FormatForPath(std::string_view path);

// A title from a file name: "dir/creative-cities_network.txt" -> "Creative cities network".
std::string TitleFromPath(std::string_view path);

// What reading one file gave: its documents, and the records that could not be
// read (jsonl only: "line 7: missing \"text\""), which never cost the others.
struct ReadResult {
  std::vector<SourceDocument> documents;
  std::vector<std::string> record_errors;
};

// Reads `bytes`, the content of the file at `rel_path` (relative to the corpus
// root, used as the document id and for the fallback title).
// Errors: kInvalidArgument for unknown formats, binary data, invalid UTF-8, an
// empty file, or a jsonl file none of whose records could be read.
Result<ReadResult> ReadFile(std::string_view rel_path, std::string_view bytes);

// The format readers, for tests and callers that know the format. They assume
// bytes already validated (valid UTF-8, no NUL).
ReadResult ReadText(std::string_view rel_path, std::string_view bytes);
ReadResult ReadMarkdown(std::string_view rel_path, std::string_view bytes);
ReadResult ReadHtml(std::string_view rel_path, std::string_view bytes);
ReadResult ReadJsonl(std::string_view rel_path, std::string_view bytes);

}  // namespace sarea

#endif  // SAREA_COMMON_READERS_H_
