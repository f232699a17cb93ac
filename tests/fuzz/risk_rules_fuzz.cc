// Risk's loaders on any text: the rule book's (services/risk/rule_book.cc reads each rule set
// with ParseRuleSetText and CompiledRuleSet::Compile) and the alert policy's (main.cc:
// ParsePolicyText, ValidatePolicy); every input is tried as both. Properties: errors are
// valid UTF-8 (Compile promises it even for text that is not); what loads prints to text
// that parses back to the same message and loads again; every rule of a compiled set is
// found by its id.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/risk/domain/alert_loop.h"
#include "services/risk/domain/rule_set.h"
#include "tests/fuzz/fuzz_checks.h"

namespace pb = ::google::protobuf;

namespace jianguan::risk {
namespace {

void CheckRuleSet(std::string_view text) {
  absl::StatusOr<v1::RuleSet> parsed = ParseRuleSetText(text, "<fuzz>");
  if (!parsed.ok()) {
    JG_FUZZ_CHECK(parsed.status().code() == absl::StatusCode::kInvalidArgument);
    fuzz::CheckMessageIsUtf8(parsed.status());
    return;
  }
  const v1::RuleSet set = *parsed;
  const absl::StatusOr<CompiledRuleSet> compiled = CompiledRuleSet::Compile(*std::move(parsed));
  if (!compiled.ok()) {
    JG_FUZZ_CHECK(compiled.status().code() == absl::StatusCode::kInvalidArgument);
    fuzz::CheckMessageIsUtf8(compiled.status());
    return;
  }
  JG_FUZZ_CHECK(compiled->rules().size() == static_cast<size_t>(set.rules_size()));
  for (const CompiledRule& rule : compiled->rules()) {
    JG_FUZZ_CHECK(compiled->Find(rule.id()) == &rule);
    for (const CompiledRule* combination : compiled->CombinationsOf(rule.id())) {
      JG_FUZZ_CHECK(combination != nullptr && combination->kind == RuleKind::kCombination);
    }
  }
  std::string printed;
  JG_FUZZ_CHECK(pb::TextFormat::PrintToString(set, &printed));
  absl::StatusOr<v1::RuleSet> reread = ParseRuleSetText(printed, "<printed>");
  JG_FUZZ_CHECK(reread.ok() && pb::util::MessageDifferencer::Equals(*reread, set));
  JG_FUZZ_CHECK(CompiledRuleSet::Compile(*std::move(reread)).ok());
}

void CheckPolicy(std::string_view text) {
  const absl::StatusOr<v1::RiskPolicy> policy = ParsePolicyText(text, "<fuzz>");
  if (!policy.ok()) {
    JG_FUZZ_CHECK(policy.status().code() == absl::StatusCode::kInvalidArgument);
    fuzz::CheckMessageIsUtf8(policy.status());
    return;
  }
  const absl::Status valid = ValidatePolicy(*policy);
  if (!valid.ok()) {
    fuzz::CheckMessageIsUtf8(valid);
    return;
  }
  std::string printed;
  JG_FUZZ_CHECK(pb::TextFormat::PrintToString(*policy, &printed));
  const absl::StatusOr<v1::RiskPolicy> reread = ParsePolicyText(printed, "<printed>");
  JG_FUZZ_CHECK(reread.ok() && pb::util::MessageDifferencer::Equals(*reread, *policy));
  JG_FUZZ_CHECK(ValidatePolicy(*reread).ok());
}

}  // namespace
}  // namespace jianguan::risk

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  jianguan::risk::CheckRuleSet(text);
  jianguan::risk::CheckPolicy(text);
  return 0;
}
