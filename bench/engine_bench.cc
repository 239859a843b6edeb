// The engine's own cost, without HTTP: the CPU time (this thread's, kernel
// included) each search or suggestion of a query list takes, called on
// SearchEngine in process. Free of the load generator and of the scheduler's
// noise that a throughput run carries, it compares two builds, or two
// indexes, to a few percent: run each in turn, several times.
//
// Every query is run once first (caches, the dictionary), then --rounds
// times over the whole list; prints one JSON line with the median, minimum
// and maximum over the rounds of the mean microseconds per query; with
// --slowest N, also the N queries of highest median CPU over the rounds.
// Exit 1 if a query fails, 2 on a usage error.
//
// Usage: sarea-engine-bench INDEX QUERIES [--route search|suggest] [--rounds N]
//                           [--slowest N]
//   QUERIES: "lang<TAB>query" lines (bench/queries/*.tsv)
#include <time.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "server/search_engine.h"

namespace {

double ThreadCpuMicroseconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_nsec) / 1e3;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"sarea's engine cost per query, in process, without HTTP"};
  std::string index, list, route = "search";
  int rounds = 5;
  std::size_t slowest = 0;
  app.add_option("index", index, "the index (as sarea-serve --index takes it)")->required();
  app.add_option("queries", list, "\"lang<TAB>query\" lines")->required()->check(CLI::ExistingFile);
  app.add_option("--route", route, "what to call")
      ->capture_default_str()
      ->check(CLI::IsMember({"search", "suggest"}));
  app.add_option("--rounds", rounds, "timed rounds over the list")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  app.add_option("--slowest", slowest,
                 "also list the N queries of highest median cost (what a p99 follows)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;  // a usage error is 2, as sarea-serve's
  }

  std::vector<std::string> queries;
  std::ifstream in(list);
  for (std::string line; std::getline(in, line);) {
    const std::size_t tab = line.find('\t');
    if (tab != std::string::npos && tab + 1 < line.size()) queries.push_back(line.substr(tab + 1));
  }
  if (queries.empty()) {
    std::cerr << "sarea-engine-bench: no queries in " << list << "\n";
    return 2;
  }

  sarea::server::SearchEngine engine(index, 1);
  // cost[i]: query i's CPU microseconds, one entry per timed round.
  std::vector<std::vector<double>> cost(queries.size());
  bool timing = false;
  // One pass over the list; false (and the reason on stderr) if a query fails.
  const auto pass = [&]() {
    for (std::size_t i = 0; i < queries.size(); ++i) {
      const std::string& q = queries[i];
      const double start = timing ? ThreadCpuMicroseconds() : 0;
      sarea::Status status;
      if (route == "search") {
        sarea::server::SearchRequest request;
        request.query = q;
        status = engine.Search(request).status();
      } else {
        sarea::server::SuggestRequest request;
        request.typed = q;
        status = engine.Suggest(request).status();
      }
      if (!status.ok()) {
        std::cerr << "sarea-engine-bench: " << route << " \"" << q << "\": " << status.ToString()
                  << "\n";
        return false;
      }
      if (timing) cost[i].push_back(ThreadCpuMicroseconds() - start);
    }
    return true;
  };
  if (!pass()) return 1;
  timing = slowest > 0;
  std::vector<double> per_query;
  for (int r = 0; r < rounds; ++r) {
    const double start = ThreadCpuMicroseconds();
    if (!pass()) return 1;
    per_query.push_back((ThreadCpuMicroseconds() - start) / static_cast<double>(queries.size()));
  }
  std::sort(per_query.begin(), per_query.end());
  const auto round1 = [](double us) {
    return static_cast<double>(static_cast<long>(us * 10)) / 10;
  };
  nlohmann::json out{{"route", route},
                     {"queries", queries.size()},
                     {"rounds", rounds},
                     {"median_us", round1(per_query[per_query.size() / 2])},
                     {"min_us", round1(per_query.front())},
                     {"max_us", round1(per_query.back())}};
  if (slowest > 0) {
    std::vector<std::pair<double, std::size_t>> medians;
    for (std::size_t i = 0; i < queries.size(); ++i) {
      std::sort(cost[i].begin(), cost[i].end());
      medians.emplace_back(cost[i][cost[i].size() / 2], i);
    }
    std::sort(medians.rbegin(), medians.rend());
    medians.resize(std::min(slowest, medians.size()));
    out["slowest"] = nlohmann::json::array();
    for (const auto& [us, i] : medians) {
      out["slowest"].push_back({{"query", queries[i]}, {"median_us", round1(us)}});
    }
  }
  std::cout << out.dump() << "\n";
  return 0;
}
