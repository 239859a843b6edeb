#include "tests/support/process.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace sarea::test_support {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

int ExitCode(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Removes CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the bounding set, so
// that a program exec'd by root does not get them back.
void DropReadOverride() {
  ::prctl(PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, 0, 0, 0);
  ::prctl(PR_CAPBSET_DROP, CAP_DAC_READ_SEARCH, 0, 0, 0);
}

// In the child: the descriptor `output` names, opening its file if need be;
// -1 if that fails.
int OpenInChild(const Output& output) {
  if (output.fd >= 0) return output.fd;
  const int flags = O_WRONLY | O_CREAT | (output.append ? O_APPEND : O_TRUNC);
  return ::open(output.file.c_str(), flags, 0644);
}

// The child's side of Spawn. Another thread of the parent may have held a lock
// (malloc's, say) at fork time, so only async-signal-safe calls from here.
[[noreturn]] void BecomeChild(const SpawnOptions& options, char* const argv[]) {
  if (options.without_read_override) DropReadOverride();
  const int out_fd = OpenInChild(options.out);
  const int err_fd = OpenInChild(options.err);
  if (out_fd < 0 || err_fd < 0 || ::dup2(out_fd, 1) < 0 || ::dup2(err_fd, 2) < 0 ||
      (!options.cwd.empty() && ::chdir(options.cwd.c_str()) != 0)) {
    ::_exit(127);
  }
  ::execv(argv[0], argv);
  ::_exit(127);
}

}  // namespace

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

bool WriteAll(const fs::path& path, std::string_view bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  return out.good();
}

TempDir::TempDir(const std::string& prefix) {
  std::string pattern = ::testing::TempDir() + prefix + "XXXXXX";
  if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
}

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ec;
  fs::remove_all(path_, ec);
}

pid_t Spawn(const SpawnOptions& options) {
  std::vector<std::string> strings = {options.program.string()};
  strings.insert(strings.end(), options.args.begin(), options.args.end());
  std::vector<char*> argv;
  for (std::string& s : strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) BecomeChild(options, argv.data());
  return pid;
}

int Wait(pid_t pid) {
  int status = 0;
  if (pid <= 0 || ::waitpid(pid, &status, 0) != pid) return -1;
  return ExitCode(status);
}

int WaitAtMost(pid_t pid, std::chrono::milliseconds timeout) {
  if (pid <= 0) return -1;
  const auto deadline = Clock::now() + timeout;
  int status = 0;
  pid_t done;
  while ((done = ::waitpid(pid, &status, WNOHANG)) == 0) {
    if (Clock::now() > deadline) {
      Kill(pid);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done == pid ? ExitCode(status) : -1;
}

void Kill(pid_t pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

bool Exited(pid_t pid) {
  siginfo_t info{};
  ::waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT);
  return info.si_pid == pid;
}

TerminalRun RunWithTerminalStderr(SpawnOptions options) {
  int master = -1, terminal = -1;
  if (::openpty(&master, &terminal, nullptr, nullptr, nullptr) != 0) {
    ADD_FAILURE() << "openpty: " << std::strerror(errno);
    return {};
  }
  // Only the child's stderr (dup2 clears the flag) keeps the terminal open.
  ::fcntl(master, F_SETFD, FD_CLOEXEC);
  ::fcntl(terminal, F_SETFD, FD_CLOEXEC);
  options.err = Output{{}, false, terminal};
  const pid_t pid = Spawn(options);
  EXPECT_GT(pid, 0) << "fork failed";
  ::close(terminal);  // so that reading ends once the child has exited
  TerminalRun run;
  run.shown = ReadUntilClosed(master);
  ::close(master);
  run.exit_code = Wait(pid);
  return run;
}

std::string ReadUntilClosed(int fd) {
  std::string bytes;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      bytes.append(buf, static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return bytes;
    }
  }
}

FirstLine ReadFirstLine(int fd, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::string text;
  while (text.find('\n') == std::string::npos) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    pollfd pfd{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) {
      return {text + " [timed out]", ""};
    }
    char buf[256];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return {text + " [exited]", ""};
    text.append(buf, static_cast<std::size_t>(n));
  }
  const std::size_t end = text.find('\n');
  return {text.substr(0, end), text.substr(end + 1)};
}

}  // namespace sarea::test_support
