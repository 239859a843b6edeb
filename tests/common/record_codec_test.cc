#include "common/record_codec.h"

#include <gtest/gtest.h>
#include <xapian.h>

#include <random>
#include <string>
#include <vector>

#include "common/schema.h"

namespace sarea {
namespace {

// Passages of made-up sentences over a small vocabulary in two languages: what
// a dictionary can learn from, as from a real corpus.
std::vector<Passage> MadeUpPassages(int n, unsigned seed) {
  static const char* const kWords[] = {
      "the",        "network",    "of",         "creative",    "cities",      "culture",
      "music",      "design",     "la",         "red",         "de",          "ciudades",
      "creativas",  "cultura",    "música",     "diseño",      "sustainable", "desarrollo",
      "urban",      "sostenible", "gastronomy", "gastronomía", "literature",  "literatura",
      "and",        "y",          "UNESCO",     "programme",   "programa",    "heritage",
      "patrimonio", "crafts",     "artesanía",  "film"};
  std::mt19937 rng(seed);
  std::vector<Passage> out;
  for (int i = 0; i < n; ++i) {
    Passage p;
    p.doc = "docs/report-" + std::to_string(i / 10) + ".md";
    p.id = schema::PassageId(p.doc, i % 10);
    p.position = i % 10;
    p.lang = i % 2 ? "es" : "en";
    p.title = "Report " + std::to_string(i / 10);
    const int words = 20 + static_cast<int>(rng() % 60);
    for (int w = 0; w < words; ++w) {
      p.text += kWords[rng() % (sizeof(kWords) / sizeof(kWords[0]))];
      p.text += w + 1 < words ? " " : ".";
    }
    if (i % 3 == 0) p.section = "Section " + std::to_string(i % 7);
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<std::string> Records(const std::vector<Passage>& passages) {
  std::vector<std::string> out;
  for (const Passage& p : passages) out.push_back(PassageRecord(p));
  return out;
}

std::shared_ptr<const RecordDictionary> Trained(unsigned seed) {
  auto dictionary = RecordDictionary::Train(Records(MadeUpPassages(3000, seed)));
  EXPECT_TRUE(dictionary) << "no dictionary from 3000 passages";
  return dictionary;
}

TEST(RecordCodec, CompressedRecordsReadBackAsTheyWere) {
  const auto dictionary = Trained(1);
  ASSERT_TRUE(dictionary);
  EXPECT_NE(dictionary->id(), 0u);
  EXPECT_LE(dictionary->bytes().size(), 32u * 1024);
  RecordCompressor compressor;
  compressor.set_dictionary(dictionary);
  PassageReader reader(dictionary);
  std::size_t plain = 0, stored = 0, compressed = 0;
  const std::vector<Passage> passages = MadeUpPassages(500, 2);  // not the samples
  for (std::size_t i = 0; i < passages.size(); ++i) {
    const std::string record = PassageRecord(passages[i]);
    const std::string data = compressor.Encode(record);
    plain += record.size();
    stored += data.size();
    compressed += data[0] == schema::kRecordCompressed;
    const Result<Passage> back = reader.Read(data, static_cast<Xapian::docid>(i + 1));
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(PassageRecord(*back), record);
  }
  EXPECT_EQ(compressed, passages.size());
  EXPECT_LT(stored, plain / 2) << "a dictionary of the passages' words compresses them well";
}

TEST(RecordCodec, WithoutADictionaryRecordsStayPlain) {
  RecordCompressor compressor;
  const std::string record = PassageRecord(MadeUpPassages(1, 3)[0]);
  EXPECT_EQ(compressor.Encode(record), record);
  EXPECT_EQ(RecordDictionary::Train({record}), nullptr) << "one sample teaches nothing";
}

// A reader made before the index had a dictionary, or over the shards of one
// that only some of them hold (a run killed between two shards' commits), finds it.
TEST(RecordCodec, TheReaderFindsTheDictionaryInAnyShard) {
  const auto dictionary = Trained(1);
  ASSERT_TRUE(dictionary);
  Xapian::WritableDatabase first(std::string(), Xapian::DB_BACKEND_INMEMORY);
  Xapian::WritableDatabase second(std::string(), Xapian::DB_BACKEND_INMEMORY);
  PassageReader reader({first, second});
  RecordCompressor compressor;
  compressor.set_dictionary(dictionary);
  const Passage passage = MadeUpPassages(1, 4)[0];
  const std::string data = compressor.Encode(PassageRecord(passage));
  ASSERT_EQ(data[0], schema::kRecordCompressed);

  const Result<Passage> before = reader.Read(data, 7);
  ASSERT_FALSE(before.ok());
  EXPECT_EQ(before.status().code(), StatusCode::kCorruption);
  EXPECT_NE(before.status().message().find("document 7 "), std::string::npos)
      << before.status().message();
  EXPECT_NE(before.status().message().find("does not have"), std::string::npos)
      << before.status().message();

  second.set_metadata(schema::kMetaRecordDictionary, dictionary->bytes());
  const Result<Passage> after = reader.Read(data, 7);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->text, passage.text);
}

TEST(RecordCodec, DamagedDataIsCorruptionNamingTheDocument) {
  const auto dictionary = Trained(1);
  const auto other = Trained(5);
  ASSERT_TRUE(dictionary && other);
  ASSERT_NE(dictionary->id(), other->id());
  RecordCompressor compressor;
  compressor.set_dictionary(dictionary);
  const std::string data = compressor.Encode(PassageRecord(MadeUpPassages(1, 6)[0]));
  ASSERT_EQ(data[0], schema::kRecordCompressed);
  std::string flipped = data;
  for (std::size_t i = data.size() / 2; i < data.size(); ++i)
    flipped[i] = static_cast<char>(~data[i]);

  PassageReader reader(dictionary);
  PassageReader wrong(other);
  struct Case {
    const char* what;
    PassageReader& reader;
    std::string data;
  };
  for (const Case& c : {Case{"cut short", reader, data.substr(0, data.size() - 5)},
                        Case{"its second half inverted", reader, flipped},
                        Case{"the format byte alone", reader, data.substr(0, 1)},
                        Case{"another dictionary", wrong, data}}) {
    SCOPED_TRACE(c.what);
    const Result<Passage> read = c.reader.Read(c.data, 7);
    ASSERT_FALSE(read.ok());
    EXPECT_EQ(read.status().code(), StatusCode::kCorruption);
    EXPECT_EQ(read.status().message().rfind("document 7 ", 0), 0u) << read.status().message();
  }
}

TEST(RecordDictionary, FromBytesRejectsWhatIsNotOne) {
  for (const std::string& bytes :
       {std::string(), std::string("not a dictionary"), std::string(64, '\0')}) {
    const auto loaded = RecordDictionary::FromBytes(bytes);
    ASSERT_FALSE(loaded.ok());
    EXPECT_EQ(loaded.status().code(), StatusCode::kCorruption);
  }
  const auto dictionary = Trained(1);
  ASSERT_TRUE(dictionary);
  const auto again = RecordDictionary::FromBytes(dictionary->bytes());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->id(), dictionary->id());
}

}  // namespace
}  // namespace sarea
