// sarea-serve: answers search queries over HTTP from the index sarea-index builds.
//
// Prints "listening on http://ADDR:PORT" once bound; stops gracefully (requests
// in flight finish) on SIGINT or SIGTERM. Exit codes: 0 after a clean stop; 2
// on a usage error or when the address cannot be bound.
#include <sys/resource.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <thread>

#include "common/lemmatizer.h"
#include "server/http_server.h"
#include "server/search_engine.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitUsage = 2;

// Blocks SIGINT/SIGTERM in every thread (call before any thread starts) and
// returns the set, for the one thread that waits for them.
sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

// Each connection takes two descriptors (httplib's and the guard's): lifts
// the soft limit towards the hard one so that the cap, not the limit, decides.
void RaiseDescriptorLimit(int connections) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  const rlim_t wanted = static_cast<rlim_t>(connections) * 2 + 256;
  if (limit.rlim_cur >= wanted) return;
  limit.rlim_cur = std::min(wanted, limit.rlim_max);
  setrlimit(RLIMIT_NOFILE, &limit);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Serves sarea's search API and page over HTTP."};
  std::string index = "data/index";
  sarea::server::ServerOptions options;
  options.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  app.add_option("--index", index,
                 "index path (as given to sarea-index), or a stub database listing shards")
      ->capture_default_str();
  app.add_option("--bind", options.bind, "address to listen on")->capture_default_str();
  app.add_option("--port", options.port, "port; 0 picks a free one")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  app.add_option("--threads", options.threads,
                 "searches run at once (each connection also has a thread of its own)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  app.add_option("--cors-origin", options.cors_origin,
                 "allow browsers on this origin (or *) to call the API");
  app.add_option("--max-connections", options.edge.max_connections,
                 "connections served at once; more are answered 503")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  double request_timeout = options.edge.head_timeout.count() / 1000.0;
  app.add_option("--request-timeout", request_timeout,
                 "seconds a client has to send a request head (else 408)")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 3600.0));
  sarea::server::RemoteOptions remote;
  app.add_option("--remote-timeout", remote.timeout_seconds,
                 "seconds to wait for a remote shard (connecting, and each exchange)")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 600.0));
  app.add_flag("--partial", remote.allow_partial,
               "answer from the shards that are up, marked \"partial\": true (else 503)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }

  options.edge.head_timeout = std::chrono::milliseconds(static_cast<long>(request_timeout * 1000));
  RaiseDescriptorLimit(options.edge.max_connections);

  const sigset_t stop_signals = BlockStopSignals();
  // Hunspell's dictionary loads before "listening", not in the first query
  // that needs it.
  sarea::Lemmatizer::Default()->Preload();
  sarea::server::SearchEngine engine(index, options.threads, remote);
  sarea::server::HttpServer server(engine, options);
  const sarea::Result<int> port = server.Bind();
  if (!port.ok()) {
    std::cerr << "sarea-serve: " << port.status().message() << "\n";
    return kExitUsage;
  }
  std::printf("listening on http://%s:%d\n", options.bind.c_str(), *port);
  std::fflush(stdout);

  std::thread stopper([&] {
    int signal = 0;
    sigwait(&stop_signals, &signal);
    std::cerr << "sarea-serve: stopping\n";
    server.Stop();
  });
  server.Serve();
  // Serve() also returns on its own errors: wake the stopper so it can be joined.
  pthread_kill(stopper.native_handle(), SIGTERM);
  stopper.join();
  return kExitOk;
}
