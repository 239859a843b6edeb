// Load for the Sphinx peer of the benchmarks: N clients over SphinxQL (the
// MySQL protocol, through Debian's libmariadb), each sending the next query of
// a list until the time is up. One query is what sarea's search does: the top
// 10 by BM25 over both language indexes, then CALL SNIPPETS for the hits of
// each language in that language's index. Prints one JSON line, as
// bench/lua/queries.lua does for wrk.
//
// Usage: sarea-sphinxql-load HOST PORT QUERIES CLIENTS SECONDS
#include <mysql.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

// `s` as the inside of a SphinxQL string literal.
std::string Quote(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

// The rows of a result, all columns as strings; false on error.
bool Rows(MYSQL* db, const std::string& sql, std::vector<std::vector<std::string>>* rows) {
  if (mysql_real_query(db, sql.data(), sql.size()) != 0) return false;
  MYSQL_RES* result = mysql_store_result(db);
  if (result == nullptr) return mysql_field_count(db) == 0;
  const unsigned columns = mysql_num_fields(result);
  while (MYSQL_ROW row = mysql_fetch_row(result)) {
    unsigned long* lengths = mysql_fetch_lengths(result);
    std::vector<std::string> values;
    for (unsigned i = 0; i < columns; ++i)
      values.emplace_back(row[i] ? std::string(row[i], lengths[i]) : std::string());
    if (rows) rows->push_back(std::move(values));
  }
  mysql_free_result(result);
  return true;
}

// One search: top 10 over both indexes, snippets per language.
bool Search(MYSQL* db, const std::string& query) {
  std::vector<std::vector<std::string>> hits;
  if (!Rows(db,
            "SELECT id, lang, body FROM idx_en, idx_es WHERE MATCH('" + Quote(query) +
                "') LIMIT 10 OPTION ranker=bm25",
            &hits)) {
    return false;
  }
  for (const char* lang : {"0", "1"}) {
    std::string texts;
    for (const auto& hit : hits) {
      if (hit[1] != lang) continue;
      texts += (texts.empty() ? "('" : ", '") + Quote(hit[2]) + "'";
    }
    if (texts.empty()) continue;
    const std::string index = std::string(lang) == "0" ? "idx_en" : "idx_es";
    if (!Rows(
            db,
            "CALL SNIPPETS(" + texts + "), '" + index + "', '" + Quote(query) + "', 200 AS limit)",
            nullptr)) {
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::cerr << "usage: sarea-sphinxql-load HOST PORT QUERIES CLIENTS SECONDS\n";
    return 2;
  }
  const std::string host = argv[1];
  const unsigned port = static_cast<unsigned>(std::stoul(argv[2]));
  const int clients = std::stoi(argv[4]);
  const auto duration = std::chrono::duration<double>(std::stod(argv[5]));
  std::vector<std::string> queries;
  std::ifstream in(argv[3]);
  for (std::string line; std::getline(in, line);) {
    const std::size_t tab = line.find('\t');
    if (tab != std::string::npos) queries.push_back(line.substr(tab + 1));
  }
  if (queries.empty()) {
    std::cerr << "sarea-sphinxql-load: no queries in " << argv[3] << "\n";
    return 2;
  }
  mysql_library_init(0, nullptr, nullptr);
  std::atomic<std::size_t> next{0};
  std::atomic<long> errors{0};
  std::mutex mutex;
  std::vector<double> latencies_ms;
  const Clock::time_point start = Clock::now();
  const Clock::time_point end = start + std::chrono::duration_cast<Clock::duration>(duration);
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      mysql_thread_init();
      MYSQL* db = mysql_init(nullptr);
      if (!mysql_real_connect(db, host.c_str(), "", "", nullptr, port, nullptr, 0)) {
        std::cerr << "sarea-sphinxql-load: " << mysql_error(db) << "\n";
        ++errors;
      } else {
        std::vector<double> mine;
        while (Clock::now() < end) {
          const std::string& q = queries[next++ % queries.size()];
          const Clock::time_point t0 = Clock::now();
          if (!Search(db, q)) ++errors;
          mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        }
        std::lock_guard<std::mutex> lock(mutex);
        latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
      }
      mysql_close(db);
      mysql_thread_end();
    });
  }
  for (std::thread& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto at = [&](double q) {
    if (latencies_ms.empty()) return 0.0;
    return latencies_ms[std::min(latencies_ms.size() - 1,
                                 static_cast<std::size_t>(q * latencies_ms.size()))];
  };
  std::printf(
      "{\"requests\":%zu,\"seconds\":%.3f,\"rps\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,"
      "\"errors\":%ld,\"non_2xx\":0}\n",
      latencies_ms.size(), seconds, latencies_ms.size() / seconds, at(0.5), at(0.99),
      errors.load());
  mysql_library_end();
  return 0;
}
