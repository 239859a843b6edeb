#include "common/passage.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <string_view>

#include "common/aligner.h"
#include "common/languages.h"
#include "common/record_codec.h"
#include "common/schema.h"
#include "common/segmenter.h"
#include "common/vocabulary.h"

namespace sarea {
namespace {

void PutVarint(std::string& out, std::uint64_t v) {
  for (; v >= 0x80; v >>= 7) out.push_back(static_cast<char>((v & 0x7F) | 0x80));
  out.push_back(static_cast<char>(v));
}

void PutString(std::string& out, std::string_view s) {
  PutVarint(out, s.size());
  out.append(s);
}

// Reads a record's fields in order; each read fails rather than go past the end.
class RecordReader {
 public:
  explicit RecordReader(std::string_view data) : rest_(data) {}

  bool Varint(std::uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64 && !rest_.empty(); shift += 7) {
      const auto byte = static_cast<unsigned char>(rest_.front());
      rest_.remove_prefix(1);
      *v |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
      if (!(byte & 0x80)) return true;
    }
    return false;
  }
  bool String(std::string* s) {
    std::uint64_t size = 0;
    if (!Varint(&size) || size > rest_.size()) return false;
    s->assign(rest_.data(), size);
    rest_.remove_prefix(size);
    return true;
  }
  std::size_t left() const { return rest_.size(); }

 private:
  std::string_view rest_;
};

// Each token's keys as terms (`term` of a key) with their positions, each
// term's wdf its impact in these tokens (schema::Impact).
template <typename TermOf>
void AddKeyTerms(Xapian::Document& doc, const std::vector<Token>& tokens, TermOf term) {
  std::map<std::string, Xapian::termcount> counts;
  Xapian::termcount keys = 0;
  for (const Token& token : tokens) {
    for (const std::string& key : token.keys) {
      std::string name = term(key);
      doc.add_posting(name, token.position, 0);
      ++counts[std::move(name)];
      ++keys;
    }
  }
  for (const auto& [name, count] : counts) doc.add_term(name, schema::Impact(count, keys));
}

}  // namespace

std::vector<Passage> BuildPassages(const SourceDocument& document, LanguageIdentifier& identifier) {
  const std::vector<Segment> segments = SegmentDocument(document);
  std::vector<std::string> texts, hints, defaults;
  for (const Segment& s : segments) {
    texts.push_back(s.text);
    hints.push_back(s.lang);
    defaults.push_back(s.default_lang);
  }
  const std::vector<std::string> langs = identifier.IdentifyPassages(texts, hints, defaults);
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
  // (The documents are stated to be translations: however few pairs.)
  AlignerOptions options;
  options.min_parallel_share = 0;
  const Alignment alignment = AlignTranslations(to_align, options);
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
                                  std::vector<std::string>* vocabulary,
                                  RecordCompressor* compressor) {
  Xapian::Document doc;
  doc.add_boolean_term(schema::PassageIdTerm(p.id));
  doc.add_boolean_term(schema::DocTerm(p.doc));
  doc.add_boolean_term(schema::LangTerm(p.lang));
  const std::vector<Token> tokens = analyzer.Analyze(p.text, p.lang);
  AddKeyTerms(doc, tokens, [&](const std::string& key) { return schema::KeyTerm(p.lang, key); });
  if (vocabulary) *vocabulary = VocabularyTerms(tokens, p.lang);
  if (translation) {
    AddKeyTerms(
        doc, analyzer.Analyze(translation->text, translation->lang),
        [&](const std::string& key) { return schema::TranslationKeyTerm(translation->lang, key); });
  }
  doc.add_value(schema::kSlotPair, translation ? std::min(p.id, translation->id) : p.id);
  doc.add_value(schema::kSlotDoc, p.doc);
  doc.add_value(schema::kSlotId, p.id);
  doc.add_value(schema::kSlotLang, p.lang);
  doc.add_value(schema::kSlotPosition, Xapian::sortable_serialise(p.position));
  doc.set_data(compressor ? compressor->Encode(PassageRecord(p)) : PassageRecord(p));
  return doc;
}

std::vector<std::string> PassageVocabulary(const Passage& passage, Analyzer& analyzer) {
  return VocabularyTerms(analyzer.Analyze(passage.text, passage.lang), passage.lang);
}

std::string PassageRecord(const Passage& p) {
  std::string out(1, schema::kRecordPlain);
  out.reserve(p.id.size() + p.doc.size() + p.title.size() + p.lang.size() + p.text.size() +
              p.section.size() + p.url.size() + p.translation.size() + 24);
  PutString(out, p.id);
  PutString(out, p.doc);
  PutString(out, p.title);
  PutString(out, p.lang);
  // Zigzag: small magnitudes of either sign take one byte.
  const auto position = static_cast<std::int64_t>(p.position);
  PutVarint(out, (static_cast<std::uint64_t>(position) << 1) ^
                     static_cast<std::uint64_t>(position >> 63));
  PutString(out, p.text);
  PutString(out, p.section);
  PutString(out, p.url);
  PutString(out, p.translation);
  return out;
}

Result<Passage> PassageFromRecord(std::string_view data, Xapian::docid docid) {
  const std::string where = "document " + std::to_string(docid);
  if (data.empty() || data.front() != schema::kRecordPlain) {
    return Status::Corruption(where + " holds no passage data");
  }
  const auto malformed = [&](const std::string& what) {
    return Status::Corruption(where + " has malformed passage data: " + what);
  };
  RecordReader in(data.substr(1));
  Passage p;
  std::uint64_t zigzag = 0;
  if (!in.String(&p.id) || !in.String(&p.doc) || !in.String(&p.title) || !in.String(&p.lang) ||
      !in.Varint(&zigzag) || !in.String(&p.text) || !in.String(&p.section) || !in.String(&p.url) ||
      !in.String(&p.translation)) {
    return malformed("cut short");
  }
  if (in.left() > 0) return malformed(std::to_string(in.left()) + " bytes after the last field");
  if (p.id.empty()) return malformed("no passage id");
  const std::int64_t position =
      static_cast<std::int64_t>(zigzag >> 1) ^ -static_cast<std::int64_t>(zigzag & 1);
  if (position < std::numeric_limits<int>::min() || position > std::numeric_limits<int>::max()) {
    return malformed("position " + std::to_string(position) + " is not a passage's position");
  }
  p.position = static_cast<int>(position);
  return p;
}

Result<Passage> FromXapianDocument(const Xapian::Document& document) {
  return PassageFromRecord(document.get_data(), document.get_docid());
}

}  // namespace sarea
