// Tests for the sarea-index binary (indexer/main.cc): a first run on a corpus,
// incremental runs after files are added, changed and deleted, the --json
// report, the corpus walk and its formats, usage errors and --analyze. The
// fixture (indexer_fixture.h) runs the real program in a temporary directory.
#include <fcntl.h>
#include <sys/stat.h>

#include <gtest/gtest.h>
#include <xapian.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/analyzer.h"
#include "common/record_codec.h"
#include "common/schema.h"
#include "common/synonyms.h"
#include "common/text.h"
#include "common/vocabulary.h"
#include "tests/indexer/indexer_fixture.h"

namespace sarea::indexer_test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// -------------------------------------------------------------- seed corpus

TEST_F(IndexerCliTest, SeedCorpusIsIndexedOnceThenUnchanged) {
  CopySeed();
  const json first = Index(0);
  EXPECT_EQ(first["added"], 1);
  EXPECT_EQ(first["passages"], json({{"en", 5}, {"es", 5}}));
  EXPECT_EQ(first["failed"], json::array());
  EXPECT_EQ(Open().get_doccount(), 10u);

  const Xapian::rev revision = Open().get_revision();
  const json second = Index(0);
  EXPECT_EQ(second["added"], 0);
  EXPECT_EQ(second["updated"], 0);
  EXPECT_EQ(second["deleted"], 0);
  EXPECT_EQ(second["unchanged"], 1);
  EXPECT_EQ(second["passages"], json({{"en", 5}, {"es", 5}}));
  EXPECT_EQ(Open().get_revision(), revision) << "nothing changed: nothing written";

  const RunResult human = Run(IndexArgs({}));
  EXPECT_EQ(human.exit_code, 0) << human.err;
  EXPECT_NE(human.out.find("nothing changed"), std::string::npos) << human.out;
}

TEST_F(IndexerCliTest, ReportHasExactlyTheDocumentedKeys) {
  Write("good.txt", EnglishText("lighthouse"));
  Write("bad.txt", "\xff\xfe");
  const json report = Index(1);
  std::set<std::string> keys;
  for (const auto& item : report.items()) keys.insert(item.key());
  EXPECT_EQ(keys, (std::set<std::string>{"added", "updated", "deleted", "unchanged", "skipped",
                                         "read", "passages", "indexed", "failed", "rebuilt",
                                         "compacted", "seconds"}));
  EXPECT_TRUE(report["passages"].is_object());
  EXPECT_TRUE(report["indexed"].is_object());
  EXPECT_TRUE(report["rebuilt"].is_boolean());
  EXPECT_TRUE(report["compacted"].is_boolean());
  EXPECT_TRUE(report["seconds"].is_number());
  ASSERT_TRUE(report["failed"].is_array());
  ASSERT_EQ(report["failed"].size(), 1u);
  std::set<std::string> failure_keys;
  for (const auto& item : report["failed"][0].items()) failure_keys.insert(item.key());
  EXPECT_EQ(failure_keys, (std::set<std::string>{"path", "reason"}));
}

// ------------------------------------------------------ incremental updates

TEST_F(IndexerCliTest, AddedFileIsAdded) {
  CopySeed();
  Index(0);
  Write("notes/harbour.txt", EnglishText("lighthouse"));
  const json report = Index(0);
  EXPECT_EQ(report["added"], 1);
  EXPECT_EQ(report["unchanged"], 1);
  EXPECT_TRUE(IndexHasWord(Open(), "lighthouse"));
  EXPECT_GT(PassagesOf(Open(), "notes/harbour.txt"), 0);
}

TEST_F(IndexerCliTest, ChangedFileReplacesItsPassages) {
  Write("a.txt", EnglishText("lighthouse"));
  Index(0);
  ASSERT_TRUE(IndexHasWord(Open(), "lighthouse"));
  Write("a.txt", EnglishText("bakery"));
  const json report = Index(0);
  EXPECT_EQ(report["updated"], 1);
  EXPECT_EQ(report["added"], 0);
  const Xapian::Database db = Open();
  EXPECT_TRUE(IndexHasWord(db, "bakery"));
  EXPECT_FALSE(IndexHasWord(db, "lighthouse"));
  EXPECT_EQ(static_cast<int>(db.get_doccount()), PassagesOf(db, "a.txt"));
}

