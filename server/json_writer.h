// JsonWriter: a response's JSON written straight into its body, for the routes
// that answer many requests a second (search). Building an nlohmann::json
// tree of a page of hits and dumping it took a seventh of the server's CPU,
// most of it allocating and freeing the tree's nodes.
//
// The text is what nlohmann::json's dump() (compact, invalid UTF-8 replaced)
// followed by HtmlSafe writes for the same value, byte for byte: the caller
// gives each object's keys in sorted order, as nlohmann's std::map keeps them;
// strings are escaped as dump() escapes them, with '<', '>' and '&' as
// \u003c, \u003e and \u0026 so that no JSON can be read as markup; numbers
// as dump() writes them. tests/server/json_writer_test.cc holds it to that.
#ifndef SAREA_SERVER_JSON_WRITER_H_
#define SAREA_SERVER_JSON_WRITER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace sarea::server {

// '<', '>' and '&' of JSON text as \u003c, \u003e, \u0026 (as Go's encoder
// writes them): they only occur in strings, where the escapes mean the same
// characters to any parser, but no input echoed in JSON (a query, a path in
// an error message) can then read as markup, whatever renders the bytes.
std::string HtmlSafe(std::string json);

class JsonWriter {
 public:
  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  // The next member's key: keys in sorted order (see above).
  void Key(std::string_view key);

  void String(std::string_view s);
  void Int(std::int64_t n);
  void Unsigned(std::uint64_t n);
  void Double(double x);
  void Bool(bool b);
  void Null();
  // Any value, as dump() writes it.
  void Value(const nlohmann::json& j);

  // Room for `bytes` of text before the string grows.
  void Reserve(std::size_t bytes) { out_.reserve(bytes); }

  // The text written; the writer is then empty.
  std::string Take();

 private:
  // A comma before every value but an object's or array's first.
  void Separate();

  std::string out_;
  std::vector<bool> first_;  // per open object or array: nothing in it yet
  bool after_key_ = false;   // the value of a key comes next: no comma
};

}  // namespace sarea::server

#endif  // SAREA_SERVER_JSON_WRITER_H_
