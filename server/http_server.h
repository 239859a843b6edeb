// The HTTP layer of sarea-serve: routes, parameter parsing, JSON, errors, CORS,
// access log and metrics over cpp-httplib. The only code that knows HTTP.
//
// Routes (registered in one place, RegisterRoutes):
//   GET /api/search     ranked passages with snippets and language facets
//   GET /api/passages/ID one passage
//   GET /api/health     index statistics, or 503 while there is no index
//   GET /metrics        Prometheus text
// Every error is {"error":{"code":"snake_case","message":"..."}} with the HTTP
// status of ErrorStatus(); a handler that throws answers 500 and the server
// goes on serving.
#ifndef SAREA_SERVER_HTTP_SERVER_H_
#define SAREA_SERVER_HTTP_SERVER_H_

#include <functional>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "common/status.h"
#include "server/connection_guard.h"
#include "server/metrics.h"
#include "server/search_engine.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace sarea::server {

// The one table from engine error codes to HTTP statuses.
int ErrorStatus(StatusCode code);

struct ServerOptions {
  std::string bind = "127.0.0.1";
  int port = 8080;  // 0: any free port
  int threads = 2;
  std::string cors_origin;  // "" disables CORS; "*" allows any origin
  bool access_log = true;   // one line per request on stderr
  EdgeLimits edge;          // connections, request heads (connection_guard.h)
};

// An answer made in-process by HttpServer::Dispatch.
struct LocalResponse {
  int status = 0;
  std::string content_type;
  std::string body;
};

class HttpServer {
 public:
  HttpServer(SearchEngine& engine, ServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the listening socket; returns the port (useful with port 0).
  Result<int> Bind();
  // Serves until Stop(); requests in flight are finished before it returns.
  bool Serve();
  // Safe to call from any thread.
  void Stop();

  // The GET routes, named as in the OpenAPI description ("/api/passages/{id}").
  const std::vector<std::string>& routes() const { return routes_; }

  // Answers a GET of `target` (path and query string, as on a request line)
  // without a socket, through the same route table, handlers and error
  // answers as the server: for fuzzing and tests.
  LocalResponse Dispatch(const std::string& target);

 private:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;
  void RegisterRoutes();
  // Registers a GET `route` (its name) matched by `pattern`, wrapped.
  void Get(const std::string& pattern, const std::string& route, Handler handler);
  // Adds timing, CORS, the access log, metrics and the catch-all to a handler.
  Handler Wrap(std::string route, Handler handler);
  void Finish(const std::string& route, const httplib::Request& req, const httplib::Response& res,
              double seconds);

  void Search(const httplib::Request& req, httplib::Response& res);
  void Suggest(const httplib::Request& req, httplib::Response& res);
  void GetPassage(const httplib::Request& req, httplib::Response& res);
  void Health(const httplib::Request& req, httplib::Response& res);
  void RenderMetrics(const httplib::Request& req, httplib::Response& res);

  SearchEngine& engine_;
  ServerOptions options_;
  Metrics metrics_;
  std::unique_ptr<httplib::Server> server_;
  int listen_fd_ = -1;  // the listening socket, once bound
  std::vector<std::string> routes_;
  std::vector<std::pair<std::regex, Handler>> local_routes_;  // what Dispatch matches
};

}  // namespace sarea::server

#endif  // SAREA_SERVER_HTTP_SERVER_H_
