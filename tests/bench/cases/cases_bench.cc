// The case handling procedure of issue #14 on a release build and the real broker:
// JG_CASES_BENCH_CASES leads (default 100,000) registered with RegisterLead in four
// departments, each filed as a case and driven over gRPC through the whole general procedure
// to closure by JG_CASES_BENCH_CLIENTS concurrent clients (default 8, one case at a time
// each): FileCase, START_INVESTIGATION, RECORD_EVIDENCE, for every other case a legal review
// (SUBMIT_FOR_REVIEW, PASS_REVIEW by a reviewer who did not investigate), NOTICE of a fine,
// DECIDE once the party's 5 working days to ask for a hearing are over (the party absent),
// SERVE, EXECUTE with the fine paid, CLOSE. The dates are a lawful sequence in
// September 2026, every step on its own day.
// Prints cases/s from the first lead to the last closure, each transition's latency
// (p50/p99/max, DESIGN's write budget p99 ≤ 20 ms), the documents numbered, who used the CPU,
// RSS and size on disk, the time until the events were all published; then renders
// JG_CASES_BENCH_PDFS decision documents (default 200) to PDF with GetDocument. Every answer
// is checked (state, version, one more document per step); the first failure ends the run.
// The figures go to BENCHMARKS.md by hand, with the command.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "jianguan/cases/v1/cases.grpc.pb.h"
#include "libs/testing/dates.h"
#include "libs/testing/metrics_scrape.h"
#include "libs/testing/process_stats.h"
#include "libs/testing/service_binary.h"
#include "libs/testing/temp_dir.h"
#include "libs/testing/uscc_series.h"

