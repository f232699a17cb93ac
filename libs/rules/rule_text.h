// What every loader of rules as data needs around the conditions: the rule file in protobuf
// text format with the first error's line and column, text from the file echoed safely in
// errors, and the collection of every problem of a rule set into one error.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace google::protobuf {
class Message;
}  // namespace google::protobuf

namespace jianguan::rules {

/// Text from a rule file as an error shows it: cut to 100 bytes (then "…"), and each byte
/// that is not part of valid UTF-8 replaced by U+FFFD, so the error is valid UTF-8.
std::string Printable(std::string_view text);

/// Printable(text) in double quotes.
std::string Quoted(std::string_view text);

/// Whether `text` is 1–`max_chars` characters of [A-Za-z0-9._-] (rule ids, versions).
bool IsIdentifier(std::string_view text, size_t max_chars);

/// Parses protobuf text format into `out`. INVALID_ARGUMENT "origin:line:column: …"
/// (1-based) for the first syntax error or unknown field name; "origin: does not parse"
/// when the parser gives no position.
absl::Status ParseText(std::string_view text, std::string_view origin,
                       google::protobuf::Message& out);

/// The problems found in a rule set, each a sentence; the first `max_kept` are kept, and
/// the error says how many more there were.
class Problems {
 public:
  explicit Problems(size_t max_kept = 20) : max_kept_(max_kept) {}

  void Add(std::string problem);
  bool empty() const { return count_ == 0; }
  /// Whether as many problems as are kept were found: a caller may stop looking.
  bool full() const { return count_ >= max_kept_; }
  /// INVALID_ARGUMENT joining the problems with "; ".
  absl::Status ToStatus() const;

 private:
  size_t max_kept_;
  std::vector<std::string> lines_;
  size_t count_ = 0;
};

}  // namespace jianguan::rules
