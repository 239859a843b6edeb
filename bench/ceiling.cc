// The ceiling of the benchmarks: an HTTP server that does no work, set up as
// sarea-serve is (cpp-httplib, a thread pool of one thread per core, TCP_NODELAY)
// and answering every GET with a constant small JSON body. No search server on
// this machine can answer faster than this one.
// Usage: sarea-ceiling PORT
#include <httplib.h>

#include <cstdlib>
#include <iostream>
#include <thread>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: sarea-ceiling PORT\n";
    return 2;
  }
  const int port = std::atoi(argv[1]);
  httplib::Server server;
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_tcp_nodelay(true);
  server.Get(R"(/.*)", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"hits":[]})", "application/json; charset=utf-8");
  });
  if (!server.bind_to_port("127.0.0.1", port)) {
    std::cerr << "sarea-ceiling: cannot listen on 127.0.0.1:" << port << "\n";
    return 1;
  }
  std::cout << "listening on http://127.0.0.1:" << port << std::endl;
  return server.listen_after_bind() ? 0 : 1;
}
