#include "server/metrics.h"

#include <sstream>

namespace sarea::server {

void Metrics::Record(const std::string& route, int status, double seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++requests_[{route, status}];
  Histogram& h = latency_[route];
  std::size_t bucket = 0;
  while (bucket < kBuckets.size() && seconds > kBuckets[bucket]) ++bucket;
  ++h.counts[bucket];
  h.sum += seconds;
  ++h.count;
}

std::string Metrics::Render(bool index_known, unsigned long revision, unsigned passages) const {
  std::ostringstream out;
  std::lock_guard<std::mutex> lock(mutex_);
  out << "# HELP sarea_http_requests_total HTTP requests by route and status.\n"
      << "# TYPE sarea_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    out << "sarea_http_requests_total{route=\"" << key.first << "\",status=\"" << key.second
        << "\"} " << n << "\n";
  }
  out << "# HELP sarea_http_request_duration_seconds Time to answer a request.\n"
      << "# TYPE sarea_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    unsigned long cumulative = 0;
    for (std::size_t i = 0; i <= kBuckets.size(); ++i) {
      cumulative += h.counts[i];
      out << "sarea_http_request_duration_seconds_bucket{route=\"" << route << "\",le=\"";
      if (i < kBuckets.size())
        out << kBuckets[i];
      else
        out << "+Inf";
      out << "\"} " << cumulative << "\n";
    }
    out << "sarea_http_request_duration_seconds_sum{route=\"" << route << "\"} " << h.sum << "\n"
        << "sarea_http_request_duration_seconds_count{route=\"" << route << "\"} " << h.count
        << "\n";
  }
  if (index_known) {
    out << "# HELP sarea_index_revision Revision of the index being served.\n"
        << "# TYPE sarea_index_revision gauge\nsarea_index_revision " << revision << "\n"
        << "# HELP sarea_index_passages Passages in the index being served.\n"
        << "# TYPE sarea_index_passages gauge\nsarea_index_passages " << passages << "\n";
  }
  return out.str();
}

}  // namespace sarea::server
