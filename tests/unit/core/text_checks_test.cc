// Text fields: required, UTF-8, limits in characters and in bytes.
#include "libs/core/text_checks.h"

#include <catch2/catch.hpp>

namespace jianguan {
namespace {

SCENARIO("text fields are checked for presence, encoding and size") {
  GIVEN("a Chinese name within the limit") {
    FieldViolations v;
    CHECK(CheckText(v, "name", "金华市婺城区某某餐饮店", {.required = true, .max_chars = 11}));
    CHECK(v.empty());
  }
  GIVEN("a name one character too long") {
    FieldViolations v;
    CHECK_FALSE(CheckText(v, "name", "金华市婺城区某某餐饮店", {.max_chars = 10}));
    REQUIRE(v.violations().size() == 1);
    CHECK(v.violations()[0].field == "name");
    CHECK(v.violations()[0].description == "is 11 characters, at most 10 are allowed");
  }
  GIVEN("an empty required field and an empty optional one") {
    FieldViolations v;
    CHECK_FALSE(CheckText(v, "name", "", {.required = true}));
    CHECK(CheckText(v, "address", "", {}));
    REQUIRE(v.violations().size() == 1);
    CHECK(v.violations()[0].description == "must not be empty");
  }
  GIVEN("bytes that are not UTF-8") {
    for (std::string bad : {std::string("\xff"), std::string("abc\xc3"), std::string("\xc0\xaf"),
                            std::string("\xed\xa0\x80"), std::string("\xf4\x90\x80\x80")}) {
      FieldViolations v;
      CHECK_FALSE(CheckText(v, "scope", bad, {}));
      REQUIRE(v.violations().size() == 1);
      CHECK(v.violations()[0].description == "is not valid UTF-8");
    }
  }
  GIVEN("a value over the byte cap") {
    FieldViolations v;
    CHECK_FALSE(CheckText(v, "scope", std::string((1 << 20) + 1, 'a'), {.max_chars = 1 << 22}));
    CHECK(v.violations()[0].description == "is 1048577 bytes, at most 1048576 are allowed");
  }
  THEN("input quoted in an error is cut between characters and stays UTF-8") {
    CHECK(QuotedInput("１１００００９９", 4) == "'１１００…'");
    CHECK(QuotedInput("330782", 16) == "'330782'");
    CHECK(QuotedInput(std::string("ab\xff\xc3"), 3) == "'ab\\xff…'");
    CHECK(QuotedInput(std::string("\xe4\xb9"), 8) == "'\\xe4\\xb9'");  // a cut character
    CHECK(IsValidUtf8(QuotedInput(std::string("\xff\xfe\xed\xa0\x80"), 10)));
    CHECK(ShownUtf8("义乌") == "义乌");
    CHECK(ShownUtf8(std::string("a\xc0\xaf" "b")) == "a\\xc0\\xaf" "b");
  }
  THEN("a violation's text is made valid UTF-8 when it is recorded") {
    FieldViolations v;
    v.Add(std::string("name\xff"), std::string("'\xe4\xb9' is not known"));
    CHECK(v.violations()[0].field == "name\\xff");
    CHECK(v.violations()[0].description == "'\\xe4\\xb9' is not known");
    CHECK(IsValidUtf8(std::string(v.ToStatus().message())));
  }
  THEN("lengths count characters, not bytes") {
    CHECK(Utf8Length("义乌") == 2);
    CHECK(Utf8Length("a😀") == 2);
    CHECK(IsValidUtf8("a😀义"));
  }
}

}  // namespace
}  // namespace jianguan
