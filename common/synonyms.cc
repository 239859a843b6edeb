#include "common/synonyms.h"

#include <set>

#include "common/schema.h"
#include "common/text.h"

namespace sarea {
namespace {

std::string Collapse(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

// The group on one line, or the reason it is skipped.
std::string ParseLine(std::string_view line, std::vector<std::string>* group) {
  if (FindInvalidUtf8(line) != std::string_view::npos) return "invalid UTF-8";
  std::set<std::string> keys;
  std::size_t start = 0;
  while (start <= line.size()) {
    std::size_t comma = line.find(',', start);
    if (comma == std::string_view::npos) comma = line.size();
    const std::string entry = Collapse(line.substr(start, comma - start));
    if (schema::SynonymKey(entry).empty()) {
      return entry.empty() ? "an empty entry" : "entry '" + entry + "' has no words";
    }
    if (keys.insert(schema::SynonymKey(entry)).second) group->push_back(entry);
    start = comma + 1;
  }
  if (group->size() < 2) return "a group needs at least two different entries";
  return "";
}

}  // namespace

SynonymFile ParseSynonyms(std::string_view bytes) {
  SynonymFile file;
  std::size_t line_number = 0;
  while (!bytes.empty()) {
    const std::size_t end = bytes.find('\n');
    const std::string_view line = bytes.substr(0, end);
    bytes.remove_prefix(end == std::string_view::npos ? bytes.size() : end + 1);
    ++line_number;
    const std::string trimmed = Collapse(line);
    if (trimmed.empty() || trimmed[0] == '#') continue;
    std::vector<std::string> group;
    const std::string error = ParseLine(line, &group);
    if (error.empty())
      file.groups.push_back(std::move(group));
    else
      file.errors.push_back("line " + std::to_string(line_number) + ": " + error);
  }
  return file;
}

}  // namespace sarea
