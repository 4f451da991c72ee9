// The resolver's counters and gauges as one list of metric families: the single representation
// behind both the Prometheus endpoint (GET /metrics, metrics_http.h) and `ternd control stats`,
// so both print the same values. Names follow Prometheus conventions (tern_*, _total for
// counters, base units); docs/operations.md "Monitoring" lists them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tern::cache {
class Caches;
}

namespace tern::server {

class Server;

struct MetricSample {
  std::string suffix;  // "" or, for a histogram, "_bucket", "_sum", "_count"
  std::string labels;  // `name="value",...` already escaped, or ""
  double value = 0;
};

struct MetricFamily {
  enum class Type : uint8_t { Counter, Gauge, Histogram };
  std::string name;
  std::string help;
  Type type = Type::Counter;
  std::vector<MetricSample> samples;
};

// Collects every worker's counters (Server::collect) and the shared caches' sizes.
std::vector<MetricFamily> collect_metrics(const Server& server, const cache::Caches& caches);

// The Prometheus text exposition format (version 0.0.4): HELP and TYPE lines, then samples.
std::string to_prometheus(const std::vector<MetricFamily>& families);
// The same samples, one "name{labels} value" line each, without the comments: the control
// channel's `stats` reply.
std::string to_sample_lines(const std::vector<MetricFamily>& families);

// A label value escaped for the exposition format (backslash, double quote, newline).
std::string escape_label(std::string_view value);

}  // namespace tern::server
