// Specification of libs/pdf/text_pdf.h: a 行政处罚决定书 rendered to PDF reads back with
// poppler's pdftotext, spans pages as its text needs, embeds its font, is byte-for-byte
// deterministic (also across threads), and bad text, options or fonts are refused.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "libs/core/field_violations.h"
#include "libs/pdf/text_pdf.h"
#include "libs/testing/temp_dir.h"

namespace jianguan::pdf {
namespace {

constexpr char kRepeatedSentence[] =
    "当事人的上述行为违反了《中华人民共和国食品安全法》第三十四条第十项的规定，应予处罚。";

TextDocument Decision() {
  std::string long_paragraph;
  for (int i = 0; i < 25; ++i) long_paragraph += kRepeatedSentence;
  long_paragraph += "以上事实清楚证据确凿。";
  return {
      .title = "金华市市场监督管理局\n行政处罚决定书",
      .number = "金市监罚〔2026〕12号",
      .paragraphs =
          {
              "当事人：金华市婺城区某某食品有限公司",
              "统一社会信用代码：91330702MA2D3K4X5Y",
              "经查，当事人于2025年10月至2026年1月期间，在其经营场所销售超过保质期的预包装食品"
              "共计37批次，货值金额人民币4820元，违法所得人民币1260元。上述事实有现场检查笔录、"
              "询问笔录、销售记录等证据证实。",
              long_paragraph,
              "如不服本处罚决定，可在收到本决定书之日起六十日内向金华市人民政府申请行政复议。",
          },
      .closing = {"金华市市场监督管理局", "2026年3月2日"},
  };
}

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

/// Runs `command` through the shell and collects its standard output.
CommandResult Run(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
  REQUIRE(out.good());
}

/// `text` without ASCII white space: wrapping and justification split and space the lines.
std::string WithoutWhitespace(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != '\v') out += c;
  }
  return out;
}

/// The value of "Key:" in pdfinfo's output, trimmed; empty when absent.
std::string InfoField(const std::string& pdfinfo, const std::string& key) {
  std::istringstream lines(pdfinfo);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(key + ":", 0) != 0) continue;
    const size_t start = line.find_first_not_of(' ', key.size() + 1);
    return start == std::string::npos ? "" : line.substr(start);
  }
  return "";
}

TEST_CASE("a decision renders to a PDF that pdftotext reads back", "[pdf]") {
  absl::StatusOr<std::string> pdf = RenderPdf(Decision());
  REQUIRE(pdf.ok());
  REQUIRE(pdf->rfind("%PDF-", 0) == 0);
  testing::TempDir dir("jg-pdf");
  const std::string path = dir.Sub("decision.pdf");
  WriteFile(path, *pdf);

  SECTION("the title, the number and every paragraph are in the extracted text") {
    CommandResult text = Run("pdftotext -enc UTF-8 '" + path + "' -");
    REQUIRE(text.exit_code == 0);
    const std::string flat = WithoutWhitespace(text.output);
    CHECK_THAT(flat, Catch::Contains("金华市市场监督管理局行政处罚决定书"));
    CHECK_THAT(flat, Catch::Contains("金市监罚〔2026〕12号"));
    CHECK_THAT(flat, Catch::Contains("当事人：金华市婺城区某某食品有限公司"));
    CHECK_THAT(flat, Catch::Contains("统一社会信用代码：91330702MA2D3K4X5Y"));
    // Wrapped over several lines.
    CHECK_THAT(flat, Catch::Contains("共计37批次，货值金额人民币4820元，违法所得人民币1260元。"
                                     "上述事实有现场检查笔录、询问笔录、销售记录等证据证实。"));
    // Continued on the second page.
    CHECK_THAT(flat, Catch::Contains(std::string(kRepeatedSentence) + "以上事实清楚证据确凿。"));
    CHECK_THAT(flat, Catch::Contains("向金华市人民政府申请行政复议。"));
    CHECK_THAT(flat, Catch::Contains("金华市市场监督管理局2026年3月2日"));
  }

  SECTION("the long paragraph needs a second page; the title is the PDF's Title") {
    CommandResult info = Run("pdfinfo '" + path + "'");
    REQUIRE(info.exit_code == 0);
    CHECK(std::stoi(InfoField(info.output, "Pages")) >= 2);
    CHECK(InfoField(info.output, "Title") == "金华市市场监督管理局 行政处罚决定书");
    CHECK_THAT(InfoField(info.output, "Page size"), Catch::Contains("595.") &&
                                                         Catch::Contains("841."));
  }

  SECTION("the font is embedded as a subset") {
    CommandResult fonts = Run("pdffonts '" + path + "'");
    REQUIRE(fonts.exit_code == 0);
    int embedded_cjk = 0, not_embedded = 0;
    std::istringstream lines(fonts.output);
    for (std::string line; std::getline(lines, line);) {
      std::istringstream words(line);
      std::vector<std::string> w{std::istream_iterator<std::string>(words), {}};
      // name type… encoding emb sub uni object-number generation
      if (w.size() < 6 || w[0] == "name" || w[0].rfind("---", 0) == 0) continue;
      const std::string& emb = w[w.size() - 5];
      if (emb != "yes") ++not_embedded;
      if (emb == "yes" && w[0].find("WenQuanYi") != std::string::npos) ++embedded_cjk;
    }
    INFO(fonts.output);
    CHECK(embedded_cjk >= 1);
    CHECK(not_embedded == 0);
  }
}

