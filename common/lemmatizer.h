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
  // A new instance over the build's dictionary directory, for a user of its
  // own table (Preset).
  static std::shared_ptr<Lemmatizer> WithBuildDictionaries();

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
  // "piedad"); empty for unknown words or languages. From the known table
  // (Preset) when it has the word, else from the dictionary, which then loads.
  // Thread-safe.
  std::vector<std::string> Lemmas(std::string_view lang, const std::string& word) const;

  // Lemmas known ahead: takes the words of `table` (as Table() wrote it) for
  // each language whose dictionary is the one it was made with (same files,
  // sizes and times), so that Lemmas() loads no dictionary for them (~50 ms:
  // most of a small incremental indexer run), and from then on keeps every
  // word it looks up in a dictionary, for Table(). Returns the number of words
  // taken; 0 for an empty, malformed or stale table. Call it before any
  // Lemmas() call: it is not thread-safe. (Without it nothing is kept: a
  // server's lemmatizer sees whatever words queries bring.)
  std::size_t Preset(std::string_view table);
  // The words known and looked up in a dictionary since, with their lemmas,
  // for Preset() in a later process (sarea-index keeps it in the index).
  std::string Table() const;
  // How many words were looked up in a dictionary since Preset().
  std::size_t Learned() const;

 private:
  struct Dictionary;
  static ::Hunspell& Load(Dictionary& dictionary);
  std::vector<std::string> Compute(Dictionary& dictionary, const std::string& word) const;
  std::map<std::string, std::unique_ptr<Dictionary>, std::less<>> dictionaries_;
  bool keep_learned_ = false;  // since Preset()
};

}  // namespace sarea

#endif  // SAREA_COMMON_LEMMATIZER_H_
