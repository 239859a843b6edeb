#include "common/lemmatizer.h"

#include <hunspell/hunspell.hxx>

#include <atomic>
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

}  // namespace

// Hunspell objects are not thread-safe; each is guarded by its own mutex,
// and loaded once, by whichever thread needs it first.
struct Lemmatizer::Dictionary {
  std::string base;  // the path without ".aff" / ".dic"
  std::once_flag once;
  std::atomic<bool> loaded{false};
  std::unique_ptr<Hunspell> hunspell;
  std::mutex mutex;
};

Lemmatizer::Lemmatizer(const std::string& dictionary_dir) {
  for (const auto& [lang, name] : kDictionaries) {
    const std::string base = dictionary_dir + "/" + name;
    if (!Readable(base + ".aff") || !Readable(base + ".dic")) continue;
    auto dictionary = std::make_unique<Dictionary>();
    dictionary->base = base;
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

bool Lemmatizer::Has(std::string_view lang) const { return dictionaries_.count(lang) > 0; }

std::vector<std::string> Lemmatizer::Lemmas(std::string_view lang, const std::string& word) const {
  std::vector<std::string> lemmas;
  const auto it = dictionaries_.find(lang);
  if (it == dictionaries_.end() || word.empty()) return lemmas;
  Hunspell& hunspell = Load(*it->second);
  std::vector<std::string> stems;
  {
    std::lock_guard<std::mutex> lock(it->second->mutex);
    stems = hunspell.stem(word);
  }
  for (auto& stem : stems) {
    if (StartsAlike(word, stem)) lemmas.push_back(NormalizeWord(stem));
  }
  return lemmas;
}

}  // namespace sarea
