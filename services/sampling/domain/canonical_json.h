// Canonical JSON (docs/draw-algorithm.md §1): the exact bytes that are hashed for the plan,
// the inspector pool and the public result, and the format of the verification package.
// Members sorted by key, no whitespace, integers only, a fixed set of string escapes — the
// same bytes as Python's json.dumps(v, ensure_ascii=False, sort_keys=True,
// separators=(",", ":")).
//
//   JsonValue plan = JsonValue::Object{{"plan_id", "2024-xa-001"}, {"frequency_months", 12}};
//   std::string bytes = plan.Canonical();   // {"frequency_months":12,"plan_id":"2024-xa-001"}
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace jianguan::sampling {

/// A JSON value without null or floating point. Cheap enough for plans, pools and results;
/// the 10-million candidate list never goes through it.
class JsonValue {
 public:
  using Array = std::vector<JsonValue>;
  using Object = std::map<std::string, JsonValue>;  // std::string orders bytes as unsigned

  JsonValue(bool value) : value_(value) {}
  JsonValue(int value) : value_(int64_t{value}) {}
  JsonValue(int64_t value) : value_(value) {}
  JsonValue(uint64_t value) : value_(static_cast<int64_t>(value)) {}
  JsonValue(const char* value) : value_(std::string(value)) {}
  JsonValue(std::string value) : value_(std::move(value)) {}
  JsonValue(std::string_view value) : value_(std::string(value)) {}
  JsonValue(Array value) : value_(std::move(value)) {}
  JsonValue(Object value) : value_(std::move(value)) {}

  static JsonValue Strings(const std::vector<std::string>& values);

  /// The canonical encoding.
  std::string Canonical() const;
  void AppendCanonical(std::string& out) const;

 private:
  std::variant<bool, int64_t, std::string, Array, Object> value_;
};

/// Appends `value` as a canonical JSON string (quotes included).
void AppendJsonString(std::string& out, std::string_view value);

}  // namespace jianguan::sampling
