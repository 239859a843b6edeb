// A one-line progress bar on stderr: files done/total and rate. Silent when
// stderr is not a terminal or when disabled.
#ifndef SAREA_INDEXER_PROGRESS_H_
#define SAREA_INDEXER_PROGRESS_H_

#include <chrono>
#include <cstddef>

namespace sarea::indexer {

class Progress {
 public:
  Progress(std::size_t total, bool enabled);
  ~Progress();  // clears the line
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void Advance();  // one more file done; redraws at most ten times a second

 private:
  void Draw();

  std::size_t total_;
  std::size_t done_ = 0;
  bool enabled_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace sarea::indexer

#endif  // SAREA_INDEXER_PROGRESS_H_
