// Specification of the RFC 4180 CSV reader.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include "libs/core/csv.h"
#include "libs/core/text_checks.h"
#include "libs/testing/temp_dir.h"

namespace jianguan {
namespace {

using Fields = std::vector<std::string>;

std::string ErrorOf(std::string_view text) {
  auto parsed = ParseCsv(text, "t.csv");
  return parsed.ok() ? "OK" : std::string(parsed.status().message());
}

SCENARIO("plain and quoted fields are read as RFC 4180 says") {
  WHEN("fields are plain") {
    auto rows = ParseCsv("code,name\n330782,义乌市\n");
    REQUIRE(rows.ok());
    THEN("each line is a record, numbered from 1") {
      REQUIRE(rows->size() == 2);
      CHECK((*rows)[0].fields == Fields{"code", "name"});
      CHECK((*rows)[1].fields == Fields{"330782", "义乌市"});
      CHECK((*rows)[1].line == 2);
    }
  }
  WHEN("fields are quoted with commas, doubled quotes and line breaks inside") {
    auto rows = ParseCsv("a,b,c\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\nlast,,\"\"\n");
    REQUIRE(rows.ok());
    THEN("the quotes are removed and the content kept") {
      REQUIRE(rows->size() == 3);
      CHECK((*rows)[1].fields == Fields{"x, y", "say \"hi\"", "two\nlines"});
      CHECK((*rows)[2].fields == Fields{"last", "", ""});
    }
    THEN("a record after a multi-line field gets its real line number") {
      CHECK((*rows)[2].line == 4);
    }
  }
  WHEN("lines end with CRLF, the file starts with a BOM and has no final line end") {
    auto rows = ParseCsv("\xEF\xBB\xBFk,v\r\n1,\"a\r\nb\"\r\n2,c");
    REQUIRE(rows.ok());
    THEN("the BOM is not part of the first field and CRLF ends records") {
      REQUIRE(rows->size() == 3);
      CHECK((*rows)[0].fields == Fields{"k", "v"});
      CHECK((*rows)[1].fields == Fields{"1", "a\r\nb"});
      CHECK((*rows)[2].fields == Fields{"2", "c"});
    }
  }
  WHEN("there are empty lines") {
    auto rows = ParseCsv("a,b\n\n1,2\n\n");
    THEN("they are skipped") {
      REQUIRE(rows.ok());
      CHECK(rows->size() == 2);
      CHECK((*rows)[1].line == 3);
    }
  }
  WHEN("the text is empty") {
    auto rows = ParseCsv("");
    THEN("there are no records") {
      REQUIRE(rows.ok());
      CHECK(rows->empty());
    }
  }
}

SCENARIO("malformed CSV is rejected with the line where the record starts") {
  CHECK(ErrorOf("a,b\n1,2\n3\n") == "t.csv:3: expected 2 fields, found 1");
  CHECK(ErrorOf("a,b\n1,\"open\n2,3\n") == "t.csv:2: quoted field is not closed");
  CHECK(ErrorOf("a,b\n1,x\"y\n") == "t.csv:2: quote inside an unquoted field");
  CHECK(ErrorOf("a,b\n1,\"x\"y\n") ==
        "t.csv:2: text after a closing quote (a quote inside a field must be doubled)");
}

SCENARIO("columns are found by header name") {
  auto rows = ParseCsv("name,code,extra\n");
  REQUIRE(rows.ok());
  WHEN("all requested columns exist") {
    auto col = CsvColumns((*rows)[0], {"code", "name"});
    THEN("their indexes come back in the requested order") {
      REQUIRE(col.ok());
      CHECK(*col == std::vector<size_t>{1, 0});
    }
  }
  WHEN("one is missing") {
    auto col = CsvColumns((*rows)[0], {"code", "level"}, "t.csv");
    THEN("it is named") {
      REQUIRE_FALSE(col.ok());
      CHECK(std::string(col.status().message()) == "t.csv:1: missing column \"level\"");
    }
  }
  WHEN("the header names a column twice") {
    auto dup = ParseCsv("code,code\n");
    REQUIRE(dup.ok());
    THEN("that is an error") { CHECK_FALSE(CsvColumns((*dup)[0], {"code"}).ok()); }
  }
  WHEN("the column named twice is not valid UTF-8 (found by fuzz_csv and fuzz_code_table)") {
    // tests/fuzz/corpus/csv/regression-column-twice-message: the name was quoted raw, and the
    // error (an import's FieldViolation) was not UTF-8.
    auto dup = ParseCsv(",bx\xF4\xDD,ya,bx\xF4\xDD,y\n");
    REQUIRE(dup.ok());
    auto col = CsvColumns((*dup)[0], {"code"}, "t.csv");
    THEN("the name is shown with the bytes that are not UTF-8 as \\xNN") {
      REQUIRE_FALSE(col.ok());
      CHECK(std::string(col.status().message()) ==
            "t.csv:1: column \"bx\\xf4\\xdd\" appears twice");
      CHECK(IsValidUtf8(std::string(col.status().message())));
    }
  }
}

SCENARIO("a file is read from disk") {
  testing::TempDir dir;
  GIVEN("a file") {
    const std::string path = dir.Sub("t.csv");
    std::ofstream(path) << "a,b\n1,2\n";
    THEN("it parses and errors name the file") {
      auto rows = ReadCsvFile(path);
      REQUIRE(rows.ok());
      CHECK(rows->size() == 2);
      std::ofstream(path) << "a,b\n1\n";
      auto bad = ReadCsvFile(path);
      REQUIRE_FALSE(bad.ok());
      CHECK(std::string(bad.status().message()) == path + ":2: expected 2 fields, found 1");
    }
  }
  GIVEN("no file") {
    THEN("NOT_FOUND") {
      CHECK(ReadCsvFile(dir.Sub("missing.csv")).status().code() == absl::StatusCode::kNotFound);
    }
  }
}

}  // namespace
}  // namespace jianguan
