// Files, temporary directories and child processes for the integration tests,
// which run the real sarea-index and sarea-serve binaries.
//
// Everything here is for one test thread at a time, except that Spawn may be
// called while other threads run (the child only makes async-signal-safe calls
// between fork and exec). Exit codes are reported one way throughout: the
// process's exit status, 128 + the signal that killed it, or -1 when it could
// not be waited for.
#ifndef SAREA_TESTS_SUPPORT_PROCESS_H_
#define SAREA_TESTS_SUPPORT_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace sarea::test_support {

// ------------------------------------------------------------------- files

// The whole content of the file at `path`; "" if it is missing or unreadable.
std::string ReadAll(const std::filesystem::path& path);

// Replaces the file at `path` with `bytes`, creating its parent directories
// (which throws std::filesystem::filesystem_error if that fails). False if the
// file could not be written.
bool WriteAll(const std::filesystem::path& path, std::string_view bytes);

// A new, empty directory under ::testing::TempDir(), removed with everything
// in it when the object is destroyed (errors there are ignored). Not copyable.
class TempDir {
 public:
  // Creates ::testing::TempDir() + prefix + six random characters; path() is
  // empty if that failed.
  explicit TempDir(const std::string& prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// --------------------------------------------------------- child processes

// Where a child's stdout or stderr goes: the descriptor `fd` when it is >= 0
// (the caller keeps it and closes its own copy once the child is started),
// else the file `file`, truncated first unless `append`. Two outputs may name
// the same file only with `append`.
struct Output {
  std::filesystem::path file;
  bool append = false;
  int fd = -1;
};

struct SpawnOptions {
  std::filesystem::path program;  // run as given, without a PATH search
  std::vector<std::string> args;  // argv[1...]
  std::filesystem::path cwd;      // empty: the parent's working directory
  Output out;
  Output err;
  // Drops root's power to read any file, so that the child meets file
  // permissions like any user (tests may run as root).
  bool without_read_override = false;
};

// Starts `options.program`; its pid, or -1 if fork failed. A child that cannot
// set up its outputs or working directory, or cannot exec, exits 127.
pid_t Spawn(const SpawnOptions& options);

// Waits for child `pid` to exit, reaps it and returns its exit code.
int Wait(pid_t pid);

// Like Wait, but a child still running after `timeout` is killed with SIGKILL
// and reaped, and -1 is returned.
int WaitAtMost(pid_t pid, std::chrono::milliseconds timeout);

// Kills child `pid` with SIGKILL and reaps it; nothing for pid <= 0.
void Kill(pid_t pid);

// True once child `pid` has exited; it is left for Wait to reap.
bool Exited(pid_t pid);

// Spawns `options` with stderr on a new pseudo-terminal (options.err is not
// used) and waits for it. The result's exit code is Wait's, or -1 (with a test
// failure added) if no pseudo-terminal could be opened; `shown` is everything
// the terminal got, with each "\n" turned into "\r\n" by the line discipline.
struct TerminalRun {
  int exit_code = -1;
  std::string shown;
};
TerminalRun RunWithTerminalStderr(SpawnOptions options);

// Everything read from `fd` until the other side is gone: end of file for a
// pipe, EIO for a pseudo-terminal whose last slave descriptor was closed.
std::string ReadUntilClosed(int fd);

// The first line read from `fd`, without its "\n", and `rest`, the bytes read
// after it. If the writer closes `fd` before a whole line came, `line` is what
// came plus " [exited]"; if `timeout` passes first, plus " [timed out]"; `rest`
// is then empty.
struct FirstLine {
  std::string line;
  std::string rest;
};
FirstLine ReadFirstLine(int fd, std::chrono::milliseconds timeout);

}  // namespace sarea::test_support

#endif  // SAREA_TESTS_SUPPORT_PROCESS_H_