// The indexer trusts a file's size and times only once they are older than
// this (kSettle in indexer.cc, and a little).
void WaitForTimesToSettle() { std::this_thread::sleep_for(std::chrono::milliseconds(2200)); }

TEST_F(IndexerCliTest, FilesKnownByTheirSizeAndTimesAreNotReadAgain) {
  Write("a.txt", EnglishText("lighthouse"));
  Write("b.txt", EnglishText("bakery"));
  WaitForTimesToSettle();
  EXPECT_EQ(Index(0)["read"], 2);
  const json second = Index(0);
  EXPECT_EQ(second["read"], 0) << "size and times as recorded: not read";
  EXPECT_EQ(second["unchanged"], 2);
  const json checksum = Index(0, {"--checksum"});
  EXPECT_EQ(checksum["read"], 2) << "--checksum reads every file";
  EXPECT_EQ(checksum["unchanged"], 2);

  // Other bytes of the same size under the same modification time (as a copy
  // that keeps times makes): the change time tells.
  struct stat before;
  ASSERT_EQ(::stat((corpus_ / "a.txt").c_str(), &before), 0);
  Write("a.txt", EnglishText("waterfalls"));
  const timespec times[2] = {before.st_atim, before.st_mtim};
  ASSERT_EQ(::utimensat(AT_FDCWD, (corpus_ / "a.txt").c_str(), times, 0), 0);
  ASSERT_EQ(fs::file_size(corpus_ / "a.txt"), static_cast<std::uintmax_t>(before.st_size));
  const json edited = Index(0);
  EXPECT_EQ(edited["read"], 1);
  EXPECT_EQ(edited["updated"], 1);
  EXPECT_EQ(edited["unchanged"], 1);
  EXPECT_TRUE(IndexHasWord(Open(), "waterfalls"));
  EXPECT_FALSE(IndexHasWord(Open(), "lighthouse"));
}

TEST_F(IndexerCliTest, FilesHashedBeforeTheirTimesSettledAreReadAgain) {
  Write("a.txt", EnglishText("lighthouse"));
  EXPECT_EQ(Index(0)["read"], 1);
  // Changed moments before it was hashed: a change in the same tick of the
  // file system's clock would leave the same times, so they were not recorded.
  const json again = Index(0);
  EXPECT_EQ(again["read"], 1);
  EXPECT_EQ(again["unchanged"], 1);
  WaitForTimesToSettle();
  EXPECT_EQ(Index(0)["read"], 1) << "settled now: recorded by this run";
  EXPECT_EQ(Index(0)["read"], 0);
  // Touched: the same bytes, read again and recorded with the new times.
  fs::last_write_time(corpus_ / "a.txt",
                      fs::last_write_time(corpus_ / "a.txt") - std::chrono::hours(1));
  WaitForTimesToSettle();
  const json touched = Index(0);
  EXPECT_EQ(touched["read"], 1);
  EXPECT_EQ(touched["unchanged"], 1);
  EXPECT_EQ(Index(0)["read"], 0);
}

TEST_F(IndexerCliTest, DeletedFileLosesItsPassages) {
  CopySeed();
  Write("a.txt", EnglishText("lighthouse"));
  Index(0);
  const int before = static_cast<int>(Open().get_doccount());
  const int of_a = PassagesOf(Open(), "a.txt");
  ASSERT_GT(of_a, 0);
  fs::remove(corpus_ / "a.txt");
  const json report = Index(0);
  EXPECT_EQ(report["deleted"], 1);
  EXPECT_EQ(report["unchanged"], 1);
  const Xapian::Database db = Open();
  EXPECT_EQ(static_cast<int>(db.get_doccount()), before - of_a);
  EXPECT_EQ(PassagesOf(db, "a.txt"), 0);
  EXPECT_FALSE(IndexHasWord(db, "lighthouse"));
}

