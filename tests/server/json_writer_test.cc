// JsonWriter (server/json_writer.h): the text nlohmann's dump() writes for the
// same value, made HTML-safe, byte for byte.
#include "server/json_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sarea::server {
namespace {

using nlohmann::json;

std::string Dumped(const json& j) {
  return HtmlSafe(j.dump(-1, ' ', false, json::error_handler_t::replace));
}

TEST(JsonWriter, EscapesStringsAsDumpAndHtmlSafeDo) {
  std::vector<std::string> strings = {"",
                                      "plain",
                                      "quote \" backslash \\ slash /",
                                      "<mark>a</mark> & <script>",
                                      "ñandú 日本 😀 \x7f",
                                      "\xff bad \xc3 utf-8 \xe2\x80",
                                      std::string("nul \0 inside", 12)};
  for (int c = 0; c < 0x20; ++c)
    strings.push_back("control " + std::string(1, static_cast<char>(c)));
  std::mt19937 random(6);
  for (int i = 0; i < 2000; ++i) {
    std::string s;
    for (int j = random() % 12; j > 0; --j) s += static_cast<char>(random() % 256);
    strings.push_back(s);
  }
  for (const std::string& s : strings) {
    JsonWriter w;
    w.String(s);
    EXPECT_EQ(w.Take(), Dumped(json(s)))
        << json(s).dump(-1, ' ', true, json::error_handler_t::replace);
  }
}

TEST(JsonWriter, WritesNumbersAsDumpDoes) {
  std::vector<double> doubles = {0.0,
                                 -0.0,
                                 1.0,
                                 0.1,
                                 -2.5,
                                 1e-5,
                                 1e20,
                                 123456789.123,
                                 3.0e-310,
                                 std::numeric_limits<double>::max(),
                                 std::numeric_limits<double>::quiet_NaN(),
                                 std::numeric_limits<double>::infinity()};
  std::mt19937_64 random(7);
  for (int i = 0; i < 2000; ++i)
    doubles.push_back(
        std::ldexp(static_cast<double>(random() % 1000000), static_cast<int>(random() % 80) - 60));
  for (const double x : doubles) {
    JsonWriter w;
    w.Double(x);
    EXPECT_EQ(w.Take(), json(x).dump()) << x;
  }
  for (const std::int64_t n :
       {std::int64_t{0}, std::int64_t{-1}, std::numeric_limits<std::int64_t>::min(),
        std::numeric_limits<std::int64_t>::max()}) {
    JsonWriter w;
    w.Int(n);
    EXPECT_EQ(w.Take(), json(n).dump());
  }
  JsonWriter w;
  w.Unsigned(std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(w.Take(), json(std::numeric_limits<std::uint64_t>::max()).dump());
}

TEST(JsonWriter, NestsObjectsAndArraysAsDumpDoes) {
  const json expected = {{"a", json::array()},
                         {"b", {{"c", nullptr}, {"d", {1, "two", true, false, json::object()}}}},
                         {"e", json::object()},
                         {"f<", "x&y"},
                         {"g", {{{"h", 1}}, {{"i", json::array({json::array()})}}}}};
  JsonWriter w;
  w.BeginObject();
  w.Key("a");
  w.BeginArray();
  w.EndArray();
  w.Key("b");
  w.BeginObject();
  w.Key("c");
  w.Null();
  w.Key("d");
  w.BeginArray();
  w.Int(1);
  w.String("two");
  w.Bool(true);
  w.Bool(false);
  w.BeginObject();
  w.EndObject();
  w.EndArray();
  w.EndObject();
  w.Key("e");
  w.BeginObject();
  w.EndObject();
  w.Key("f<");
  w.String("x&y");
  w.Key("g");
  w.BeginArray();
  w.Value({{"h", 1}});
  w.BeginObject();
  w.Key("i");
  w.Value(json::array({json::array()}));
  w.EndObject();
  w.EndArray();
  w.EndObject();
  EXPECT_EQ(w.Take(), Dumped(expected));
  EXPECT_EQ(w.Take(), "") << "taken: the writer starts empty";
}

}  // namespace
}  // namespace sarea::server
