#include "server/http_server.h"

#include <sys/socket.h>

#include <httplib.h>

#include <charconv>
#include <chrono>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "common/text.h"
#include "server/json_writer.h"

namespace sarea::server {
namespace internal {
// web/, embedded by cmake/EmbedFiles.cmake: {name, content}.
extern const char* const kWebFiles[][2];
extern const std::size_t kWebFileCount;
}  // namespace internal

namespace {

// The page loads only its own script and style and talks only to this server.
constexpr char kContentSecurityPolicy[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

// Serves the embedded file `name` of web/ as `type`.
void SendWebFile(httplib::Response& res, const std::string& name, const char* type) {
  for (std::size_t i = 0; i < internal::kWebFileCount; ++i) {
    if (name == internal::kWebFiles[i][0]) {
      res.status = 200;
      res.set_header("Content-Security-Policy", kContentSecurityPolicy);
      res.set_header("X-Content-Type-Options", "nosniff");
      res.set_header("Cache-Control", "no-cache");
      res.set_content(internal::kWebFiles[i][1], type);
      return;
    }
  }
  res.status = 500;  // a build without the file: the error handler says so
}

constexpr std::size_t kMaxQueryBytes = 1024;
// The deepest hit a search serves (page * size), as Elasticsearch's
// max_result_window: ranking ever deeper pages costs ever more, and no reader
// pages that far.
constexpr int kMaxResultWindow = 10000;
constexpr char kJson[] = "application/json; charset=utf-8";

// `body`: JSON text, HTML-safe (JsonWriter's, or HtmlSafe's).
void SendJsonText(httplib::Response& res, int status, std::string body) {
  res.status = status;
  res.set_header("X-Content-Type-Options", "nosniff");
  // (set_content would copy the body.)
  res.body = std::move(body);
  res.set_header("Content-Type", kJson);
}

void SendJson(httplib::Response& res, int status, const nlohmann::json& body) {
  SendJsonText(res, status,
               HtmlSafe(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
}

void SendError(httplib::Response& res, const Status& status) {
  SendJson(res, ErrorStatus(status.code()),
           {{"error", {{"code", StatusCodeName(status.code())}, {"message", status.message()}}}});
}

// Every parameter must be valid UTF-8; httplib has already decoded %XX.
Status CheckParams(const httplib::Request& req) {
  for (const auto& [name, value] : req.params) {
    if (FindInvalidUtf8(name) != std::string::npos || FindInvalidUtf8(value) != std::string::npos) {
      return Status::InvalidArgument("parameter '" + name + "' is not valid UTF-8");
    }
  }
  return Status::Ok();
}

Result<int> IntParam(const httplib::Request& req, const char* name, int fallback, int min,
                     int max) {
  if (!req.has_param(name)) return fallback;
  const std::string value = req.get_param_value(name);
  int n = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (error != std::errc() || end != value.data() + value.size() || n < min || n > max) {
    return Status::InvalidArgument(std::string(name) + " must be a whole number from " +
                                   std::to_string(min) + " to " + std::to_string(max));
  }
  return n;
}

Result<SearchRequest> ParseSearch(const httplib::Request& req) {
  Status params = CheckParams(req);
  if (!params.ok()) return params;
  SearchRequest request;
  request.query = req.get_param_value("q");
  if (request.query.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Status::InvalidArgument("q is required: the words to search for");
  }
  if (request.query.size() > kMaxQueryBytes) {
    return Status::InvalidArgument("q is longer than " + std::to_string(kMaxQueryBytes) + " bytes");
  }
  const std::string lang = req.get_param_value("lang");
  if (!lang.empty()) request.languages.push_back(lang);
  request.doc = req.get_param_value("doc");
  const Result<int> page = IntParam(req, "page", 1, 1, kMaxResultWindow / 10);
  const Result<int> size = IntParam(req, "size", 10, 1, 100);
  const Result<int> snippet = IntParam(req, "snippet_len", 200, 20, 2000);
  for (const Status& s : {page.status(), size.status(), snippet.status()}) {
    if (!s.ok()) return s;
  }
  if (*page * *size > kMaxResultWindow) {
    return Status::InvalidArgument("page × size must be at most " +
                                   std::to_string(kMaxResultWindow) +
                                   ": hits that deep are not served; refine the query");
  }
  request.page = *page;
  request.size = *size;
  request.snippet_length = static_cast<std::size_t>(*snippet);
  // On by default when the results are filtered by language: a reader of
  // that language then also finds what only matched in the other one, and
  // direct matches keep their rank; without a filter it would fill the page
  // with twins (tests/common/cross_lingual_eval_test.cc measures both).
  const Result<int> translations =
      IntParam(req, "translations", request.languages.empty() ? 0 : 1, 0, 1);
  if (!translations.ok()) return translations.status();
  request.via_translation = *translations == 1;
  const std::string group = req.get_param_value("group");
  if (!group.empty() && group != "pair") {
    return Status::InvalidArgument("group must be \"pair\" or absent");
  }
  request.group_pairs = group == "pair";
  return request;
}

Result<SuggestRequest> ParseSuggest(const httplib::Request& req) {
  Status params = CheckParams(req);
  if (!params.ok()) return params;
  if (!req.has_param("q")) return Status::InvalidArgument("q is required: the text typed so far");
  SuggestRequest request;
  request.typed = req.get_param_value("q");
  if (request.typed.size() > kMaxQueryBytes) {
    return Status::InvalidArgument("q is longer than " + std::to_string(kMaxQueryBytes) + " bytes");
  }
  const std::string lang = req.get_param_value("lang");
  if (!lang.empty()) request.languages.push_back(lang);
  const Result<int> size = IntParam(req, "size", 8, 1, 20);
  if (!size.ok()) return size.status();
  request.size = static_cast<std::size_t>(*size);
  return request;
}

// A hit as the search response lists it (keys in sorted order: JsonWriter).
void WriteHit(JsonWriter& w, const Hit& hit) {
  w.BeginObject();
  w.Key("doc");
  w.String(hit.passage.doc);
  w.Key("id");
  w.String(hit.passage.id);
  w.Key("lang");
  w.String(hit.passage.lang);
  w.Key("rank");
  w.Int(hit.rank);
  w.Key("score");
  w.Double(hit.score);
  w.Key("snippet");
  w.String(hit.snippet);
  w.Key("title");
  w.String(hit.passage.title);
  w.Key("translation");
  if (hit.translation) {
    w.BeginObject();
    w.Key("id");
    w.String(hit.translation->id);
    w.Key("lang");
    w.String(hit.translation->lang);
    w.Key("snippet");
    w.String(hit.translation_snippet);
    w.EndObject();
  } else {
    w.Null();
  }
  if (hit.via_translation) {
    w.Key("via");
    w.String("translation");
  }
  w.EndObject();
}

double Since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int ErrorStatus(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kCorruption:
    case StatusCode::kIoError:
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

HttpServer::HttpServer(SearchEngine& engine, ServerOptions options)
    : engine_(engine), options_(std::move(options)), server_(std::make_unique<httplib::Server>()) {
  const int threads = std::max(1, options_.threads);
  // A thread per connection up to the cap, request heads bounded in time and
  // size (connection_guard.h); refusals are counted as the route "edge".
  server_->new_task_queue = [this, threads] {
    return NewConnectionGuard(options_.edge, threads, [this](int status) {
      metrics_.Record("edge", status, 0);
      if (options_.access_log) std::fprintf(stderr, "- (edge) %d refused\n", status);
    });
  };
  server_->set_socket_options([this](socket_t sock) {
    httplib::default_socket_options(sock);
    listen_fd_ = sock;
  });
  server_->set_pre_routing_handler([](const httplib::Request&, httplib::Response&) {
    RequestStarted();
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server_->set_logger([](const httplib::Request&, const httplib::Response&) { ResponseWritten(); });
  // Without it every keep-alive response waits ~40 ms (Nagle + delayed ACK).
  server_->set_tcp_nodelay(true);
  // httplib closes a keep-alive connection after 5 requests; as nginx, after 1000.
  server_->set_keep_alive_max_count(1000);
  RegisterRoutes();
}

HttpServer::~HttpServer() = default;

void HttpServer::Get(const std::string& pattern, const std::string& route, Handler handler) {
  Handler wrapped = Wrap(route, std::move(handler));
  server_->Get(pattern, wrapped);
  local_routes_.emplace_back(std::regex(pattern), std::move(wrapped));
  routes_.push_back(route);
}

LocalResponse HttpServer::Dispatch(const std::string& target) {
  // As httplib reads a request line: the path URL-decoded, the query parsed.
  httplib::Request req;
  req.method = "GET";
  req.target = target;
  const std::size_t question = target.find('?');
  req.path = httplib::detail::decode_url(target.substr(0, question), false);
  if (question != std::string::npos)
    httplib::detail::parse_query_text(target.substr(question + 1), req.params);
  httplib::Response res;
  bool routed = false;
  for (const auto& [pattern, handler] : local_routes_) {
    if (std::regex_match(req.path, req.matches, pattern)) {
      handler(req, res);  // Wrap()ped: it catches what the handler throws
      routed = true;
      break;
    }
  }
  if (!routed) {
    const auto start = std::chrono::steady_clock::now();
    SendError(res, Status::NotFound("no route for " + req.method + " " + req.path));
    Finish("other", req, res, Since(start));
  }
  return {res.status, res.get_header_value("Content-Type"), res.body};
}

void HttpServer::RegisterRoutes() {
  using namespace std::placeholders;
  // Each route as named in api/openapi.json, which a test holds to this list.
  Get("/api/search", "/api/search", std::bind(&HttpServer::Search, this, _1, _2));
  Get("/api/suggest", "/api/suggest", std::bind(&HttpServer::Suggest, this, _1, _2));
  Get(R"(/api/passages/([^/]+))", "/api/passages/{id}",
      std::bind(&HttpServer::GetPassage, this, _1, _2));
  Get("/api/health", "/api/health", std::bind(&HttpServer::Health, this, _1, _2));
  Get("/metrics", "/metrics", std::bind(&HttpServer::RenderMetrics, this, _1, _2));
  const struct {
    const char* route;
    const char* file;
    const char* type;
  } kWebRoutes[] = {
      {"/", "index.html", "text/html; charset=utf-8"},
      {"/static/app.js", "app.js", "text/javascript; charset=utf-8"},
      {"/static/style.css", "style.css", "text/css; charset=utf-8"},
      {"/api/openapi.json", "openapi.json", kJson},
  };
  for (const auto& web : kWebRoutes) {
    Get(web.route, web.route,
        [file = std::string(web.file), type = web.type](
            const httplib::Request&, httplib::Response& res) { SendWebFile(res, file, type); });
  }
  // CORS preflight.
  server_->Options(R"(/.*)",
                   Wrap("preflight", [this](const httplib::Request&, httplib::Response& res) {
                     res.status = 204;
                     if (!options_.cors_origin.empty()) {
                       res.set_header("Access-Control-Allow-Methods", "GET, OPTIONS");
                       res.set_header("Access-Control-Allow-Headers", "Content-Type");
                       res.set_header("Access-Control-Max-Age", "86400");
                     }
                   }));
  // Called for every response of status >= 400; fills only those no route made.
  server_->set_error_handler(httplib::Server::HandlerWithResponse(
      [this](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        const auto start = std::chrono::steady_clock::now();
        SendError(res, Status::NotFound("no route for " + req.method + " " + req.path));
        Finish("other", req, res, Since(start));
        return httplib::Server::HandlerResponse::Handled;
      }));
  server_->set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        SendError(res, Status::Internal("unexpected error"));
      });
}

HttpServer::Handler HttpServer::Wrap(std::string route, Handler handler) {
  return [this, route = std::move(route), handler = std::move(handler)](const httplib::Request& req,
                                                                        httplib::Response& res) {
    const auto start = std::chrono::steady_clock::now();
    try {
      handler(req, res);
    } catch (const std::exception& e) {
      SendError(res, Status::Internal(std::string("unexpected error: ") + e.what()));
    } catch (...) {
      SendError(res, Status::Internal("unexpected error"));
    }
    if (res.status == -1) res.status = 200;  // httplib's "not set yet"
    const std::string origin = req.get_header_value("Origin");
    if (!options_.cors_origin.empty() && !origin.empty() &&
        (options_.cors_origin == "*" || origin == options_.cors_origin)) {
      res.set_header("Access-Control-Allow-Origin", options_.cors_origin == "*" ? "*" : origin);
      res.set_header("Vary", "Origin");
    }
    Finish(route, req, res, Since(start));
  };
}

void HttpServer::Finish(const std::string& route, const httplib::Request& req,
                        const httplib::Response& res, double seconds) {
  metrics_.Record(route, res.status, seconds);
  if (!options_.access_log) return;
  std::fprintf(stderr, "%s %s %d %.2fms\n", req.method.c_str(), req.path.c_str(), res.status,
               seconds * 1000);
}

void HttpServer::Search(const httplib::Request& req, httplib::Response& res) {
  const auto start = std::chrono::steady_clock::now();
  Result<SearchRequest> request = ParseSearch(req);
  if (!request.ok()) return SendError(res, request.status());
  Result<SearchResponse> found = engine_.Search(*request);
  if (!found.ok()) return SendError(res, found.status());
  // Written straight into the body (JsonWriter), keys in sorted order; room
  // for a page of snippets at once (a 5 KB answer grew the string 9 times).
  JsonWriter w;
  w.Reserve(2048 + 768 * found->hits.size());
  w.BeginObject();
  w.Key("did_you_mean");
  if (found->did_you_mean.empty()) {
    w.Null();
  } else {
    w.String(found->did_you_mean);
  }
  w.Key("facets");
  w.BeginObject();
  w.Key("lang");
  w.BeginObject();
  for (const auto& [lang, count] : found->lang_facets) {
    w.Key(lang);
    w.Unsigned(count);
  }
  w.EndObject();
  w.EndObject();
  w.Key("hits");
  w.BeginArray();
  for (const Hit& hit : found->hits) WriteHit(w, hit);
  w.EndArray();
  w.Key("page");
  w.Int(request->page);
  w.Key("partial");
  w.Bool(found->partial);
  w.Key("query");
  w.String(request->query);
  w.Key("relaxed");
  w.Bool(found->relaxed);
  w.Key("size");
  w.Int(request->size);
  w.Key("took_ms");
  w.Double(Since(start) * 1000);
  w.Key("total");
  w.Unsigned(found->total);
  w.Key("total_exact");
  w.Bool(found->total_exact);
  w.EndObject();
  SendJsonText(res, 200, w.Take());
}

void HttpServer::Suggest(const httplib::Request& req, httplib::Response& res) {
  Result<SuggestRequest> request = ParseSuggest(req);
  if (!request.ok()) return SendError(res, request.status());
  Result<std::vector<Suggestion>> found = engine_.Suggest(*request);
  if (!found.ok()) return SendError(res, found.status());
  nlohmann::json suggestions = nlohmann::json::array();
  for (const Suggestion& s : *found) suggestions.push_back({{"text", s.text}, {"lang", s.lang}});
  SendJson(res, 200, {{"query", request->typed}, {"suggestions", suggestions}});
}

void HttpServer::GetPassage(const httplib::Request& req, httplib::Response& res) {
  const std::string id = req.matches[1];
  if (FindInvalidUtf8(id) != std::string::npos)
    return SendError(res, Status::InvalidArgument("bad passage id"));
  const auto found = engine_.GetPassage(id);
  if (!found.ok()) return SendError(res, found.status());
  nlohmann::json body = PassageToJson(found->first);
  body["translation"] = nullptr;
  if (found->second) {
    body["translation"] = {
        {"id", found->second->id}, {"lang", found->second->lang}, {"text", found->second->text}};
  }
  SendJson(res, 200, body);
}

void HttpServer::Health(const httplib::Request&, httplib::Response& res) {
  Result<IndexStats> stats = engine_.Stats();
  if (!stats.ok()) return SendError(res, stats.status());
  SendJson(res, 200,
           {{"status", "ok"},
            {"index",
             {{"revision", stats->revision_known ? nlohmann::json(stats->revision) : nullptr},
              {"shards", stats->shards},
              {"partial", stats->partial},
              {"documents", stats->documents},
              {"passages", stats->passages},
              {"languages", stats->languages}}}});
}

void HttpServer::RenderMetrics(const httplib::Request&, httplib::Response& res) {
  Result<IndexStats> stats = engine_.Stats();
  res.set_content(stats.ok() ? metrics_.Render(true, stats->revision, stats->passages)
                             : metrics_.Render(false, 0, 0),
                  "text/plain; version=0.0.4; charset=utf-8");
}

Result<int> HttpServer::Bind() {
  const int port = options_.port == 0
                       ? server_->bind_to_any_port(options_.bind)
                       : (server_->bind_to_port(options_.bind, options_.port) ? options_.port : -1);
  if (port < 0) {
    return Status::Unavailable("cannot listen on " + options_.bind + ":" +
                               std::to_string(options_.port));
  }
  // httplib listens with a backlog of 5: a burst of new connections beyond
  // that waits a second for the kernel to retry their SYN. listen(2) again
  // sets the backlog of the bound socket.
  if (listen_fd_ >= 0) ::listen(listen_fd_, SOMAXCONN);
  return port;
}

bool HttpServer::Serve() { return server_->listen_after_bind(); }

void HttpServer::Stop() { server_->stop(); }

}  // namespace sarea::server
