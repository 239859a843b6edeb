// Dictionary lemmas through Hunspell, for the languages that have a dictionary.
//
// Snowball alone fails some inflections (Spanish "ciudad" -> "ciud" but
// "ciudades" -> "ciudad"); the analyzer also stems each word's dictionary
// lemmas, so a singular and its plural share a key. Only suffix inflection is
// wanted: lemmas that do not start like the word (Hunspell strips prefixes too:
// "propiedad" -> "piedad") are dropped.
#ifndef SAREA_COMMON_LEMMATIZER_H_
#define SAREA_COMMON_LEMMATIZER_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

class Hunspell;

namespace sarea {

class Lemmatizer {
 public:
  // Finds the dictionaries in `dictionary_dir` (Debian: /usr/share/hunspell):
  // es_ES for "es". A missing dictionary leaves that language without lemmas.
  // Each is loaded (~35-100 ms) when first needed, or by Preload().
  explicit Lemmatizer(const std::string& dictionary_dir);
  ~Lemmatizer();
  Lemmatizer(const Lemmatizer&) = delete;
  Lemmatizer& operator=(const Lemmatizer&) = delete;

  // The process-wide instance over the build's dictionary directory.
  static std::shared_ptr<const Lemmatizer> Default();

  // True when `lang` has a dictionary.
  bool Has(std::string_view lang) const;

  // Loads every dictionary not loaded yet. A thread can call it ahead of the
  // work that needs them (sarea-index does, while it scans the corpus);
  // Lemmas() in the meantime waits for the load it needs. Thread-safe.
  void Preload() const;

  // True once `lang`'s dictionary is in memory.
  bool Loaded(std::string_view lang) const;

  // The lemmas of `word` (normalised: lowercase, accents kept) that start like it
  // (the first two letters, accents folded: "luces" -> "luz", not "propiedad" ->
  // "piedad"); empty for unknown words or languages.
  // Thread-safe.
  std::vector<std::string> Lemmas(std::string_view lang, const std::string& word) const;

 private:
  struct Dictionary;
  static ::Hunspell& Load(Dictionary& dictionary);
  std::map<std::string, std::unique_ptr<Dictionary>, std::less<>> dictionaries_;
};

}  // namespace sarea

#endif  // SAREA_COMMON_LEMMATIZER_H_
