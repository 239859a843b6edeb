#include "common/analyzer.h"

#include <algorithm>
#include <functional>

#include "common/languages.h"
#include "common/stopwords.h"

namespace sarea {
namespace {

// Bounds the key cache; Zipf's law makes even a small cache hit most words.
constexpr std::size_t kMaxCachedWords = 200000;

void AddUnique(std::vector<std::string>& keys, std::string key) {
  if (!key.empty() && std::find(keys.begin(), keys.end(), key) == keys.end()) {
    keys.push_back(std::move(key));
  }
}

}  // namespace

std::uint32_t KeySignature(std::string_view key) {
  return std::uint32_t{1} << (std::hash<std::string_view>{}(key) % 32);
}

Analyzer::Analyzer(std::shared_ptr<const Lemmatizer> lemmatizer)
    : lemmatizer_(lemmatizer ? std::move(lemmatizer) : Lemmatizer::Default()) {}

Xapian::Stem& Analyzer::StemmerFor(std::string_view lang) {
  auto it = stemmers_.find(lang);
  if (it == stemmers_.end()) {
    const std::string_view name = SnowballName(lang);
    it = stemmers_
             .emplace(std::string(lang),
                      name.empty() ? Xapian::Stem() : Xapian::Stem(std::string(name)))
             .first;
  }
  return it->second;
}

std::vector<std::string> Analyzer::ComputeKeys(std::string_view lang, const std::string& word) {
  Xapian::Stem& stem = StemmerFor(lang);
  std::vector<std::string> keys;
  AddUnique(keys, FoldAccents(stem(word)));
  for (const std::string& lemma : lemmatizer_->Lemmas(lang, word)) {
    AddUnique(keys, FoldAccents(stem(lemma)));
  }
  if (keys.empty()) keys.push_back(FoldAccents(word));
  return keys;
}

CachedWord Analyzer::ComputeWord(std::string_view lang, std::string_view raw) {
  auto w = std::make_unique<AnalyzedWord>();
  CachedWord entry;
  w->word = NormalizeWord(raw);
  if (!w->word.empty()) {
    w->folded = FoldAccents(w->word);
    w->keys = ComputeKeys(lang, w->word);
    w->stopword = IsStopword(lang, w->word);
    for (const std::string& key : w->keys) entry.key_signature |= KeySignature(key);
  }
  entry.analysis = std::move(w);
  return entry;
}

const CachedWord& Analyzer::Entry(std::string_view lang, std::string_view raw) {
  // The lookup key is built in a buffer kept between calls: no allocation
  // for the words already cached, which is nearly all of them.
  cache_key_.assign(lang.data(), lang.size()).push_back('\0');
  cache_key_.append(raw.data(), raw.size());
  auto it = word_cache_.find(cache_key_);
  if (it != word_cache_.end()) return it->second;
  if (word_cache_.size() >= kMaxCachedWords) word_cache_.clear();
  return word_cache_.emplace(cache_key_, ComputeWord(lang, raw)).first->second;
}

const AnalyzedWord& Analyzer::Word(std::string_view lang, std::string_view raw) {
  return *Entry(lang, raw);
}

const std::vector<std::string>& Analyzer::Keys(std::string_view lang, const std::string& word) {
  return Word(lang, word).keys;
}

std::vector<Token> Analyzer::Analyze(std::string_view text, std::string_view lang) {
  std::vector<Token> tokens;
  ForEachWord(
      text, lang,
      [&](std::size_t begin, std::size_t end, std::uint32_t position, const CachedWord& cached) {
        const AnalyzedWord& w = *cached;
        Token& token = tokens.emplace_back();
        token.begin = begin;
        token.end = end;
        token.position = position;
        token.word = w.word;
        token.folded = w.folded;
        token.keys = w.keys;
        token.stopword = w.stopword;
      });
  return tokens;
}

bool Analyzer::KeysBeginLikeTheirWord(std::string_view lang) {
  static constexpr std::string_view kChecked[] = {"ca", "de", "en", "es", "eu", "fr", "it", "pt"};
  return SnowballName(lang).empty() ||
         std::find(std::begin(kChecked), std::end(kChecked), lang) != std::end(kChecked);
}

}  // namespace sarea