// A new schema or analyzer version re-analyses everything; documents removed
// meanwhile must still be deleted.
// An index of another analyzer (or schema) version is rebuilt beside the live
// one and swapped in: its vocabulary counts what the old analysis made, which
// updating passage by passage could not take back.
TEST_F(IndexerCliTest, VersionChangeRebuildsTheIndex) {
  Write("a.txt", EnglishText("lighthouse"));
  Write("b.txt", EnglishText("bakery"));
  Write("r.jsonl", R"({"id":"x","text":"The harbour of the old town is full of fishing boats."})"
                   "\n"
                   R"({"id":"y","text":"The museum of the old town opens every morning at nine."})"
                   "\n");
  Index(0);
  {
    Xapian::WritableDatabase db(index_.string());
    db.set_metadata(schema::kMetaAnalyzerVersion, std::to_string(kAnalyzerVersion - 1));
    db.commit();
  }
  fs::remove(corpus_ / "b.txt");
  Write("r.jsonl", R"({"id":"x","text":"The harbour of the old town is full of fishing boats."})"
                   "\n");
  const json report = Index(0);
  EXPECT_EQ(report["rebuilt"], true);
  EXPECT_EQ(report["added"], 2);  // a.txt and x, re-analysed
  const Xapian::Database db = Open();
  EXPECT_EQ(db.get_metadata(schema::kMetaAnalyzerVersion), std::to_string(kAnalyzerVersion));
  EXPECT_EQ(PassagesOf(db, "b.txt"), 0);
  EXPECT_EQ(PassagesOf(db, "y"), 0);
  EXPECT_EQ(DistinctDocuments(db), 2);
  EXPECT_TRUE(IndexHasWord(db, "lighthouse"));
  EXPECT_FALSE(IndexHasWord(db, "bakery"));
  const json again = Index(0);
  EXPECT_EQ(again["rebuilt"], false);
  EXPECT_EQ(again["unchanged"], 2);
  EXPECT_EQ(PassagesOf(Open(), "y"), 0);
}

// The lemmas a run looks up in the dictionary are kept with the index
// (schema::kMetaLemmas), and later runs take them from there: a word the
// table gives another lemma than the dictionary's is indexed by the table's.
// A rebuild starts its generation with the live index's table.
TEST_F(IndexerCliTest, RunsKeepTheirLemmasWithTheIndexAndLaterRunsUseThem) {
  Write("es.txt",
        "Las ciudades creativas comparten sus luces con los vecinos del puerto cada noche.\n");
  Index(0);
  const std::string table = Open().get_metadata(schema::kMetaLemmas);
  ASSERT_NE(table.find("\nluces\t"), std::string::npos) << table;
  ASSERT_EQ(table.find("\ngatos\t"), std::string::npos) << table;
  {
    Xapian::WritableDatabase db(index_.string());
    db.set_metadata(schema::kMetaLemmas, table + "gatos\tperro\n");  // Spanish's, the last
    db.commit();
  }
  Write("gatos.txt",
        "Los gatos del puerto duermen al sol durante las tardes tranquilas del invierno.\n");
  EXPECT_EQ(Index(0)["added"], 1);
  EXPECT_TRUE(Open().term_exists(schema::KeyTerm("es", "perr")));  // "perro", stemmed
  const std::string grown = Open().get_metadata(schema::kMetaLemmas);
  EXPECT_NE(grown.find("\ngatos\tperro\n"), std::string::npos);
  EXPECT_NE(grown.find("\ntranquilas\t"), std::string::npos) << grown;  // looked up this run

  const json rebuilt = Index(0, {"--rebuild"});
  EXPECT_EQ(rebuilt["rebuilt"], true);
  EXPECT_EQ(Open().get_metadata(schema::kMetaLemmas), grown);
  EXPECT_TRUE(Open().term_exists(schema::KeyTerm("es", "perr")));
}

// ----------------------------------------------------- corpus walk, formats

TEST_F(IndexerCliTest, HiddenFilesAndDirectoriesAreIgnored) {
  Write("a.txt", EnglishText("lighthouse"));
  Write(".git/x.txt", EnglishText("bakery"));
  Write(".git/config", "[core]\n");
  Write(".hidden.txt", EnglishText("windmill"));
  Write("sub/.cache/y.md", EnglishText("orchard"));
  const json report = Index(0);
  EXPECT_EQ(report["added"], 1);
  EXPECT_EQ(report["skipped"], 0);
  EXPECT_EQ(report["failed"], json::array());
  EXPECT_EQ(DistinctDocuments(Open()), 1);
}

// A symbolic link to a file is followed (the walk keeps what is_regular_file
// accepts) and is a document of its own, under the link's path.
TEST_F(IndexerCliTest, SymlinkedFileIsIndexedUnderItsOwnPath) {
  Write("a.txt", EnglishText("lighthouse"));
  fs::create_symlink("a.txt", corpus_ / "b.txt");
  const json report = Index(0);
  EXPECT_EQ(report["failed"], json::array());
  EXPECT_EQ(report["added"], 2);
  EXPECT_GT(PassagesOf(Open(), "b.txt"), 0);
}

