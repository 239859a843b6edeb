// HTTP request handling without sockets: any bytes as the request target
// (path and query string) straight into the server's routing layer
// (HttpServer::Dispatch) over the seed index. Never a 500 (a handler that
// threw), always a JSON error body for a 4xx or 5xx.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "server/http_server.h"
#include "server/search_engine.h"
#include "tests/fuzz/fuzz_util.h"
#include "tests/fuzz/seed_index.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static sarea::server::SearchEngine engine(sarea::fuzz::SeedIndex(), 1);
  static const std::unique_ptr<sarea::server::HttpServer> server = [] {
    sarea::server::ServerOptions options;
    options.access_log = false;
    return std::make_unique<sarea::server::HttpServer>(engine, options);
  }();
  sarea::fuzz::Input in(data, size);
  static const char* const kRoutes[] = {
      "/api/search?q=", "/api/suggest?q=", "/api/passages/", "/api/health?", "", "/api/search?"};
  const std::string target = kRoutes[in.Byte() % 6] + std::string(in.Rest());
  const sarea::server::LocalResponse res = server->Dispatch(target);
  if (res.status == 500) sarea::fuzz::Fail("500 for " + target + ": " + res.body);
  if (res.status >= 400) {
    const nlohmann::json body = nlohmann::json::parse(res.body, nullptr, false);
    if (!body.is_object() || !body.contains("error")) sarea::fuzz::Fail("a bare error body");
  }
  return 0;
}
