#include "libs/rules/rule_text.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/message.h"
#include "google/protobuf/text_format.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/text_checks.h"

namespace jianguan::rules {
namespace {

namespace pb = ::google::protobuf;

size_t SequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 1;
}

// Keeps the first error as "origin:line:column: message", 1-based.
class FirstError : public pb::io::ErrorCollector {
 public:
  explicit FirstError(std::string_view origin) : origin_(origin) {}

  void AddError(int line, pb::io::ColumnNumber column, const std::string& message) override {
    if (!error_.empty()) return;
    error_ = absl::StrCat(Printable(origin_), ":", std::max(line, 0) + 1, ":",
                          std::max(column, 0) + 1, ": ", Printable(message));
  }
  const std::string& error() const { return error_; }

 private:
  std::string_view origin_;
  std::string error_;
};

}  // namespace

std::string Printable(std::string_view text) {
  constexpr size_t kMaxBytes = 100;
  const bool cut = text.size() > kMaxBytes;
  if (cut) text = text.substr(0, kMaxBytes);
  std::string out;
  for (size_t i = 0; i < text.size();) {
    const size_t n = SequenceLength(static_cast<unsigned char>(text[i]));
    if (i + n <= text.size() && IsValidUtf8(text.substr(i, n))) {
      out.append(text.substr(i, n));
      i += n;
    } else {
      out.append("\xEF\xBF\xBD");
      ++i;
    }
  }
  if (cut) out.append("…");
  return out;
}

std::string Quoted(std::string_view text) { return absl::StrCat("\"", Printable(text), "\""); }

bool IsIdentifier(std::string_view text, size_t max_chars) {
  return !text.empty() && text.size() <= max_chars &&
         std::all_of(text.begin(), text.end(), [](char c) {
           return absl::ascii_isalnum(c) || c == '.' || c == '_' || c == '-';
         });
}

absl::Status ParseText(std::string_view text, std::string_view origin, pb::Message& out) {
  FirstError errors(origin);
  pb::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (parser.ParseFromString(std::string(text), &out)) return absl::OkStatus();
  if (errors.error().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(Printable(origin), ": does not parse"));
  }
  return absl::InvalidArgumentError(errors.error());
}

void Problems::Add(std::string problem) {
  if (lines_.size() < max_kept_) lines_.push_back(std::move(problem));
  ++count_;
}

absl::Status Problems::ToStatus() const {
  std::string text = absl::StrJoin(lines_, "; ");
  if (count_ > lines_.size()) absl::StrAppend(&text, "; and ", count_ - lines_.size(), " more");
  return absl::InvalidArgumentError(text);
}

}  // namespace jianguan::rules