TEST_F(IndexerCliTest, MarkdownHtmlAndJsonlAreIndexed) {
  Write("guide.md",
        "# Harbour guide\n\nThe lighthouse keeper watched the stormy harbour every night, "
        "and the fishermen trusted him with their lives.\n");
  Write("pagina.html",
        "<!doctype html><html lang=\"es\"><head><title>Panadería</title></head><body>"
        "<p>La panadería del pueblo prepara pan fresco y pasteles todas las mañanas para "
        "los vecinos del barrio.</p></body></html>");
  Write("records.jsonl",
        R"({"id":"r1","text":"The museum of the old town opens every morning at nine."})"
        "\n"
        R"({"id":"r2","lang":"es","text":"El museo de la ciudad abre todas las mañanas."})"
        "\n");
  const json report = Index(0);
  EXPECT_EQ(report["added"], 4);
  const Xapian::Database db = Open();
  EXPECT_GT(PassagesOf(db, "guide.md", "en"), 0);
  const int html = PassagesOf(db, "pagina.html");
  EXPECT_GT(html, 0);
  EXPECT_EQ(PassagesOf(db, "pagina.html", "es"), html);
  EXPECT_GT(PassagesOf(db, "r1", "en"), 0);
  EXPECT_GT(PassagesOf(db, "r2", "es"), 0);
  EXPECT_TRUE(IndexHasWord(db, "panadería"));
}

// --------------------------------------------------- synonyms and spellings

std::vector<std::string> SynonymsOf(const Xapian::Database& db, const std::string& key) {
  return StoredSynonyms(db, key);
}

TEST_F(IndexerCliTest, SynonymsFileIsLoadedNotIndexed) {
  CopySeed();
  Write("synonyms.txt", "# fields\nfilm, cinema, Cine\nlonely\n");
  const json first = Index(1);
  EXPECT_EQ(first["added"], 1) << "synonyms.txt is no document";
  EXPECT_EQ(first["skipped"], 0);
  EXPECT_EQ(FailureReason(first, "synonyms.txt"),
            "line 3: a group needs at least two different entries");
  {
    const Xapian::Database db = Open();
    EXPECT_EQ(SynonymsOf(db, "film"), (std::vector<std::string>{"Cine", "cinema"}));
    EXPECT_EQ(SynonymsOf(db, "cine"), (std::vector<std::string>{"cinema", "film"}));
    EXPECT_EQ(PassagesOf(db, "synonyms.txt"), 0);
  }

  Write("synonyms.txt", "music, música\n");
  const json changed = Index(0);
  EXPECT_EQ(changed["unchanged"], 1) << "new synonyms re-index nothing";
  EXPECT_TRUE(SynonymsOf(Open(), "film").empty());
  EXPECT_EQ(SynonymsOf(Open(), "musica"), std::vector<std::string>{"music"});

  fs::remove(corpus_ / "synonyms.txt");
  Index(0);
  EXPECT_TRUE(SynonymsOf(Open(), "music").empty());
}

// The passages that have the spelling `word` of `lang`, as the vocabulary counts them.
long FormCount(const Xapian::Database& db, const std::string& lang, const std::string& word) {
  const std::string term = schema::FormTerm(lang, FoldAccents(word), word);
  for (const VocabularyEntry& entry : ReadVocabulary({db}, term, 1)) {
    if (entry.term == term) return entry.count;
  }
  return 0;
}

TEST_F(IndexerCliTest, VocabularyFollowsThePassages) {
  Write("a.txt", EnglishText("kaleidoscope") + "\n" + EnglishText("kaleidoscope") + "\n");
  Write("b.txt", EnglishText("kaleidoscope") + "\n");
  Index(0);
  EXPECT_EQ(FormCount(Open(), "en", "kaleidoscope"), 3) << "one per passage";
  fs::remove(corpus_ / "a.txt");
  Write("b.txt", EnglishText("zeppelin") + "\n");
  Index(0);
  EXPECT_EQ(FormCount(Open(), "en", "kaleidoscope"), 0);
  EXPECT_FALSE(IndexHasWord(Open(), "kaleidoscope"));
  EXPECT_EQ(FormCount(Open(), "es", "zeppelin"), 0) << "entries are per language";
  EXPECT_EQ(FormCount(Open(), "en", "zeppelin"), 1);
}

