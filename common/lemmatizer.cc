#include "common/lemmatizer.h"

#include <hunspell/hunspell.hxx>

#include <absl/container/flat_hash_map.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>

#include "common/text.h"

namespace sarea {
namespace {

// Which Hunspell dictionary serves which language.
constexpr std::pair<const char*, const char*> kDictionaries[] = {
    {"es", "es_ES"},
};

bool StartsAlike(const std::string& word, const std::string& lemma) {
  const std::string a = FoldAccents(word);
  const std::string b = FoldAccents(lemma);
  return FirstCodePoints(a, 2) == FirstCodePoints(b, 2);
}

bool Readable(const std::string& path) { return std::ifstream(path).good(); }

// What Table() writes first; bump the number when Lemmas() computes otherwise
// (older tables are then ignored).
constexpr std::string_view kTableHeader = "sarea-lemmas 1\n";

// A dictionary file's size and modification time: a table made with another
// file (a new hunspell-es) is not used.
std::string FileIdentity(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return "";
  const auto time = std::filesystem::last_write_time(path, ec);
  if (ec) return "";
  return std::to_string(size) + ":" + std::to_string(time.time_since_epoch().count());
}

// `text` split at `separator`.
std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  for (std::size_t from = 0;;) {
    const std::size_t at = text.find(separator, from);
    parts.push_back(text.substr(from, at == std::string_view::npos ? at : at - from));
    if (at == std::string_view::npos) return parts;
    from = at + 1;
  }
}

using LemmaMap = absl::flat_hash_map<std::string, std::vector<std::string>>;

}  // namespace

// Hunspell objects are not thread-safe; each is guarded by its own mutex,
// and loaded once, by whichever thread needs it first.
struct Lemmatizer::Dictionary {
  std::string base;      // the path without ".aff" / ".dic"
  std::string identity;  // of the two files (FileIdentity), for tables
  std::once_flag once;
  std::atomic<bool> loaded{false};
  std::unique_ptr<Hunspell> hunspell;
  LemmaMap known;  // from a table (Preset): read without the mutex
  std::mutex mutex;
  LemmaMap learned;  // looked up in the dictionary since (under the mutex)
};

Lemmatizer::Lemmatizer(const std::string& dictionary_dir) {
  for (const auto& [lang, name] : kDictionaries) {
    const std::string base = dictionary_dir + "/" + name;
    if (!Readable(base + ".aff") || !Readable(base + ".dic")) continue;
    auto dictionary = std::make_unique<Dictionary>();
    dictionary->base = base;
    dictionary->identity = FileIdentity(base + ".aff") + "/" + FileIdentity(base + ".dic");
    dictionaries_.emplace(lang, std::move(dictionary));
  }
}

Hunspell& Lemmatizer::Load(Dictionary& dictionary) {
  std::call_once(dictionary.once, [&] {
    dictionary.hunspell = std::make_unique<Hunspell>((dictionary.base + ".aff").c_str(),
                                                     (dictionary.base + ".dic").c_str());
    dictionary.loaded = true;
  });
  return *dictionary.hunspell;
}

void Lemmatizer::Preload() const {
  for (const auto& entry : dictionaries_) Load(*entry.second);
}

bool Lemmatizer::Loaded(std::string_view lang) const {
  const auto it = dictionaries_.find(lang);
  return it != dictionaries_.end() && it->second->loaded;
}

Lemmatizer::~Lemmatizer() = default;

std::shared_ptr<const Lemmatizer> Lemmatizer::Default() {
  // Never destroyed: freeing Hunspell's dictionary at exit costs about 20 ms,
  // a tenth of a small incremental indexer run, for memory the exit frees anyway.
  static const auto* const instance =
      new std::shared_ptr<const Lemmatizer>(std::make_shared<const Lemmatizer>(SAREA_HUNSPELL_DIR));
  return *instance;
}

std::shared_ptr<Lemmatizer> Lemmatizer::WithBuildDictionaries() {
  return std::make_shared<Lemmatizer>(SAREA_HUNSPELL_DIR);
}

