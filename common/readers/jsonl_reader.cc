// JSON Lines: one document per line,
// {"id", "text", "title"?, "lang"?, "url"?, "translation_of"?}.
// A bad line is reported and skipped; it never costs the other records.
#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/languages.h"
#include "common/readers.h"
#include "common/readers/reader_util.h"

namespace sarea {
namespace {

using nlohmann::json;
using readers_internal::CollapseWhitespace;
using readers_internal::SplitTextBlocks;

// The record's string fields as written, "" when an optional one is absent.
struct Fields {
  std::string id;
  std::string text;
  std::string title;
  std::string lang;
  std::string url;
  std::string translation_of;
};

// Copies `record[name]` into *out. An optional field may be absent or null; a
// present one must be a string. NUL is checked here because "\u0000" escapes
// get past the file-level binary check.
Status ReadString(const json& record, const std::string& name, bool required, std::string* out) {
  const auto it = record.find(name);
  if (it == record.end() || (!required && it->is_null())) {
    return required ? Status::InvalidArgument("missing \"" + name + "\"") : Status::Ok();
  }
  if (!it->is_string()) return Status::InvalidArgument("\"" + name + "\" is not a string");
  *out = it->get<std::string>();
  if (out->find('\0') != std::string::npos) {
    return Status::InvalidArgument("\"" + name + "\" contains a NUL character");
  }
  return Status::Ok();
}

Status ReadFields(const json& record, Fields* fields) {
  const struct {
    const char* name;
    bool required;
    std::string* out;
  } kFields[] = {
      {"id", true, &fields->id},        {"text", true, &fields->text},
      {"title", false, &fields->title}, {"lang", false, &fields->lang},
      {"url", false, &fields->url},     {"translation_of", false, &fields->translation_of}};
  for (const auto& field : kFields) {
    Status status = ReadString(record, field.name, field.required, field.out);
    if (!status.ok()) return status;
  }
  if (fields->id.empty()) return Status::InvalidArgument("empty \"id\"");
  if (fields->translation_of == fields->id) {
    return Status::InvalidArgument("\"translation_of\" names the record itself");
  }
  return Status::Ok();
}

// Parses one non-blank line into *document; the error message is the reason
// alone, without the line number.
Status ParseRecord(std::string_view line, SourceDocument* document) {
  const json record = json::parse(line.begin(), line.end(), /*cb=*/nullptr,
                                  /*allow_exceptions=*/false);
  if (record.is_discarded()) return Status::InvalidArgument("invalid JSON");
  if (!record.is_object()) return Status::InvalidArgument("not a JSON object");
  Fields fields;
  Status status = ReadFields(record, &fields);
  if (!status.ok()) return status;
  document->id = std::move(fields.id);
  document->title = CollapseWhitespace(fields.title);
  if (document->title.empty()) document->title = document->id;
  document->lang = NormalizeLanguageTag(fields.lang);
  document->url = std::move(fields.url);
  document->translation_of = std::move(fields.translation_of);
  document->blocks = SplitTextBlocks(fields.text, document->lang);
  // A record with nothing to index is as useless as an empty file.
  if (document->blocks.empty()) return Status::InvalidArgument("empty \"text\"");
  return Status::Ok();
}

// Reads the record on `line_number` into *result, or records why it cannot.
// `first_line_of_id` maps each accepted id to the line that defined it.
void ReadLine(std::string_view line, std::size_t line_number,
              std::unordered_map<std::string, std::size_t>* first_line_of_id, ReadResult* result) {
  const std::string prefix = "line " + std::to_string(line_number) + ": ";
  SourceDocument document;
  Status status = ParseRecord(line, &document);
  if (!status.ok()) {
    result->record_errors.push_back(prefix + status.message());
    return;
  }
  const auto [it, inserted] = first_line_of_id->emplace(document.id, line_number);
  if (!inserted) {
    result->record_errors.push_back(prefix + "duplicate id \"" + document.id +
                                    "\" (first on line " + std::to_string(it->second) + ")");
    return;
  }
  result->documents.push_back(std::move(document));
}

}  // namespace

ReadResult ReadJsonl(std::string_view /*rel_path*/, std::string_view bytes) {
  ReadResult result;
  std::unordered_map<std::string, std::size_t> first_line_of_id;
  std::size_t line_number = 0;
  while (!bytes.empty()) {
    const std::size_t end = bytes.find('\n');
    std::string_view line = bytes.substr(0, end);
    bytes.remove_prefix(end == std::string_view::npos ? bytes.size() : end + 1);
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // CRLF files
    if (CollapseWhitespace(line).empty()) continue;
    ReadLine(line, line_number, &first_line_of_id, &result);
  }
  return result;
}

}  // namespace sarea
