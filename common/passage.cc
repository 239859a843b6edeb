#include "common/passage.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "common/aligner.h"
#include "common/languages.h"
#include "common/schema.h"
#include "common/segmenter.h"
#include "common/vocabulary.h"

namespace sarea {

std::vector<Passage> BuildPassages(const SourceDocument& document, LanguageIdentifier& identifier) {
  const std::vector<Segment> segments = SegmentDocument(document);
  std::vector<std::string> texts, hints;
  for (const Segment& s : segments) {
    texts.push_back(s.text);
    hints.push_back(s.lang);
  }
  const std::vector<std::string> langs = identifier.IdentifyPassages(texts, hints);
  std::vector<Passage> passages;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const Segment& s = segments[i];
    passages.push_back({schema::PassageId(document.id, s.position), document.id, document.title,
                        langs[i], s.position, s.text, s.section, document.url, ""});
  }
  AlignPassages(passages);
  return passages;
}

void AlignPassages(std::vector<Passage>& passages) {
  std::vector<AlignInput> to_align;
  for (const Passage& p : passages) to_align.push_back({p.lang, p.text});
  const Alignment alignment = AlignTranslations(to_align);
  for (std::size_t i = 0; i < passages.size(); ++i) {
    const int partner = alignment.partner[i];
    passages[i].translation = partner >= 0 ? passages[partner].id : "";
  }
}

void PairStatedTranslations(std::vector<Passage>& a, std::vector<Passage>& b) {
  for (Passage& p : a) p.translation.clear();
  for (Passage& p : b) p.translation.clear();
  if (a.empty() || b.empty()) return;
  if (a.size() == b.size()) {
    for (std::size_t i = 0; i < a.size(); ++i) {
      a[i].translation = b[i].id;
      b[i].translation = a[i].id;
    }
    return;
  }
  // One document after the other is a layout the aligner knows. A passage
  // outside its document's main language (an untranslated leftover) is shown
  // to it as undetermined, so that nothing pairs inside either document.
  std::vector<AlignInput> to_align;
  for (const std::vector<Passage>* side : {&a, &b}) {
    std::map<std::string, int> count;
    for (const Passage& p : *side) ++count[p.lang];
    const std::string main_lang =
        std::max_element(count.begin(), count.end(), [](const auto& x, const auto& y) {
          return x.second < y.second;
        })->first;
    for (const Passage& p : *side)
      to_align.push_back({p.lang == main_lang ? p.lang : std::string(kUndetermined), p.text});
  }
  const Alignment alignment = AlignTranslations(to_align);
  for (std::size_t i = 0; i < a.size(); ++i) {
    const int partner = alignment.partner[i];
    if (partner < static_cast<int>(a.size())) continue;
    a[i].translation = b[partner - a.size()].id;
    b[partner - a.size()].translation = a[i].id;
  }
}

nlohmann::json PassageToJson(const Passage& p) {
  nlohmann::json j = {{"id", p.id},     {"doc", p.doc},           {"title", p.title},
                      {"lang", p.lang}, {"position", p.position}, {"text", p.text}};
  j["translation"] =
      p.translation.empty() ? nlohmann::json(nullptr) : nlohmann::json(p.translation);
  if (!p.section.empty()) j["section"] = p.section;
  if (!p.url.empty()) j["url"] = p.url;
  return j;
}

std::vector<std::string> PassageKeyTerms(const Passage& passage, Analyzer& analyzer) {
  std::vector<std::string> terms;
  std::set<std::string> seen;
  for (const Token& token : analyzer.Analyze(passage.text, passage.lang)) {
    for (const std::string& key : token.keys) {
      std::string term = schema::KeyTerm(passage.lang, key);
      if (seen.insert(term).second) terms.push_back(std::move(term));
    }
  }
  return terms;
}

Xapian::Document ToXapianDocument(const Passage& p, Analyzer& analyzer, const Passage* translation,
                                  std::vector<std::string>* vocabulary) {
  Xapian::Document doc;
  doc.add_boolean_term(schema::PassageIdTerm(p.id));
  doc.add_boolean_term(schema::DocTerm(p.doc));
  doc.add_boolean_term(schema::LangTerm(p.lang));
  const std::vector<Token> tokens = analyzer.Analyze(p.text, p.lang);
  for (const Token& token : tokens) {
    for (const std::string& key : token.keys) {
      doc.add_posting(schema::KeyTerm(p.lang, key), token.position);
    }
  }
  if (vocabulary) *vocabulary = VocabularyTerms(tokens, p.lang);
  if (translation) {
    for (const Token& token : analyzer.Analyze(translation->text, translation->lang)) {
      for (const std::string& key : token.keys) {
        doc.add_posting(schema::TranslationKeyTerm(translation->lang, key), token.position);
      }
    }
  }
  doc.add_value(schema::kSlotPair, translation ? std::min(p.id, translation->id) : p.id);
  doc.add_value(schema::kSlotDoc, p.doc);
  doc.add_value(schema::kSlotId, p.id);
  doc.add_value(schema::kSlotLang, p.lang);
  doc.add_value(schema::kSlotPosition, Xapian::sortable_serialise(p.position));
  doc.set_data(PassageToJson(p).dump());
  return doc;
}

std::vector<std::string> PassageVocabulary(const Passage& passage, Analyzer& analyzer) {
  return VocabularyTerms(analyzer.Analyze(passage.text, passage.lang), passage.lang);
}

Result<Passage> FromXapianDocument(const Xapian::Document& document) {
  const nlohmann::json j = nlohmann::json::parse(document.get_data(), nullptr, false);
  if (!j.is_object() || !j.contains("id") || !j.contains("text") || !j.contains("position")) {
    return Status::Corruption("document " + std::to_string(document.get_docid()) +
                              " holds no passage data");
  }
  Passage p;
  try {
    const nlohmann::json& position = j["position"];
    if (!position.is_number() || !(position.get<double>() >= std::numeric_limits<int>::min() &&
                                   position.get<double>() <= std::numeric_limits<int>::max())) {
      return Status::Corruption("document " + std::to_string(document.get_docid()) +
                                " has malformed passage data: \"position\" is " + position.dump() +
                                ", not a passage's position");
    }
    p.position = position.get<int>();
    p.id = j.value("id", "");
    p.doc = j.value("doc", "");
    p.title = j.value("title", "");
    p.lang = j.value("lang", "");
    p.text = j.value("text", "");
    p.section = j.value("section", "");
    p.url = j.value("url", "");
    if (j.contains("translation") && j["translation"].is_string()) p.translation = j["translation"];
  } catch (const nlohmann::json::exception& e) {
    return Status::Corruption("document " + std::to_string(document.get_docid()) +
                              " has malformed passage data: " + e.what());
  }
  return p;
}

}  // namespace sarea
