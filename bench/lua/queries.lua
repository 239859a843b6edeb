-- wrk script: cycles through a query list, one GET per query, and prints the
-- figures bench/run reads as one JSON line.
-- wrk ... -s bench/lua/queries.lua URL -- LIST ROUTE [EXTRA]
--   LIST:  lines "lang<TAB>query" (bench/queries/*.tsv)
--   ROUTE: /api/search or /api/suggest; EXTRA: more parameters, "&size=10"
--   ("{lang}" in EXTRA is each line's language: "&lang={lang}")
local paths = {}
local next_index = 1

local function encode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
  local list, route, extra = args[1], args[2], args[3] or ""
  for line in io.lines(list) do
    local lang, query = line:match("^(%a+)\t(.+)$")
    if query then
      table.insert(paths, route .. "?q=" .. encode(query) .. (extra:gsub("{lang}", lang)))
    end
  end
  -- Each thread starts at its own place in the list.
  next_index = math.random(#paths)
end

function request()
  local path = paths[next_index]
  next_index = next_index % #paths + 1
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.3f,"p99_ms":%.3f,' ..
    '"max_ms":%.3f,"errors":%d,"non_2xx":%d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    errors.connect + errors.read + errors.write + errors.timeout, errors.status))
end
