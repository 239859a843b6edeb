#include "common/analyzer.h"

#include <algorithm>

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

const std::vector<std::string>& Analyzer::Keys(std::string_view lang, const std::string& word) {
  // The lookup key is built in a buffer kept between calls: no allocation
  // for the words already cached, which is nearly all of them.
  cache_key_.assign(lang.data(), lang.size()).push_back('\0');
  cache_key_.append(word);
  auto it = key_cache_.find(cache_key_);
  if (it != key_cache_.end()) return it->second;
  if (key_cache_.size() >= kMaxCachedWords) key_cache_.clear();
  return key_cache_.emplace(cache_key_, ComputeKeys(lang, word)).first->second;
}

std::vector<Token> Analyzer::Analyze(std::string_view text, std::string_view lang) {
  std::vector<Token> tokens;
  std::uint32_t position = 0;
  for (const WordSpan& span : splitter_.Split(text)) {
    ++position;
    if (span.end - span.begin > kMaxWordBytes) continue;
    Token token;
    token.begin = span.begin;
    token.end = span.end;
    token.position = position;
    token.word = NormalizeWord(text.substr(span.begin, span.end - span.begin));
    if (token.word.empty()) continue;
    token.folded = FoldAccents(token.word);
    token.keys = Keys(lang, token.word);
    token.stopword = IsStopword(lang, token.word);
    tokens.push_back(std::move(token));
  }
  return tokens;
}

}  // namespace sarea
