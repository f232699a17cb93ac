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
  THEN("lengths count characters, not bytes") {
    CHECK(Utf8Length("义乌") == 2);
    CHECK(Utf8Length("a😀") == 2);
    CHECK(IsValidUtf8("a😀义"));
  }
}

}  // namespace
}  // namespace jianguan