// -------------------------------------------------------------------- usage

TEST_F(IndexerCliTest, UsageErrorsExitTwoAndHelpExitsZero) {
  const RunResult unknown = Run({"--no-such-flag"});
  EXPECT_EQ(unknown.exit_code, 2) << unknown.err;

  const fs::path missing = dir_ / "no-such-corpus";
  const RunResult no_corpus =
      Run({"--corpus", missing.string(), "--index", index_.string(), "--quiet"});
  EXPECT_EQ(no_corpus.exit_code, 2);
  EXPECT_NE(no_corpus.err.find(missing.string() + " does not exist"), std::string::npos)
      << no_corpus.err;
  EXPECT_FALSE(fs::exists(index_.parent_path())) << "nothing is created for a usage error";

  const RunResult help = Run({"--help"});
  EXPECT_EQ(help.exit_code, 0) << help.err;
  EXPECT_NE(help.out.find("--rebuild"), std::string::npos) << help.out;
}

// ------------------------------------------------------------------ analyze

TEST_F(IndexerCliTest, AnalyzePrintsOneJsonLinePerPassageAndWritesNoIndex) {
  CopySeed();
  const RunResult run = Run({"--analyze", (corpus_ / kSeedFile).string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<json> lines;
  std::istringstream out(run.out);
  for (std::string line; std::getline(out, line);)
    lines.push_back(json::parse(line, nullptr, false));
  ASSERT_EQ(lines.size(), 10u) << run.out;
  std::map<std::string, int> by_lang;
  for (const json& line : lines) {
    ASSERT_TRUE(line.is_object());
    std::set<std::string> keys;
    for (const auto& item : line.items()) keys.insert(item.key());
    EXPECT_EQ(keys,
              (std::set<std::string>{"doc", "passage", "lang", "text", "translation", "terms"}));
    ++by_lang[line.value("lang", "")];
  }
  EXPECT_EQ(by_lang, (std::map<std::string, int>{{"en", 5}, {"es", 5}}));
  const std::string fourth = lines[3].value("text", "");
  for (const char* bullet : {"Strengthen the creation", "Develop centers of creativity",
                             "Improve access to and participation", "Fully integrate culture"}) {
    EXPECT_NE(fourth.find(bullet), std::string::npos) << bullet << " not in: " << fourth;
  }
  EXPECT_FALSE(fs::exists(dir_ / "data")) << "--analyze must not create the default index";
}

// ------------------------------------------------------------ edited files

// Everything a search sees of an index: each passage (by id) with its data,
// values, terms, frequencies and positions; every term's frequencies; the
// metadata (records, vocabulary, synonyms; not the indexer's table of lemmas,
// which keeps the words of every version a document had).
std::map<std::string, std::string> Contents(const Xapian::Database& db) {
  std::map<std::string, std::string> out;
  out["doccount"] = std::to_string(db.get_doccount());
  for (auto t = db.allterms_begin(); t != db.allterms_end(); ++t) {
    out["term " + *t] =
        std::to_string(t.get_termfreq()) + "/" + std::to_string(db.get_collection_freq(*t));
  }
  const std::string q = schema::kPassageIdPrefix;
  for (auto t = db.allterms_begin(q); t != db.allterms_end(q); ++t) {
    const Xapian::docid id = *db.postlist_begin(*t);
    const Xapian::Document doc = db.get_document(id);
    std::string terms;
    for (auto term = doc.termlist_begin(); term != doc.termlist_end(); ++term) {
      terms += *term + ":" + std::to_string(term.get_wdf()) + "@";
      for (auto pos = db.positionlist_begin(id, *term); pos != db.positionlist_end(id, *term);
           ++pos)
        terms += std::to_string(*pos) + ",";
      terms += " ";
    }
    std::string values;
    for (auto v = doc.values_begin(); v != doc.values_end(); ++v)
      values += std::to_string(v.get_valueno()) + "=" + *v + ";";
    out["passage " + *t] = doc.get_data() + "|" + values + "|" + terms;
  }
  for (auto m = db.metadata_keys_begin(); m != db.metadata_keys_end(); ++m) {
    if (*m != schema::kMetaLemmas) out["metadata " + *m] = MetadataContent(*m, db.get_metadata(*m));
  }
  return out;
}

// Whatever the edit of a document (a paragraph appended, one inserted first
// so that every passage id moves to other text, some removed, translations
// re-paired), the index ends as a fresh build of the same corpus would be:
// passages, terms and their frequencies, positions, vocabulary counts.
TEST_F(IndexerCliTest, EditedDocumentsEndAsAFreshBuild) {
  const std::string en[] = {EnglishText("harbour"), EnglishText("lighthouse"),
                            EnglishText("market"), EnglishText("festival"), EnglishText("library")};
  const std::string es[] = {
      "El puerto fue el tema de una larga conversación entre los vecinos, que acordaron que "
      "toda la ciudad debía saberlo antes del invierno.\n",
      "El faro fue el tema de una larga conversación entre los vecinos, que acordaron que toda "
      "la ciudad debía saberlo antes del invierno.\n",
      "El mercado fue el tema de una larga conversación entre los vecinos, que acordaron que "
      "toda la ciudad debía saberlo antes del invierno.\n"};
  const std::vector<std::vector<std::string>> versions = {
      {en[0], es[0], en[1], es[1], en[2]},
      {en[0], es[0], en[1], es[1], en[2], es[2]},         // appended
      {en[3], en[0], es[0], en[1], es[1], en[2], es[2]},  // inserted first
      {en[3], en[0], en[1], es[1], es[2]},                // some removed
      {en[4]},                                            // one left
      {en[4], es[0], en[0]},                              // grown again
  };
  for (std::size_t v = 0; v < versions.size(); ++v) {
    std::string text;
    for (const std::string& paragraph : versions[v]) text += paragraph + "\n";
    Write("edited.txt", text);
    Write("other.txt", EnglishText("museum"));
    const json report = Index(0);
    if (v > 0) {
      EXPECT_EQ(report["updated"], 1) << report.dump();
    }
    const fs::path fresh = dir_ / ("fresh-" + std::to_string(v));
    const RunResult built =
        Run({"--corpus", corpus_.string(), "--index", fresh.string(), "--json"});
    ASSERT_EQ(built.exit_code, 0) << built.err;
    const auto expected = Contents(Xapian::Database(fresh.string()));
    const auto got = Contents(Open());
    for (const auto& [key, value] : expected) {
      const auto it = got.find(key);
      EXPECT_TRUE(it != got.end() && it->second == value)
          << "version " << v << ", " << key << ":\n fresh: " << value
          << "\n edited: " << (it == got.end() ? "absent" : it->second);
    }
    for (const auto& [key, value] : got)
      EXPECT_TRUE(expected.count(key)) << "version " << v << ", only when edited: " << key;
  }
}

// ------------------------------------------------------------------ shards

// The shards a report's documents went to: shard name -> its counts.
int SumOver(const json& report, const std::string& field) {
  int sum = 0;
  for (const json& shard : report["shards"]) sum += shard[field].get<int>();
  return sum;
}

TEST_F(IndexerCliTest, ShardedRunsAreIncrementalAndReportPerShard) {
  for (int i = 0; i < 12; ++i) Write("doc" + std::to_string(i) + ".txt", EnglishText("harbour"));
  const json first = Index(0, {"--shards", "3"});
  ASSERT_EQ(first["shards"].size(), 3u) << first.dump();
  EXPECT_EQ(first["added"], 12);
  EXPECT_EQ(SumOver(first, "added"), 12);
  int with_docs = 0;
  for (const json& shard : first["shards"]) with_docs += shard["added"].get<int>() > 0 ? 1 : 0;
  EXPECT_GE(with_docs, 2) << "a hash of the ids spreads 12 documents";
  EXPECT_TRUE(fs::exists(fs::canonical(index_) / "XAPIANDB"));
  EXPECT_EQ(Open().get_doccount(), 12u) << "the index path opens as one database";

  Write("doc3.txt", EnglishText("lighthouse"));
  fs::remove(corpus_ / "doc5.txt");
  const json second = Index(0);  // no --shards: as the index is
  EXPECT_EQ(second["updated"], 1);
  EXPECT_EQ(second["deleted"], 1);
  EXPECT_EQ(second["unchanged"], 10);
  EXPECT_EQ(SumOver(second, "updated"), 1);
  EXPECT_EQ(SumOver(second, "deleted"), 1);
  EXPECT_EQ(SumOver(second, "unchanged"), 10);
  EXPECT_EQ(Index(0)["unchanged"], 11) << "idempotent";

  const RunResult other = Run(IndexArgs({"--json", "--shards", "2"}));
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_NE(other.err.find("has 3 shard(s); --shards 2 needs --rebuild"), std::string::npos)
      << other.err;
  const json rebuilt = Index(0, {"--rebuild", "--shards", "2"});
  EXPECT_EQ(rebuilt["shards"].size(), 2u);
  EXPECT_EQ(SumOver(rebuilt, "added"), 11);
  EXPECT_EQ(Index(0)["shards"].size(), 2u);
  const json single = Index(0, {"--rebuild", "--shards", "1"});
  EXPECT_FALSE(single.contains("shards"));
  EXPECT_FALSE(fs::exists(fs::canonical(index_) / "XAPIANDB"));
  EXPECT_EQ(Open().get_doccount(), 11u);
}

// A run that writes more than RecordDictionary::kTrainingBytes of records
// into an index without a record dictionary trains one on those, stores it
// in every shard, and compresses the records after them, and those samples
// at the end of the run; a later run compresses with the same dictionary.
// Every passage reads back.
TEST_F(IndexerCliTest, RecordsBeyondTheTrainingSamplesAreCompressed) {
  const char* const words[] = {"harbour", "lighthouse", "network", "creative", "city",
                               "museum",  "music",      "design",  "festival", "river",
                               "bridge",  "market",     "crafts",  "heritage", "film"};
  std::mt19937 rng(11);
  const auto paragraph = [&] {
    std::string text = "The";
    for (int w = 0; w < 70; ++w) text += std::string(" ") + words[rng() % 15];
    return text + ".\n\n";
  };
  std::size_t bytes = 0;
  for (int f = 0; bytes < RecordDictionary::kTrainingBytes * 3 / 2; ++f) {
    std::string text;
    for (int p = 0; p < 40; ++p) text += paragraph();
    bytes += text.size();
    Write("part" + std::to_string(1000 + f) + ".txt", text);
  }
  ASSERT_EQ(Index(0, {"--shards", "2"})["failed"], json::array());
  const fs::path generation = fs::canonical(index_);
  const auto shard_dictionary = [&](int shard) {
    return Xapian::Database((generation / ("shard-" + std::to_string(shard))).string())
        .get_metadata(schema::kMetaRecordDictionary);
  };
  const std::string dictionary = shard_dictionary(0);
  ASSERT_FALSE(dictionary.empty());
  EXPECT_EQ(shard_dictionary(1), dictionary);

  // Per format: the number of records; each passage read back under its id.
  const auto formats = [&](const std::string& prefix) {
    std::map<char, int> count;
    const Xapian::Database db = Open();
    PassageReader reader({db});
    for (auto t = db.allterms_begin(schema::kPassageIdPrefix);
         t != db.allterms_end(schema::kPassageIdPrefix); ++t) {
      const Xapian::Document doc = db.get_document(*db.postlist_begin(*t));
      const Result<Passage> passage = reader.Read(doc);
      EXPECT_TRUE(passage.ok()) << *t << ": " << passage.status().ToString();
      if (!passage.ok()) continue;
      EXPECT_EQ(schema::PassageIdTerm(passage->id), *t);
      if (passage->doc.rfind(prefix, 0) == 0) ++count[doc.get_data()[0]];
    }
    return count;
  };
  std::map<char, int> first = formats("part");
  EXPECT_EQ(first[schema::kRecordPlain], 0)
      << "the training samples are compressed at the end of the run";
  EXPECT_GT(first[schema::kRecordCompressed], 0);

  Write("zz-after.txt", paragraph() + paragraph());
  ASSERT_EQ(Index(0)["added"], 1);
  EXPECT_EQ(shard_dictionary(0), dictionary) << "trained once";
  EXPECT_EQ(shard_dictionary(1), dictionary);
  EXPECT_EQ(formats("zz-after"), (std::map<char, int>{{schema::kRecordCompressed, 2}}));

  // A damaged dictionary: the compressed passages cannot be read back, so a
  // run refuses to write into the index, and says why.
  {
    Xapian::WritableDatabase shard((generation / "shard-1").string());
    shard.set_metadata(schema::kMetaRecordDictionary, "not a dictionary");
    shard.commit();
    Xapian::WritableDatabase first((generation / "shard-0").string());
    first.set_metadata(schema::kMetaRecordDictionary, "");
    first.commit();
  }
  Write("zz-later.txt", paragraph());
  const RunResult damaged = Run(IndexArgs({"--json"}));
  EXPECT_EQ(damaged.exit_code, 2) << damaged.err;
  EXPECT_NE(damaged.err.find("is corrupt: the index's record dictionary is not a zstd dictionary"),
            std::string::npos)
      << damaged.err;
  EXPECT_EQ(damaged.Json()["error"]["code"], "corruption") << damaged.out;
}

// Shard 0 holds the file records and commits last. A run killed after the
// other shards committed leaves records that name what those shards no
// longer have: here files are deleted, the run commits, and shard 0 is put
// back as it was before (as a kill before its commit leaves it); then the
// files come back as they were, so that their records match them again.
TEST_F(IndexerCliTest, ARunKilledBetweenShardCommitsIsRepairedByTheNext) {
  const auto name = [](int i) { return "doc" + std::to_string(i) + ".txt"; };
  for (int i = 0; i < 12; ++i) Write(name(i), EnglishText("harbour"));
  Index(0, {"--shards", "3"});
  const fs::path shard0 = fs::canonical(index_) / "shard-0";
  fs::copy(shard0, dir_ / "shard-0-before", fs::copy_options::recursive);
  for (int i = 0; i < 6; ++i) fs::remove(corpus_ / name(i));
  const json deleted = Index(0);
  ASSERT_EQ(deleted["deleted"], 6);
  const int elsewhere = deleted["deleted"].get<int>() - deleted["shards"][0]["deleted"].get<int>();
  ASSERT_GE(elsewhere, 1) << "some of the deleted documents must live outside shard 0";
  fs::remove_all(shard0);
  fs::copy(dir_ / "shard-0-before", shard0, fs::copy_options::recursive);
  for (int i = 0; i < 6; ++i) Write(name(i), EnglishText("harbour"));

  const json repaired = Index(0);
  EXPECT_EQ(repaired["added"], elsewhere) << repaired.dump();
  EXPECT_EQ(repaired["unchanged"], 12 - elsewhere) << repaired.dump();
  EXPECT_EQ(Open().get_doccount(), 12u);
  for (int i = 0; i < 12; ++i) EXPECT_EQ(PassagesOf(Open(), name(i)), 1) << name(i);
  const json again = Index(0);
  EXPECT_EQ(again["unchanged"], 12) << again.dump();
}

// The same torn commit, for documents shard 0 never heard of: files added
// by the killed run (their documents committed in shards 1 and 2, their
// records not in shard 0), then removed. Their documents' own records name
// the files; the next run removes them.
TEST_F(IndexerCliTest, ARunKilledBetweenShardCommitsLeavesNoOrphans) {
  const auto name = [](const std::string& prefix, int i) {
    return prefix + std::to_string(i) + ".txt";
  };
  for (int i = 0; i < 12; ++i) Write(name("doc", i), EnglishText("harbour"));
  Index(0, {"--shards", "3"});
  const fs::path shard0 = fs::canonical(index_) / "shard-0";
  fs::copy(shard0, dir_ / "shard-0-before", fs::copy_options::recursive);
  for (int i = 0; i < 6; ++i) Write(name("new", i), EnglishText("lighthouse"));
  const json added = Index(0);
  ASSERT_EQ(added["added"], 6);
  ASSERT_GE(added["added"].get<int>() - added["shards"][0]["added"].get<int>(), 1)
      << "some of the new documents must live outside shard 0";
  fs::remove_all(shard0);
  fs::copy(dir_ / "shard-0-before", shard0, fs::copy_options::recursive);
  for (int i = 0; i < 6; ++i) fs::remove(corpus_ / name("new", i));

  const json repaired = Index(0);
  EXPECT_EQ(repaired["unchanged"], 12) << repaired.dump();
  EXPECT_EQ(Open().get_doccount(), 12u);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(PassagesOf(Open(), name("new", i)), 0) << name("new", i);
  EXPECT_EQ(DistinctDocuments(Open()), 12);
  const json again = Index(0);
  EXPECT_EQ(again["unchanged"], 12) << again.dump();
  EXPECT_EQ(again["deleted"], 0) << again.dump();
}

}  // namespace
}  // namespace sarea::indexer_test
