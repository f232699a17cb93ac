// The helpers every loader of rules as data shares: the text format with line and column,
// errors that stay valid UTF-8 and readable, identifiers, and every problem in one error.
#include "libs/rules/rule_text.h"

#include <catch2/catch.hpp>

#include <string>

#include "jianguan/risk/v1/rules.pb.h"
#include "libs/core/text_checks.h"

namespace jianguan::rules {
namespace {

using Catch::Matchers::Contains;

TEST_CASE("a rule file that does not parse is refused with its line and column") {
  risk::v1::RuleSet set;
  const absl::Status bad =
      ParseText("version: \"1\"\nrules { idd: \"x\" }\n", "demo.textproto", set);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(bad.message()), Contains("demo.textproto:2:"));
  CHECK_THAT(std::string(bad.message()), Contains("idd"));

  REQUIRE(ParseText("version: \"1\" rules { id: \"x\" }", "ok", set).ok());
  CHECK(set.version() == "1");
  CHECK(set.rules(0).id() == "x");
}

TEST_CASE("text from a rule file is echoed as valid UTF-8 of bounded length") {
  CHECK(Printable("氨氮") == "氨氮");
  CHECK(Printable("a\xffz") == "a\xEF\xBF\xBDz");
  CHECK(IsValidUtf8(Printable("\xe6\xb0")));  // A sequence cut short.
  const std::string shown = Printable(std::string(300, 'x'));
  CHECK(shown == std::string(100, 'x') + "…");
  CHECK(Quoted("id") == "\"id\"");
}

TEST_CASE("identifiers are 1–max characters of [A-Za-z0-9._-]") {
  CHECK(IsIdentifier("complaints-30d", 64));
  CHECK(IsIdentifier("2026.1_a", 32));
  CHECK_FALSE(IsIdentifier("", 64));
  CHECK_FALSE(IsIdentifier("a b", 64));
  CHECK_FALSE(IsIdentifier("规则", 64));
  CHECK_FALSE(IsIdentifier(std::string(65, 'a'), 64));
  CHECK(IsIdentifier(std::string(64, 'a'), 64));
}

TEST_CASE("every problem is reported in one error, the first ones kept") {
  Problems problems(2);
  CHECK(problems.empty());
  problems.Add("rules[0] (a): one");
  CHECK_FALSE(problems.full());
  problems.Add("rules[1] (b): two");
  problems.Add("rules[2] (c): three");
  CHECK(problems.full());
  const absl::Status status = problems.ToStatus();
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(status.message()) == "rules[0] (a): one; rules[1] (b): two; and 1 more");
}

}  // namespace
}  // namespace jianguan::rules