TEST_CASE("the same document gives the same bytes", "[pdf]") {
  absl::StatusOr<std::string> first = RenderPdf(Decision());
  REQUIRE(first.ok());

  SECTION("twice in a row, with no creation date in them") {
    absl::StatusOr<std::string> second = RenderPdf(Decision());
    REQUIRE(second.ok());
    CHECK(*first == *second);
    CHECK(first->find("/CreationDate") == std::string::npos);
    CHECK(first->find("/ModDate") == std::string::npos);
  }

  SECTION("from several threads at once") {
    constexpr int kThreads = 4, kRenders = 3;
    std::vector<std::vector<absl::StatusOr<std::string>>> results(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&results, t] {
        for (int i = 0; i < kRenders; ++i) results[t].push_back(RenderPdf(Decision()));
      });
    }
    for (std::thread& thread : threads) thread.join();
    for (const auto& per_thread : results) {
      for (const absl::StatusOr<std::string>& pdf : per_thread) {
        REQUIRE(pdf.ok());
        CHECK(*pdf == *first);
      }
    }
  }

  SECTION("and a changed paragraph changes them") {
    TextDocument changed = Decision();
    changed.paragraphs[4] += "。";
    absl::StatusOr<std::string> other = RenderPdf(changed);
    REQUIRE(other.ok());
    CHECK(*other != *first);
  }
}

TEST_CASE("a short document fits one page; an empty one is one blank page", "[pdf]") {
  testing::TempDir dir("jg-pdf");
  TextDocument doc = GENERATE(TextDocument{.title = "行政处罚决定书", .paragraphs = {"正文。"}},
                              TextDocument{});
  absl::StatusOr<std::string> pdf = RenderPdf(doc);
  REQUIRE(pdf.ok());
  WriteFile(dir.Sub("short.pdf"), *pdf);
  CommandResult info = Run("pdfinfo '" + dir.Sub("short.pdf") + "'");
  REQUIRE(info.exit_code == 0);
  CHECK(InfoField(info.output, "Pages") == "1");
}

TEST_CASE("bad text and options are refused naming the field", "[pdf]") {
  TextDocument doc = Decision();

  SECTION("invalid UTF-8 in a paragraph") {
    doc.paragraphs[1] = "统一社会信用代码：\xE4\xB8";
    absl::StatusOr<std::string> pdf = RenderPdf(doc);
    REQUIRE(pdf.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(pdf.status().message()), Catch::Contains("paragraphs[1]"));
    CHECK(FieldViolationsOf(pdf.status()) ==
          std::vector<FieldViolation>{{"paragraphs[1]", "is not valid UTF-8"}});
  }

  SECTION("every bad field at once: the title, a closing line with a control character") {
    doc.title = "\xFF";
    doc.closing[0] = "金华市\x07市场监督管理局";
    absl::StatusOr<std::string> pdf = RenderPdf(doc);
    REQUIRE(pdf.status().code() == absl::StatusCode::kInvalidArgument);
    std::vector<FieldViolation> violations = FieldViolationsOf(pdf.status());
    REQUIRE(violations.size() == 2);
    CHECK(violations[0].field == "title");
    CHECK(violations[1] == FieldViolation{"closing[0]", "holds the control character U+0007"});
  }

  SECTION("an option out of range") {
    PdfOptions options;
    options.body_size_pt = 0;
    absl::StatusOr<std::string> pdf = RenderPdf(doc, options);
    REQUIRE(pdf.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(pdf.status().message()), Catch::Contains("options.body_size_pt"));
  }
}

TEST_CASE("fonts: a missing family is refused, never silently replaced", "[pdf]") {
  SECTION("an unknown family") {
    absl::StatusOr<std::string> pdf = RenderPdf(Decision(), {.font_family = "No Such Font 123"});
    REQUIRE(pdf.status().code() == absl::StatusCode::kFailedPrecondition);
    CHECK_THAT(std::string(pdf.status().message()), Catch::Contains("No Such Font 123"));
  }

  SECTION("the family's localized name, in other case and spacing, is the same font") {
    absl::StatusOr<std::string> localized = RenderPdf(Decision(), {.font_family = "文泉驿微米黑"});
    REQUIRE(localized.ok());
    absl::StatusOr<std::string> spaced =
        RenderPdf(Decision(), {.font_family = "wenquanyi microhei"});
    REQUIRE(spaced.ok());
    CHECK(*localized == *spaced);
  }

  SECTION("a character no installed font has (a private-use code point)") {
    TextDocument doc = Decision();
    doc.paragraphs[2] += "\xF4\x8F\xBF\xBD";  // U+10FFFD
    absl::StatusOr<std::string> pdf = RenderPdf(doc);
    REQUIRE(pdf.status().code() == absl::StatusCode::kFailedPrecondition);
    CHECK_THAT(std::string(pdf.status().message()),
               Catch::Contains("paragraphs[2]") && Catch::Contains("U+10FFFD"));
  }
}

// Not run by default: `text_pdf_test "[.timing]" -s` prints the time of one render.
TEST_CASE("render time", "[.timing]") {
  REQUIRE(RenderPdf(Decision()).ok());  // fontconfig's first load is not counted
  constexpr int kRenders = 20;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kRenders; ++i) REQUIRE(RenderPdf(Decision()).ok());
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  WARN("one two-page decision: " << ms / kRenders << " ms");
}

}  // namespace
}  // namespace jianguan::pdf
