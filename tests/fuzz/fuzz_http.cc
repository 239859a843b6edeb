// HTTP request handling without sockets: any bytes as the request target
// (path and query string) straight into the server's routing layer
// (HttpServer::Dispatch) over the seed index. Never a 500 (a handler that
// threw), always a JSON error body for a 4xx or 5xx, and never <, > or & in
// a JSON body (HTML-safe JSON). The same bytes as the start of a connection for
// the guard's request-head rules (CheckRequestHead): a verdict on a prefix
// stands once more bytes come.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "server/connection_guard.h"
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
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  sarea::server::EdgeLimits limits;
  limits.max_request_line = 64;  // small, so that short inputs reach every rule
  limits.max_head_bytes = 256;
  limits.max_header_lines = 4;
  using sarea::server::HeadCheck;
  const HeadCheck whole = sarea::server::CheckRequestHead(bytes, limits);
  const HeadCheck part = sarea::server::CheckRequestHead(bytes.substr(0, size / 2), limits);
  if (part != HeadCheck::kIncomplete && part != whole) sarea::fuzz::Fail("a head verdict changed");

  sarea::fuzz::Input in(data, size);
  static const char* const kRoutes[] = {
      "/api/search?q=", "/api/suggest?q=", "/api/passages/", "/api/health?", "", "/api/search?"};
  const std::string target = kRoutes[in.Byte() % 6] + std::string(in.Rest());
  const sarea::server::LocalResponse res = server->Dispatch(target);
  if (res.status == 500) sarea::fuzz::Fail("500 for " + target + ": " + res.body);
  if (res.content_type.rfind("application/json", 0) == 0 &&
      res.body.find_first_of("<>&") != std::string::npos) {
    sarea::fuzz::Fail("markup in a body for " + target + ": " + res.body);
  }
  if (res.status >= 400) {
    const nlohmann::json body = nlohmann::json::parse(res.body, nullptr, false);
    if (!body.is_object() || !body.contains("error")) sarea::fuzz::Fail("a bare error body");
  }
  return 0;
}
