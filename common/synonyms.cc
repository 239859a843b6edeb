#include "common/synonyms.h"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

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

std::map<std::string, std::string> SynonymMetadata(const SynonymFile& file) {
  std::map<std::string, std::vector<std::string>> partners;
  for (const std::vector<std::string>& group : file.groups) {
    for (const std::string& entry : group) {
      std::vector<std::string>& mine = partners[schema::SynonymMetaKey(schema::SynonymKey(entry))];
      for (const std::string& other : group) {
        if (&other != &entry && std::find(mine.begin(), mine.end(), other) == mine.end())
          mine.push_back(other);
      }
    }
  }
  std::map<std::string, std::string> metadata;
  for (auto& [key, entries] : partners) {
    std::sort(entries.begin(), entries.end());
    metadata[key] = nlohmann::json(entries).dump();
  }
  return metadata;
}

std::vector<std::string> StoredSynonyms(const Xapian::Database& db, const std::string& key) {
  if (key.empty()) return {};
  const std::string stored = db.get_metadata(schema::SynonymMetaKey(key));
  if (stored.empty()) return {};
  const nlohmann::json j = nlohmann::json::parse(stored, nullptr, false);
  if (!j.is_array()) return {};
  std::vector<std::string> entries;
  for (const nlohmann::json& e : j) {
    if (e.is_string()) entries.push_back(e.get<std::string>());
  }
  return entries;
}

}  // namespace sarea