namespace jianguan::cases {
namespace {

using testing::DateOf;

int64_t EnvOr(const char* name, int64_t fallback) {
  const char* value = std::getenv(name);
  const int64_t n = value != nullptr ? std::atoll(value) : 0;
  return n > 0 ? n : fallback;
}

// Four departments of data/cases/departments.csv, each with its own document sequences.
constexpr std::array<const char*, 4> kDepartments = {"330700-SCJG", "330782-SCJG", "330700-STHJ",
                                                     "330700-ZHZF"};
constexpr int64_t kFineFen = 500'000;  // 5,000 yuan

// What is timed: RegisterLead, FileCase, and Act per action.
constexpr int kRegister = 0;
constexpr int kFile = 1;
constexpr int kKinds = 2 + v1::CaseAction_ARRAYSIZE;
int KindOf(v1::CaseAction action) { return 2 + static_cast<int>(action); }
std::string KindName(int kind) {
  if (kind == kRegister) return "RegisterLead";
  if (kind == kFile) return "FileCase";
  return "Act " + v1::CaseAction_Name(static_cast<v1::CaseAction>(kind - 2));
}

// One step of the procedure after the filing: the action, its day, the state it leads to.
struct Step {
  v1::CaseAction action;
  common::v1::Date date;
  v1::CaseState state;
};

// The lawful sequence (行政处罚法 2021; the calendar of data/calendar): a violation of
// 20 August, the lead registered on Tuesday 1 September and filed the next day; notice on
// Wednesday 9 September, so the party may ask for a hearing until Wednesday 16 September
// (5 working days, 第六十四条); the decision on Monday 21 September, served the next day
// (the party absent: within 7 working days, 第六十一条), paid within 15 days (第六十七条).
std::vector<Step> StepsOf(bool legal_review) {
  std::vector<Step> steps = {
      {v1::CASE_ACTION_START_INVESTIGATION, DateOf(2026, 9, 3), v1::CASE_STATE_INVESTIGATING},
      {v1::CASE_ACTION_RECORD_EVIDENCE, DateOf(2026, 9, 4), v1::CASE_STATE_INVESTIGATING}};
  if (legal_review) {
    steps.push_back(
        {v1::CASE_ACTION_SUBMIT_FOR_REVIEW, DateOf(2026, 9, 7), v1::CASE_STATE_LEGAL_REVIEW});
    steps.push_back(
        {v1::CASE_ACTION_PASS_REVIEW, DateOf(2026, 9, 8), v1::CASE_STATE_LEGAL_REVIEW});
  }
  for (const Step& step : std::vector<Step>{
           {v1::CASE_ACTION_NOTICE, DateOf(2026, 9, 9), v1::CASE_STATE_NOTICED},
           {v1::CASE_ACTION_DECIDE, DateOf(2026, 9, 21), v1::CASE_STATE_DECIDED},
           {v1::CASE_ACTION_SERVE, DateOf(2026, 9, 22), v1::CASE_STATE_SERVED},
           {v1::CASE_ACTION_EXECUTE, DateOf(2026, 9, 24), v1::CASE_STATE_EXECUTED},
           {v1::CASE_ACTION_CLOSE, DateOf(2026, 9, 28), v1::CASE_STATE_CLOSED}}) {
    steps.push_back(step);
  }
  return steps;
}

std::unique_ptr<grpc::ClientContext> Call(const std::string& department,
                                          const std::string& user) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("x-jg-department", department);
  context->AddMetadata("x-jg-user", user);
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  return context;
}

// The latency of one call, in ms, appended to `into`.
template <typename Rpc>
grpc::Status Timed(std::vector<float>& into, Rpc&& rpc) {
  const auto start = std::chrono::steady_clock::now();
  grpc::Status status = rpc();
  into.push_back(
      std::chrono::duration<float, std::milli>(std::chrono::steady_clock::now() - start).count());
  return status;
}

// What one client measured.
struct ClientFigures {
  std::vector<std::vector<float>> latencies_ms = std::vector<std::vector<float>>(kKinds);
  int64_t documents = 0;
};

double Percentile(const std::vector<float>& sorted, double q) {
  if (sorted.empty()) return 0;
  return sorted[std::min(sorted.size() - 1, static_cast<size_t>(q * sorted.size()))];
}

TEST_CASE("cases: 100,000 cases through the general procedure over gRPC, 8 clients") {
  const int64_t cases_wanted = EnvOr("JG_CASES_BENCH_CASES", 100'000);
  const int clients = static_cast<int>(EnvOr("JG_CASES_BENCH_CLIENTS", 8));
  const int64_t pdfs = std::min(cases_wanted, EnvOr("JG_CASES_BENCH_PDFS", 200));
  testing::TempDir dir("jg-cases-bench");
  testing::ServiceBinary service(JG_CASES, dir.Sub("cases"), {"--log_level", "warning"},
                                 absl::Seconds(120));
  auto cases_client = v1::Cases::NewStub(service.channel());

  v1::Penalty fine;
  fine.add_kinds(v1::PENALTY_KIND_FINE);
  fine.mutable_fine()->set_fen(kFineFen);
  fine.set_legal_basis("《中华人民共和国食品安全法》第一百二十四条");
  const std::vector<Step> with_review = StepsOf(true), without_review = StepsOf(false);

  // Drives case n from its lead to closure; "" when every answer was as expected, else what
  // went wrong. The decision's document name goes to decision_documents[n] for the first
  // `pdfs` cases.
  std::vector<std::string> decision_documents(static_cast<size_t>(pdfs));
  const auto drive = [&](int64_t n, ClientFigures& figures) -> std::string {
    const std::string department = kDepartments[static_cast<size_t>(n) % kDepartments.size()];
    const std::string officer_a = absl::StrCat("OFF-", n % 50, "-A");
    const std::string officer_b = absl::StrCat("OFF-", n % 50, "-B");
    const bool legal_review = n % 2 == 0;
    const auto failed = [&](const std::string& what, const grpc::Status& status) {
      return absl::StrCat("case ", n, " (", department, "): ", what, ": ",
                          static_cast<int>(status.error_code()), " ", status.error_message());
    };

    v1::RegisterLeadRequest register_lead;
    register_lead.set_request_id(absl::StrCat("lead-", n));
    register_lead.set_uscc(testing::SeriesUscc("91330700", static_cast<uint64_t>(n)));
    register_lead.set_source(v1::LEAD_SOURCE_COMPLAINT);
    register_lead.set_source_ref(absl::StrCat("12315-2026-", n));
    register_lead.set_summary("群众投诉：该企业销售超过保质期的预包装食品");
    *register_lead.mutable_violation()->mutable_committed_date() = DateOf(2026, 8, 20);
    *register_lead.mutable_registered_date() = DateOf(2026, 9, 1);
    v1::Lead lead;
    {
      auto context = Call(department, officer_a);
      const grpc::Status status = Timed(figures.latencies_ms[kRegister], [&] {
        return cases_client->RegisterLead(context.get(), register_lead, &lead);
      });
      if (!status.ok()) return failed("RegisterLead", status);
      if (lead.state() != v1::LEAD_STATE_REGISTERED || lead.name().empty()) {
        return failed("RegisterLead answered " + lead.ShortDebugString(), status);
      }
    }

    v1::FileCaseRequest file;
    file.set_request_id(absl::StrCat("file-", n));
    file.set_lead(lead.name());
    file.set_party_name("金华市某某食品有限公司");
    file.set_party_kind(v1::PARTY_KIND_ORGANISATION);
    file.add_item_codes("330700-SP-01");
    file.set_legal_review_required(legal_review);
    *file.mutable_date() = DateOf(2026, 9, 2);
    file.add_officer_ids(officer_a);
    file.add_officer_ids(officer_b);
    v1::CaseView view;
    {
      auto context = Call(department, officer_a);
      const grpc::Status status = Timed(figures.latencies_ms[kFile], [&] {
        return cases_client->FileCase(context.get(), file, &view);
      });
      if (!status.ok()) return failed("FileCase", status);
      if (view.case_record().state() != v1::CASE_STATE_FILED ||
          view.case_record().version() != 1 || view.case_record().documents_size() != 1) {
        return failed("FileCase answered state " +
                          v1::CaseState_Name(view.case_record().state()),
                      status);
      }
    }
    const std::string case_name = view.case_record().name();

    for (const Step& step : legal_review ? with_review : without_review) {
      const int64_t version = view.case_record().version();
      const std::string action = v1::CaseAction_Name(step.action);
      v1::ActRequest act;
      act.set_request_id(absl::StrCat("act-", n, "-", action));
      act.set_case_name(case_name);
      act.set_action(step.action);
      *act.mutable_date() = step.date;
      act.set_expected_version(version);
      std::string user = officer_a;
      if (step.action == v1::CASE_ACTION_PASS_REVIEW) {
        user = absl::StrCat("LEGAL-", department);  // 第五十八条: not an investigator
      } else {
        act.add_officer_ids(officer_a);
        act.add_officer_ids(officer_b);
      }
      switch (step.action) {
        case v1::CASE_ACTION_RECORD_EVIDENCE:
          act.set_note("现场检查笔录、询问笔录各一份，扣押过期食品12箱");
          break;
        case v1::CASE_ACTION_NOTICE:
          *act.mutable_penalty() = fine;
          break;
        case v1::CASE_ACTION_DECIDE:
          *act.mutable_penalty() = fine;
          act.set_party_absent(true);
          break;
        case v1::CASE_ACTION_EXECUTE:
          act.mutable_paid()->set_fen(kFineFen);
          break;
        default:
          break;
      }
      v1::CaseView after;
      auto context = Call(department, user);
      const grpc::Status status = Timed(figures.latencies_ms[KindOf(step.action)], [&] {
        return cases_client->Act(context.get(), act, &after);
      });
      if (!status.ok()) return failed(action, status);
      const v1::Case& c = after.case_record();
      if (c.state() != step.state || c.version() != version + 1 ||
          c.documents_size() != view.case_record().documents_size() + 1) {
        return failed(absl::StrCat(action, " answered state ", v1::CaseState_Name(c.state()),
                                   ", version ", c.version(), ", ", c.documents_size(),
                                   " documents"),
                      status);
      }
      if (step.action == v1::CASE_ACTION_DECIDE && n < pdfs) {
        decision_documents[static_cast<size_t>(n)] =
            c.documents(c.documents_size() - 1).name();
      }
      view = std::move(after);
    }
    figures.documents += view.case_record().documents_size();
    return "";
  };

  // --- the clients, each taking the next case until all are closed -------------------------
  std::atomic<int64_t> next{0};
  std::atomic<int64_t> closed{0};
  std::atomic<bool> stop{false};
  std::atomic<int> running{clients};
  std::mutex mu;
  std::string first_error;
  std::vector<ClientFigures> figures(static_cast<size_t>(clients));
  const absl::Time run_start = absl::Now();
  const testing::CpuSample cpu_start = testing::SampleCpu(service.pid());
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      for (int64_t n = next++; n < cases_wanted && !stop; n = next++) {
        std::string error = drive(n, figures[static_cast<size_t>(c)]);
        if (!error.empty()) {
          std::lock_guard lock(mu);
          if (first_error.empty()) first_error = std::move(error);
          stop = true;
          break;
        }
        ++closed;
      }
      --running;
    });
  }
  // Progress every minute (Catch2 is not thread-safe: only this thread prints).
  absl::Time report_at = run_start + absl::Seconds(60);
  while (running > 0) {
    absl::SleepFor(absl::Milliseconds(200));
    if (absl::Now() >= report_at) {
      const double s = absl::ToDoubleSeconds(absl::Now() - run_start);
      std::printf("cases bench: %lld of %lld cases closed after %.0f s (%.0f cases/s)\n",
                  static_cast<long long>(closed.load()), static_cast<long long>(cases_wanted), s,
                  closed.load() / s);
      std::fflush(stdout);
      report_at += absl::Seconds(60);
    }
  }
  for (std::thread& t : threads) t.join();
  const double drive_s = absl::ToDoubleSeconds(absl::Now() - run_start);
  const std::string drive_cpu =
      testing::CpuUse(cpu_start, testing::SampleCpu(service.pid()), "cases");
  INFO(first_error);
  REQUIRE(first_error.empty());
  REQUIRE(closed.load() == cases_wanted);
  const long rss = testing::RssKiB(service.pid());
  const double disk_mib = testing::DirectoryMiB(dir.Sub("cases"));

  // --- the events (LeadRegistered, CaseFiled, PenaltyNoticed, PenaltyDecided, PenaltyExecuted,
  // CaseClosed) on the broker ------------------------------------------------------------------
  {
    const absl::Time deadline = absl::Now() + absl::Seconds(1800);
    while (testing::SampleValue(service.Metrics(), "jianguan_outbox_backlog", {}) != 0) {
      REQUIRE(absl::Now() < deadline);
      absl::SleepFor(absl::Milliseconds(500));
    }
  }
  const double drain_s = absl::ToDoubleSeconds(absl::Now() - run_start) - drive_s;

  // --- the decision documents rendered to PDF, one client ------------------------------------
  std::vector<float> pdf_ms;
  double pdf_bytes = 0;
  for (size_t n = 0; n < decision_documents.size(); ++n) {
    const std::string& name = decision_documents[n];
    v1::GetDocumentRequest get;
    get.set_name(name);
    get.set_with_pdf(true);
    v1::Document document;
    // Case n is department n % 4's, whose caller alone may read it.
    auto context = Call(kDepartments[n % kDepartments.size()], "OFF-0-A");
    const grpc::Status status = Timed(pdf_ms, [&] {
      return cases_client->GetDocument(context.get(), get, &document);
    });
    INFO(name << ": " << status.error_message());
    REQUIRE(status.ok());
    REQUIRE(document.pdf().substr(0, 5) == "%PDF-");
    pdf_bytes += static_cast<double>(document.pdf().size());
  }
  std::sort(pdf_ms.begin(), pdf_ms.end());

  // --- the figures ------------------------------------------------------------------------
  std::vector<std::vector<float>> latencies(kKinds);
  int64_t documents = 0, calls = 0;
  for (const ClientFigures& f : figures) {
    documents += f.documents;
    for (int k = 0; k < kKinds; ++k) {
      latencies[k].insert(latencies[k].end(), f.latencies_ms[k].begin(), f.latencies_ms[k].end());
    }
  }
  std::printf("cases bench: %lld cases (half with legal review) by %d clients in 4 departments: "
              "%.1f s = %.1f cases/s\n",
              static_cast<long long>(cases_wanted), clients, drive_s, cases_wanted / drive_s);
  std::vector<float> all;
  for (int k = 0; k < kKinds; ++k) {
    std::vector<float>& l = latencies[k];
    if (l.empty()) continue;
    calls += static_cast<int64_t>(l.size());
    all.insert(all.end(), l.begin(), l.end());
    std::sort(l.begin(), l.end());
    const double p99 = Percentile(l, 0.99);
    std::printf("cases bench: %-24s %7zu calls: p50 %6.2f ms, p99 %7.2f ms, max %8.2f ms%s\n",
                KindName(k).c_str(), l.size(), Percentile(l, 0.5), p99, l.back(),
                p99 <= 20 ? "" : "  (p99 > 20 ms)");
  }
  std::sort(all.begin(), all.end());
  std::printf("cases bench: every write %lld calls = %.0f calls/s: p50 %.2f ms, p99 %.2f ms, "
              "max %.2f ms (DESIGN: p99 <= 20 ms per write)\n",
              static_cast<long long>(calls), calls / drive_s, Percentile(all, 0.5),
              Percentile(all, 0.99), all.back());
  std::printf("cases bench: %lld documents numbered and stored (%.1f a case)\n",
              static_cast<long long>(documents), static_cast<double>(documents) / cases_wanted);
  std::printf("cases bench: after the run RSS %.0f MiB, on disk %.0f MiB\n", rss / 1024.0,
              disk_mib);
  std::printf("cases bench: the outbox (6 events a case) empty %.1f s after the last closure\n",
              drain_s);
  std::printf("cases bench: CPU during the run: %s\n", drive_cpu.c_str());
  if (!pdf_ms.empty()) {
    std::printf("cases bench: GetDocument with_pdf of %zu decisions (%.0f KiB each): p50 %.2f ms, "
                "p99 %.2f ms, max %.2f ms\n",
                pdf_ms.size(), pdf_bytes / static_cast<double>(pdf_ms.size()) / 1024.0,
                Percentile(pdf_ms, 0.5), Percentile(pdf_ms, 0.99), pdf_ms.back());
  }
}

}  // namespace
}  // namespace jianguan::cases
