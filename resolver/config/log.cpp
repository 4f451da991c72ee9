#include "resolver/config/log.h"

#include <cctype>
#include <string>

namespace tern::config {

std::optional<LogLevel> log_level_from_text(std::string_view text) {
  std::string t;
  for (char c : text) t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (t == "debug") return LogLevel::Debug;
  if (t == "info") return LogLevel::Info;
  if (t == "warning" || t == "warn") return LogLevel::Warning;
  if (t == "error") return LogLevel::Error;
  if (t == "off") return LogLevel::Off;
  return std::nullopt;
}

std::string_view to_string(LogLevel level) {
  switch (level) {
    case LogLevel::Debug: return "debug";
    case LogLevel::Info: return "info";
    case LogLevel::Warning: return "warning";
    case LogLevel::Error: return "error";
    case LogLevel::Off: return "off";
  }
  return "?";
}

void Log::write(LogLevel l, const std::string& line) {
  write_raw(fmt::format("[{}] {}", to_string(l), line));
}

void Log::write_raw(const std::string& line) {
  std::lock_guard lock(mu_);
  std::fputs(line.c_str(), out_);
  std::fputc('\n', out_);
  std::fflush(out_);
}

}  // namespace tern::config
