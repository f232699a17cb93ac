// Structured logging: one JSON object per line on stderr, e.g.
//   {"ts":"2026-11-23T12:00:00.123Z","level":"info","msg":"server started","port":7102}
//
//   LogInfo("server started", {{"service", "subject-registry"}, {"port", 7102}});
//
// Thread-safe: each line is written with one call. Never log personal data (ID numbers);
// callers pass only what may be seen by operators.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

#include "absl/strings/string_view.h"

namespace jianguan {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

/// A field value: a string, an integer, a floating-point number or a boolean.
using LogValue = std::variant<std::string_view, int64_t, double, bool>;

/// One key/value pair of a log line.
struct LogField {
  std::string_view key;
  LogValue value;
  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, absl::string_view v)
      : key(k), value(std::string_view(v.data(), v.size())) {}
  LogField(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
  LogField(std::string_view k, int v) : key(k), value(static_cast<int64_t>(v)) {}
  LogField(std::string_view k, long v) : key(k), value(static_cast<int64_t>(v)) {}
  LogField(std::string_view k, long long v) : key(k), value(static_cast<int64_t>(v)) {}
  LogField(std::string_view k, unsigned v) : key(k), value(static_cast<int64_t>(v)) {}
  LogField(std::string_view k, unsigned long v) : key(k), value(static_cast<int64_t>(v)) {}
  LogField(std::string_view k, unsigned long long v) : key(k), value(static_cast<int64_t>(v)) {}
  LogField(std::string_view k, double v) : key(k), value(v) {}
  LogField(std::string_view k, bool v) : key(k), value(v) {}
};

/// Lines below this level are dropped. Default kInfo; JG_LOG_LEVEL=debug|info|warning|error.
void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
/// Parses "debug", "info", "warning" or "error"; false for anything else.
bool ParseLogLevel(std::string_view text, LogLevel* level);

/// Writes one line. `msg` and string values are JSON-escaped (invalid UTF-8 is replaced).
void Log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields = {});

/// The line Log would write, without the trailing newline; for tests and other sinks.
std::string FormatLogLine(LogLevel level, std::string_view msg,
                          std::initializer_list<LogField> fields);

/// Appends `text` to `out` as a JSON string literal, quotes included.
void AppendJsonString(std::string& out, std::string_view text);

inline void LogDebug(std::string_view msg, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kDebug, msg, f);
}
inline void LogInfo(std::string_view msg, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kInfo, msg, f);
}
inline void LogWarning(std::string_view msg, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kWarning, msg, f);
}
inline void LogError(std::string_view msg, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kError, msg, f);
}

}  // namespace jianguan
