#include "common/shards.h"

#include <fstream>

namespace sarea {
namespace fs = std::filesystem;
namespace {

constexpr int kMaxStubDepth = 8;  // a stub listing itself must not loop forever

Status Resolve(const fs::path& path, int depth, std::vector<ShardSpec>& out);

// A "remote" line's "HOST:PORT" (IPv6 hosts in brackets).
Status ParseRemote(const std::string& where, std::string spec, std::vector<ShardSpec>& out) {
  if (!spec.empty() && spec[0] == ':') {
    return Status::InvalidArgument(where + ": remote programs are not supported; serve the " +
                                   "shard with xapian-tcpsrv and list it as remote HOST:PORT");
  }
  const std::size_t colon = spec.rfind(':');
  if (colon == std::string::npos || colon + 1 == spec.size() ||
      (spec[0] == '[' && spec.back() == ']')) {
    return Status::InvalidArgument(where + ": a remote database needs HOST:PORT");
  }
  unsigned long port = 0;
  for (std::size_t i = colon + 1; i < spec.size(); ++i) {
    if (spec[i] < '0' || spec[i] > '9' || port > 65535)
      return Status::InvalidArgument(where + ": bad port in remote " + spec);
    port = port * 10 + static_cast<unsigned long>(spec[i] - '0');
  }
  if (port == 0 || port > 65535)
    return Status::InvalidArgument(where + ": bad port in remote " + spec);
  std::string host = spec.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host.empty()) return Status::InvalidArgument(where + ": a remote database needs a host");
  out.push_back(ShardSpec{"", host, static_cast<unsigned>(port)});
  return Status::Ok();
}

Status ReadStub(const fs::path& stub, int depth, std::vector<ShardSpec>& out) {
  std::ifstream in(stub);
  if (!in) return Status::Unavailable("cannot read the stub database " + stub.string());
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const std::string where = stub.string() + ":" + std::to_string(line_no);
    const std::size_t space = line.find(' ');
    const std::string type = line.substr(0, space);
    const std::string rest = space == std::string::npos ? "" : line.substr(space + 1);
    if (type == "remote") {
      Status parsed = ParseRemote(where, rest, out);
      if (!parsed.ok()) return parsed;
      continue;
    }
    if ((type == "auto" || type == "glass") && !rest.empty()) {
      const fs::path listed =
          fs::path(rest).is_absolute() ? fs::path(rest) : stub.parent_path() / rest;
      Status resolved = Resolve(listed, depth + 1, out);
      if (!resolved.ok()) return resolved;
      continue;
    }
    return Status::InvalidArgument(where + ": not a database line (auto PATH, glass PATH or " +
                                   "remote HOST:PORT)");
  }
  return Status::Ok();
}

Status Resolve(const fs::path& path, int depth, std::vector<ShardSpec>& out) {
  if (depth > kMaxStubDepth)
    return Status::InvalidArgument("stub databases nested too deep at " + path.string());
  std::error_code ec;
  const fs::path canonical = fs::canonical(path, ec);
  if (ec) return Status::Unavailable("no index at " + path.string());
  // Relative lines are relative to the stub as named (as Xapian reads them).
  if (fs::is_regular_file(canonical, ec)) return ReadStub(path, depth, out);
  if (!fs::is_directory(canonical, ec))
    return Status::InvalidArgument(path.string() + " is not an index");
  if (fs::exists(canonical / "iamglass", ec) || fs::exists(canonical / "iamchert", ec)) {
    out.push_back(ShardSpec{canonical.string(), "", 0});
    return Status::Ok();
  }
  if (fs::exists(canonical / kStubFileName, ec)) return ReadStub(path / kStubFileName, depth, out);
  return Status::Unavailable("no database in " + path.string());
}

}  // namespace

std::string ShardSpec::Describe() const {
  if (!remote()) return path;
  const bool v6 = host.find(':') != std::string::npos;
  return "remote " + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<std::vector<ShardSpec>> ResolveShards(const fs::path& index) {
  std::vector<ShardSpec> shards;
  Status resolved = Resolve(index, 0, shards);
  if (!resolved.ok()) return resolved;
  return shards;
}

}  // namespace sarea
