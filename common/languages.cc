#include "common/languages.h"

#include <algorithm>
#include <cctype>
#include <utility>

namespace sarea {
namespace {

// Xapian 1.4.22's Snowball stemmers, by ISO 639-1 code (Norwegian as "no" and "nb").
constexpr std::pair<std::string_view, std::string_view> kStemmers[] = {
    {"ar", "arabic"},     {"ca", "catalan"}, {"da", "danish"},     {"de", "german"},
    {"en", "english"},    {"es", "spanish"}, {"eu", "basque"},     {"fi", "finnish"},
    {"fr", "french"},     {"ga", "irish"},   {"hu", "hungarian"},  {"hy", "armenian"},
    {"id", "indonesian"}, {"it", "italian"}, {"lt", "lithuanian"}, {"nb", "norwegian"},
    {"ne", "nepali"},     {"nl", "dutch"},   {"no", "norwegian"},  {"pt", "portuguese"},
    {"ro", "romanian"},   {"ru", "russian"}, {"sv", "swedish"},    {"ta", "tamil"},
    {"tr", "turkish"},
};

}  // namespace

std::string NormalizeLanguageTag(std::string_view tag) {
  while (!tag.empty() && std::isspace(static_cast<unsigned char>(tag.front())))
    tag.remove_prefix(1);
  while (!tag.empty() && std::isspace(static_cast<unsigned char>(tag.back()))) tag.remove_suffix(1);
  std::string code;
  for (char c : tag) {
    if (c == '-' || c == '_') break;
    if (!std::isalpha(static_cast<unsigned char>(c))) return "";
    code.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  if (code.size() < 2 || code.size() > 3) return "";
  return code;
}

std::string_view SnowballName(std::string_view code) {
  for (const auto& [c, name] : kStemmers) {
    if (c == code) return name;
  }
  return {};
}

std::vector<std::string> StemmedLanguages() {
  std::vector<std::string> codes;
  for (const auto& entry : kStemmers) codes.emplace_back(entry.first);
  std::sort(codes.begin(), codes.end());
  return codes;
}

}  // namespace sarea
