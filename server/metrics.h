// Request metrics in the Prometheus text format (no HTTP here: the HTTP layer
// records each request and serves Render()). Thread-safe.
#ifndef SAREA_SERVER_METRICS_H_
#define SAREA_SERVER_METRICS_H_

#include <array>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace sarea::server {

class Metrics {
 public:
  // Upper bounds (seconds) of the latency histogram's buckets; +Inf is implied.
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

  // One finished request: its route pattern ("/api/search"), status, duration.
  void Record(const std::string& route, int status, double seconds);

  // sarea_http_requests_total{route,status}, the
  // sarea_http_request_duration_seconds histogram by route, and the index
  // gauges (sarea_index_revision, sarea_index_passages) when `index_known`.
  std::string Render(bool index_known, unsigned long revision, unsigned passages) const;

 private:
  struct Histogram {
    std::array<unsigned long, kBuckets.size() + 1> counts{};  // last: above every bound
    double sum = 0;
    unsigned long count = 0;
  };

  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, unsigned long> requests_;
  std::map<std::string, Histogram> latency_;
};

}  // namespace sarea::server

#endif  // SAREA_SERVER_METRICS_H_
