#include "indexer/progress.h"

#include <unistd.h>

#include <cstdio>
#include <string>

namespace sarea::indexer {

Progress::Progress(std::size_t total, bool enabled)
    : total_(total),
      enabled_(enabled && ::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() {
  if (enabled_) std::fprintf(stderr, "\r\033[K");
}

void Progress::Advance() {
  ++done_;
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (done_ < total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  Draw();
}

void Progress::Draw() {
  constexpr int kWidth = 30;
  const double fraction = total_ == 0 ? 1.0 : static_cast<double>(done_) / total_;
  const double seconds = std::chrono::duration<double>(last_draw_ - start_).count();
  const int filled = static_cast<int>(fraction * kWidth);
  std::fprintf(stderr, "\r[%s%s] %zu/%zu files %.1f files/s\033[K",
               std::string(filled, '#').c_str(), std::string(kWidth - filled, ' ').c_str(), done_,
               total_, seconds > 0 ? done_ / seconds : 0.0);
  std::fflush(stderr);
}

}  // namespace sarea::indexer
