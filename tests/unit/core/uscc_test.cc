// Specification of the GB 32100-2015 Unified Social Credit Code checks.
#include <catch2/catch.hpp>

#include <string>

#include "libs/core/csv.h"
#include "libs/core/text_checks.h"
#include "libs/core/uscc.h"
#include "tests/unit/core/data_root.h"

namespace jianguan {
namespace {

std::string ErrorOf(std::string_view code) {
  return std::string(ValidateUscc(code).message());
}

SCENARIO("every sample code in data/uscc_samples.csv is judged as the file says") {
  const std::string path = testing::DataRoot() + "/uscc_samples.csv";
  auto records = ReadCsvFile(path);
  REQUIRE(records.ok());
  auto col = CsvColumns((*records)[0], {"code", "valid"}, path);
  REQUIRE(col.ok());
  REQUIRE(records->size() > 200);
  int valid = 0;
  int invalid = 0;
  for (size_t r = 1; r < records->size(); ++r) {
    const std::string& code = (*records)[r].fields[(*col)[0]];
    const bool expected = (*records)[r].fields[(*col)[1]] == "1";
    INFO("line " << (*records)[r].line << ": " << code);
    CHECK(ValidateUscc(code).ok() == expected);
    CHECK(Uscc::Parse(code).ok() == expected);
    (expected ? valid : invalid)++;
  }
  CHECK(valid == 215);
  CHECK(invalid == 8);
}

SCENARIO("the check character follows GB 32100-2015 §5") {
  GIVEN("the official example 91350100M000100Y43") {
    THEN("its first 17 characters give the check character 3") {
      CHECK(UsccCheckCharacter("91350100M000100Y4") == '3');
    }
  }
  GIVEN("a code whose check value is 0 or 30") {
    THEN("0 maps to '0' and 30 to 'Y', the ends of the alphabet") {
      CHECK(UsccCheckCharacter("91152201078376286") == '0');  // 911522010783762860
      CHECK(UsccCheckCharacter("92340604MA2PBP1U3") == 'Y');  // 92340604MA2PBP1U3Y
    }
  }
  GIVEN("input that is not 17 alphabet characters") {
    THEN("no check character is made up") {
      CHECK(UsccCheckCharacter("9135010") == '\0');
      CHECK(UsccCheckCharacter("91350100M000100I4") == '\0');
    }
  }
}

SCENARIO("a bad code is rejected with a message that says exactly what is wrong") {
  WHEN("the length is wrong") {
    THEN("the length found is given") {
      CHECK(ErrorOf("12345") == "must be 18 characters, found 5");
      CHECK(ErrorOf("") == "must be 18 characters, found 0");
      CHECK(ErrorOf("91350100M000100Y431") == "must be 18 characters, found 19");
    }
    THEN("characters, not bytes, are counted") {
      // 17 ASCII characters and one three-byte Chinese character: 18 characters, 20 bytes.
      CHECK(ErrorOf("91350100M000100Y4号") ==
            "illegal character '号' at position 18: only digits and upper-case letters "
            "other than I, O, S, V, Z are used");
    }
  }
  WHEN("a character outside the alphabet appears") {
    THEN("the first one is named with its 1-based position") {
      CHECK(ErrorOf("9111000060003IOZSV") ==
            "illegal character 'I' at position 14: only digits and upper-case letters other "
            "than I, O, S, V, Z are used");
      CHECK(ErrorOf("91350100m000100Y43").find("'m' at position 9") != std::string::npos);
      CHECK(ErrorOf("91350100M000100Y4Z").find("'Z' at position 18") != std::string::npos);
    }
  }
  WHEN("the region part (positions 3–8) holds a letter, even with a check character that fits") {
    const std::string first17 = "9133A782MA2EC8CX9";
    const std::string code = first17 + UsccCheckCharacter(first17);
    THEN("the position is named: the region is six digits of GB/T 2260") {
      CHECK(ErrorOf(code) ==
            "position 5 is 'A': positions 3–8 are the registration authority's GB/T 2260 "
            "region code, six digits");
      const std::string last = "913307B2MA2EC8CX9";
      CHECK(ErrorOf(last + UsccCheckCharacter(last)).find("position 7 is 'B'") !=
            std::string::npos);
    }
  }
  WHEN("the check character is wrong") {
    THEN("the expected one is given") {
      CHECK(ErrorOf("91110000600037341N") == "check character should be L, found N");
      CHECK(ErrorOf("91350100M000100Y44") == "check character should be 3, found 4");
    }
  }
  THEN("every rejection is INVALID_ARGUMENT") {
    CHECK(ValidateUscc("x").code() == absl::StatusCode::kInvalidArgument);
  }
}

SCENARIO("a code that is not valid UTF-8 is refused in a message that is (found by fuzz_uscc)") {
  WHEN("a byte starts no UTF-8 sequence") {
    THEN("it is one character, named as \\xNN") {
      CHECK(ErrorOf("\xF6" "1330782MA2EC8CX99") ==
            "illegal character '\\xf6' at position 1: only digits and upper-case letters "
            "other than I, O, S, V, Z are used");
    }
  }
  WHEN("the input is what the fuzzer found (tests/fuzz/corpus/uscc/regression-malformed-utf8)") {
    // Four 0xF6 bytes were once taken for one four-byte character and quoted raw, and the
    // message (a FieldViolation's description) was not UTF-8.
    const std::string found(
        "\xF6\xF6\xF6\xF6\0\0\0\0\xF6\xF6" "913\x11\xDE\0\0`\xFF\xFF\xFF\xFF\0\0" "9", 25);
    THEN("every byte counts, and the message is valid UTF-8") {
      CHECK(ErrorOf(found) == "must be 18 characters, found 25");
      CHECK(IsValidUtf8(ErrorOf(found)));
      CHECK(ErrorOf(found.substr(0, 18)).starts_with("illegal character '\\xf6' at position 1"));
      CHECK(IsValidUtf8(ErrorOf(found.substr(0, 18))));
    }
  }
}

SCENARIO("a valid code splits into its parts") {
  GIVEN("an enterprise code built for 义乌市 (330782) with its computed check character") {
    // Build a valid code for an enterprise registered in 义乌市.
    const std::string first17 = "91330782MA2EC8CX9";
    const std::string code = first17 + UsccCheckCharacter(first17);
    auto uscc = Uscc::Parse(code);
    REQUIRE(uscc.ok());
    THEN("each part is where GB 32100-2015 puts it") {
      CHECK(uscc->registering_authority() == '9');
      CHECK(uscc->entity_type() == '1');
      CHECK(uscc->region_code() == "330782");
      CHECK(uscc->organization_code() == "MA2EC8CX9");
      CHECK(uscc->check_character() == code[17]);
      CHECK(uscc->str() == code);
    }
  }
  GIVEN("a code whose region has since been abolished (上海 卢湾区 310103, merged in 2011)") {
    const std::string first17 = "91310103607200003";
    THEN("it is still valid: the region is not looked up") {
      CHECK(ValidateUscc(first17 + UsccCheckCharacter(first17)).ok());
    }
  }
}

}  // namespace
}  // namespace jianguan
