// Specification of CodeTable with the real GB/T 2260 and GB/T 4754-2017 tables.
#include <catch2/catch.hpp>

#include <string>

#include "libs/core/code_table.h"
#include "libs/core/text_checks.h"
#include "tests/unit/core/data_root.h"

namespace jianguan {
namespace {

std::vector<std::string> CodesOf(const std::vector<const CodeEntry*>& entries) {
  std::vector<std::string> out;
  for (const CodeEntry* e : entries) out.push_back(e->code);
  return out;
}

std::string LoadError(std::string_view csv) {
  auto table = CodeTable::FromCsv(csv, "t.csv");
  return table.ok() ? "OK" : std::string(table.status().message());
}

SCENARIO("GB/T 2260 regions: a county, its prefecture and its province") {
  auto regions = CodeTable::Load(testing::DataRoot() + "/regions.csv");
  REQUIRE(regions.ok());
  CHECK(regions->size() == 3213);

  WHEN("义乌市 330782 is looked up") {
    const CodeEntry* yiwu = regions->Find("330782");
    REQUIRE(yiwu != nullptr);
    THEN("its name, parent and level are those of the file") {
      CHECK(yiwu->name == "义乌市");
      CHECK(yiwu->parent_code == "330700");
      CHECK(yiwu->level == 3);
    }
    THEN("its ancestors are 金华市 then 浙江省") {
      auto chain = regions->Ancestors("330782");
      REQUIRE(chain.ok());
      CHECK(CodesOf(*chain) == std::vector<std::string>{"330700", "330000"});
      CHECK((*chain)[0]->name == "金华市");
      CHECK((*chain)[1]->name == "浙江省");
    }
  }
  WHEN("a Beijing district is looked up") {
    THEN("it hangs directly under the province") {
      auto chain = regions->Ancestors("110101");
      REQUIRE(chain.ok());
      CHECK(CodesOf(*chain) == std::vector<std::string>{"110000"});
    }
  }
  WHEN("a province is looked up") {
    THEN("it has no ancestors") {
      auto chain = regions->Ancestors("330000");
      REQUIRE(chain.ok());
      CHECK(chain->empty());
    }
  }
  WHEN("an unknown or abolished code is looked up") {
    THEN("it is not found") {
      CHECK_FALSE(regions->Contains("999999"));
      CHECK(regions->Find("310103") == nullptr);  // 卢湾区, merged into 黄浦区 in 2011
      CHECK(regions->Ancestors("999999").status().code() == absl::StatusCode::kNotFound);
    }
  }
}

SCENARIO("GB/T 4754-2017 industries: four levels from 小类 to 门类") {
  auto industries = CodeTable::Load(testing::DataRoot() + "/industries.csv");
  REQUIRE(industries.ok());
  CHECK(industries->size() == 1971);
  WHEN("6232 咖啡馆服务 is looked up") {
    const CodeEntry* cafe = industries->Find("6232");
    REQUIRE(cafe != nullptr);
    CHECK(cafe->name == "咖啡馆服务");
    CHECK(cafe->level == 4);
    THEN("its ancestors are 623, 62 餐饮业 and H 住宿和餐饮业") {
      auto chain = industries->Ancestors("6232");
      REQUIRE(chain.ok());
      CHECK(CodesOf(*chain) == std::vector<std::string>{"623", "62", "H"});
      CHECK((*chain)[1]->name == "餐饮业");
      CHECK((*chain)[2]->name == "住宿和餐饮业");
    }
  }
  THEN("a code that the standard does not have is not found") {
    CHECK_FALSE(industries->Contains("6201"));
  }
}

SCENARIO("a malformed table fails to load, naming the line") {
  constexpr std::string_view kHeader = "code,name,parent_code,level\n";
  const std::string ok = std::string(kHeader) + "A,甲,,1\nA1,乙,A,2\n";
  CHECK(LoadError(ok) == "OK");
  CHECK(LoadError(std::string(kHeader) + "A,甲,,1\nA1,乙,A,2\nA,丙,,1\n") ==
        "t.csv:4: duplicate code A (first on line 2)");
  CHECK(LoadError(std::string(kHeader) + "A,甲,,1\nA1,乙,B,2\n") ==
        "t.csv:3: code A1: unknown parent B");
  CHECK(LoadError(std::string(kHeader) + "A,甲,,1\nA1,乙,A,two\n") ==
        "t.csv:3: code A1: level \"two\" is not a positive integer");
  CHECK(LoadError(std::string(kHeader) + "A,甲,,0\n") ==
        "t.csv:2: code A: level \"0\" is not a positive integer");
  CHECK(LoadError(std::string(kHeader) + "A,甲,,1\nA1,乙,A,1\n") ==
        "t.csv:3: code A1: a level-1 code has no parent");
  CHECK(LoadError(std::string(kHeader) + "A,甲,,2\n") ==
        "t.csv:2: code A: level 2 needs a parent");
  CHECK(LoadError(std::string(kHeader) + "A,甲,,1\nB,乙,,1\nA1,丙,B,3\nA2,丁,A1,3\n") ==
        "t.csv:5: code A2: level 3 is not below its parent A1's level 3");
  CHECK(LoadError(std::string(kHeader) + ",甲,,1\n") == "t.csv:2: empty code");
  CHECK(LoadError("code,name,level\nA,甲,1\n") == "t.csv:1: missing column \"parent_code\"");
  CHECK(LoadError(std::string(kHeader) + "A,甲,1\n") == "t.csv:2: expected 4 fields, found 3");
  CHECK(CodeTable::Load("/nonexistent/regions.csv").status().code() ==
        absl::StatusCode::kNotFound);
}

SCENARIO("errors quoting codes that are not UTF-8 are themselves UTF-8 (found by fuzz_codes)") {
  auto regions = CodeTable::Load(testing::DataRoot() + "/regions.csv");
  REQUIRE(regions.ok());
  WHEN("a region code of full-width digits with a character cut in two is looked up") {
    // tests/fuzz/corpus/codes/regression-ancestors-message: "１" + half of "０" + …; the
    // code was quoted raw.
    const std::string code = "\xEF\xBC\x91\xBC\x90\xEF\xBC\xEF\xBC\x91\xEF\xBC\x90";
    auto chain = regions->Ancestors(code);
    THEN("it is NOT_FOUND, the bad bytes shown as \\xNN") {
      CHECK(chain.status().code() == absl::StatusCode::kNotFound);
      CHECK(std::string(chain.status().message()) ==
            "unknown code '１\\xbc\\x90\\xef\\xbc１０'");
      CHECK(IsValidUtf8(std::string(chain.status().message())));
    }
  }
  WHEN("a table's header names a column twice, not in UTF-8 (found by fuzz_code_table)") {
    CHECK(LoadError("code,name,parent_c\xE3o,level,parent_c\xE3o\n") ==
          "t.csv:1: column \"parent_c\\xe3o\" appears twice");
  }
  WHEN("a row's code is not UTF-8") {
    CHECK(LoadError("code,name,parent_code,level\nA\xFF,甲,,0\n") ==
          "t.csv:2: code A\\xff: level \"0\" is not a positive integer");
  }
}

}  // namespace
}  // namespace jianguan
