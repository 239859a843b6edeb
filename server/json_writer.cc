#include "server/json_writer.h"

#include <charconv>
#include <utility>

#include "common/text.h"

namespace sarea::server {

std::string HtmlSafe(std::string json) {
  const auto unsafe = [](char c) { return c == '<' || c == '>' || c == '&'; };
  std::size_t i = 0;
  while (i < json.size() && !unsafe(json[i])) ++i;
  if (i == json.size()) return json;
  // (Every search has some: its snippets' <mark>s. Runs between them are
  // copied whole.)
  std::string out;
  out.reserve(json.size() + json.size() / 8);
  std::size_t from = 0;
  for (; i < json.size(); ++i) {
    if (!unsafe(json[i])) continue;
    out.append(json, from, i - from);
    out += json[i] == '<' ? "\\u003c" : json[i] == '>' ? "\\u003e" : "\\u0026";
    from = i + 1;
  }
  out.append(json, from, std::string::npos);
  return out;
}

void JsonWriter::Separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (first_.empty()) return;
  if (first_.back()) {
    first_.back() = false;
  } else {
    out_ += ',';
  }
}

void JsonWriter::BeginObject() {
  Separate();
  out_ += '{';
  first_.push_back(true);
}

void JsonWriter::EndObject() {
  out_ += '}';
  first_.pop_back();
}

void JsonWriter::BeginArray() {
  Separate();
  out_ += '[';
  first_.push_back(true);
}

void JsonWriter::EndArray() {
  out_ += ']';
  first_.pop_back();
}

void JsonWriter::Key(std::string_view key) {
  String(key);
  out_ += ':';
  after_key_ = true;
}

void JsonWriter::String(std::string_view s) {
  Separate();
  if (FindInvalidUtf8(s) != std::string_view::npos) {
    // dump()'s own replacement of the bad bytes, rare enough to pay for.
    out_ += HtmlSafe(nlohmann::json(std::string(s))
                         .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    return;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  out_ += '"';
  std::size_t from = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&') continue;
    out_.append(s, from, i - from);
    from = i + 1;
    switch (c) {
      case '"':
        out_ += "\\\"";
        break;
      case '\\':
        out_ += "\\\\";
        break;
      case '\b':
        out_ += "\\b";
        break;
      case '\f':
        out_ += "\\f";
        break;
      case '\n':
        out_ += "\\n";
        break;
      case '\r':
        out_ += "\\r";
        break;
      case '\t':
        out_ += "\\t";
        break;
      default:  // the other control characters, and HtmlSafe's three
        out_ += "\\u00";
        out_ += kHex[c >> 4];
        out_ += kHex[c & 0xF];
    }
  }
  out_.append(s, from, std::string_view::npos);
  out_ += '"';
}

void JsonWriter::Int(std::int64_t n) {
  Separate();
  char buf[24];
  const auto [end, error] = std::to_chars(buf, buf + sizeof buf, n);
  out_.append(buf, end);
}

void JsonWriter::Unsigned(std::uint64_t n) {
  Separate();
  char buf[24];
  const auto [end, error] = std::to_chars(buf, buf + sizeof buf, n);
  out_.append(buf, end);
}

void JsonWriter::Double(double x) {
  Separate();
  out_ += nlohmann::json(x).dump();  // dump()'s shortest form, "null" for NaN
}

void JsonWriter::Bool(bool b) {
  Separate();
  out_ += b ? "true" : "false";
}

void JsonWriter::Null() {
  Separate();
  out_ += "null";
}

void JsonWriter::Value(const nlohmann::json& j) {
  Separate();
  out_ += HtmlSafe(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::string JsonWriter::Take() {
  std::string out = std::move(out_);
  out_.clear();
  first_.clear();
  after_key_ = false;
  return out;
}

}  // namespace sarea::server