bool Lemmatizer::Has(std::string_view lang) const { return dictionaries_.count(lang) > 0; }

std::vector<std::string> Lemmatizer::Lemmas(std::string_view lang, const std::string& word) const {
  const auto it = dictionaries_.find(lang);
  if (it == dictionaries_.end() || word.empty()) return {};
  Dictionary& dictionary = *it->second;
  if (const auto known = dictionary.known.find(word); known != dictionary.known.end())
    return known->second;
  return Compute(dictionary, word);
}

// (A change here that changes what Lemmas() returns bumps kTableHeader.)
std::vector<std::string> Lemmatizer::Compute(Dictionary& dictionary,
                                             const std::string& word) const {
  Hunspell& hunspell = Load(dictionary);
  std::lock_guard<std::mutex> lock(dictionary.mutex);
  if (const auto learned = dictionary.learned.find(word); learned != dictionary.learned.end())
    return learned->second;
  std::vector<std::string> lemmas;
  for (auto& stem : hunspell.stem(word)) {
    if (StartsAlike(word, stem)) lemmas.push_back(NormalizeWord(stem));
  }
  if (keep_learned_) dictionary.learned.emplace(word, lemmas);
  return lemmas;
}

// A table: kTableHeader, then per language a line "=<TAB>lang<TAB>identity"
// followed by a line per word: "word<TAB>lemma<TAB>lemma..." (words and
// lemmas are normalised words: no tabs, no line breaks).
std::size_t Lemmatizer::Preset(std::string_view table) {
  keep_learned_ = true;
  if (table.substr(0, kTableHeader.size()) != kTableHeader) return 0;
  table.remove_prefix(kTableHeader.size());
  std::size_t taken = 0;
  // At most a word a line: room for them all at once, not a rehash at every
  // doubling (the handbook's 11,800 words, in a fresh process: 9.2 -> 6.5 ms).
  const auto lines = static_cast<std::size_t>(std::count(table.begin(), table.end(), '\n'));
  Dictionary* into = nullptr;  // the language being read, when its dictionary matches
  for (std::string_view line : Split(table, '\n')) {
    if (line.empty()) continue;
    std::vector<std::string_view> fields = Split(line, '\t');
    if (fields[0] == "=") {
      into = nullptr;
      if (fields.size() != 3) continue;
      const auto it = dictionaries_.find(fields[1]);
      if (it != dictionaries_.end() && it->second->identity == fields[2]) {
        into = it->second.get();
        into->known.reserve(into->known.size() + lines);
      }
      continue;
    }
    if (!into || fields[0].empty()) continue;
    std::vector<std::string> lemmas(fields.begin() + 1, fields.end());
    if (into->known.emplace(std::string(fields[0]), std::move(lemmas)).second) ++taken;
  }
  return taken;
}

std::string Lemmatizer::Table() const {
  std::string table(kTableHeader);
  for (const auto& [lang, dictionary] : dictionaries_) {
    std::vector<std::pair<std::string_view, const std::vector<std::string>*>> words;
    std::lock_guard<std::mutex> lock(dictionary->mutex);
    for (const auto& [word, lemmas] : dictionary->known) words.emplace_back(word, &lemmas);
    for (const auto& [word, lemmas] : dictionary->learned) {
      if (!dictionary->known.contains(word)) words.emplace_back(word, &lemmas);
    }
    if (words.empty()) continue;
    std::sort(words.begin(), words.end());
    table += "=\t" + lang + "\t" + dictionary->identity + "\n";
    for (const auto& [word, lemmas] : words) {
      table += word;
      for (const std::string& lemma : *lemmas) table += "\t" + lemma;
      table += '\n';
    }
  }
  return table;
}

std::size_t Lemmatizer::Learned() const {
  std::size_t n = 0;
  for (const auto& [lang, dictionary] : dictionaries_) {
    std::lock_guard<std::mutex> lock(dictionary->mutex);
    n += dictionary->learned.size();
  }
  return n;
}

}  // namespace sarea
