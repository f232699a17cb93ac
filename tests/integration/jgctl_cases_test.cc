// jgctl cases against the real cases binary on the test broker: a lead registered from a JSON
// file, filed, and taken by jgctl alone through investigation, legal review, notice, the
// party's waiver, decision, service, payment and closure; the final state read back with
// `jgctl cases get`. Along the way: a repeated command changes nothing (its request id comes
// from its arguments), an unknown action is a usage error (exit 2), and a step the state does
// not allow fails naming the state.
#include <sys/wait.h>

#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "libs/testing/command_run.h"
#include "libs/testing/service_binary.h"
#include "libs/testing/temp_dir.h"
#include "libs/testing/uscc_series.h"

namespace jianguan {
namespace {

using testing::CommandOutput;

// jgctl with `args` against `cases`, as 330700-SCJG (a department with a document prefix in
// data/cases/departments.csv) and `user`.
class Jgctl {
 public:
  explicit Jgctl(const testing::ServiceBinary& cases)
      : target_(absl::StrCat("--cases=127.0.0.1:", cases.grpc_port())) {}

  CommandOutput operator()(std::vector<std::string> args,
                           const std::string& user = "OFF-1") const {
    args.insert(args.begin(), {JG_JGCTL, "cases"});
    args.insert(args.end(), {target_, "--department=330700-SCJG", "--user=" + user});
    return testing::RunCommand(args, absl::Seconds(60));
  }

 private:
  std::string target_;
};

TEST_CASE("jgctl cases takes a lead through the general procedure to a closed case") {
  testing::TempDir dir("jg-jgctl-cases");
  testing::ServiceBinary cases(JG_CASES, dir.Sub("cases"));
  const Jgctl jgctl(cases);

  const std::string run = std::to_string(absl::ToUnixMillis(absl::Now()) % 100000000);
  const std::string lead_file = dir.Sub("lead.json");
  std::ofstream(lead_file) << absl::StrCat(R"({
    "uscc": ")", testing::SeriesUscc("91330702", std::stoull(run)), R"(",
    "source": "LEAD_SOURCE_COMPLAINT", "source_ref": "12345-)", run, R"(",
    "summary": "投诉：销售过期食品",
    "violation": {"committed_date": {"year": 2026, "month": 1, "day": 5}}
  })");

  CommandOutput registered = jgctl({"leads", "register", lead_file});
  REQUIRE(registered.exit_code == 0);
  const std::string lead = registered.FirstWord();
  REQUIRE(lead.rfind("leads/", 0) == 0);
  CHECK(registered.Says("registered"));
  // The same file again is the same request: the same lead, not a refused second one.
  CommandOutput again = jgctl({"leads", "register", lead_file});
  CHECK(again.exit_code == 0);
  CHECK(again.FirstWord() == lead);

  CommandOutput filed = jgctl({"file", lead, "--party", "金华市测试商贸有限公司", "--party_kind",
                         "organisation", "--items", "SCJG-02-01", "--officers", "OFF-1,OFF-2",
                         "--legal_review", "--note", "投诉核查属实"});
  REQUIRE(filed.exit_code == 0);
  const std::string name = filed.FirstWord();
  REQUIRE(name.rfind("cases/", 0) == 0);
  CHECK(filed.Says(" filed "));
  CHECK(jgctl({"leads", "list", "--state", "filed"}).Says(lead));
  CHECK(jgctl({"file", lead, "--party", "x", "--party_kind", "company"}).exit_code == 2);

  // Unknown action and state names are usage errors, before anything is asked.
  CommandOutput unknown = jgctl({"act", name, "investigate-harder"});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.Says("unknown action \"investigate-harder\""));
  CHECK(unknown.Says("start-investigation"));
  CHECK(jgctl({"list", "--state", "pending"}).exit_code == 2);
  CHECK(jgctl({"act", name, "file"}).exit_code == 2);

  // A decision now: the table forbids it in FILED, and says so.
  CommandOutput early = jgctl({"act", name, "serve"});
  CHECK(early.exit_code == 1);
  CHECK(early.Says("CASE_ACTION_SERVE is not allowed in state CASE_STATE_FILED"));
  // One officer is not enough to investigate (第四十二条).
  CommandOutput alone = jgctl({"act", name, "start-investigation", "--officers", "OFF-1"});
  CHECK(alone.exit_code == 1);
  CHECK(alone.Says("officer_ids"));

  const std::string penalty =
      R"({"kinds": ["PENALTY_KIND_WARNING", "PENALTY_KIND_FINE"], "fine": {"fen": 300000},
          "legal_basis": "《食品安全法》第一百二十四条"})";
  const auto step = [&](std::vector<std::string> args, const std::string& state,
                        const std::string& user = "OFF-1") {
    args.insert(args.begin(), {"act", name});
    CommandOutput done = jgctl(args, user);
    CHECK(done.exit_code == 0);
    CHECK(done.Says(" " + state + " "));
  };
  step({"start-investigation", "--officers", "OFF-1,OFF-2", "--note", "现场检查"},
       "investigating");
  step({"record-evidence", "--officers", "OFF-1,OFF-2", "--note", "询问笔录"}, "investigating");
  step({"submit-for-review"}, "legal-review");
  // The reviewer is the calling user; an investigating officer may not review.
  CommandOutput own = jgctl({"act", name, "pass-review"}, "OFF-2");
  CHECK(own.exit_code == 1);
  CHECK(own.Says("may not review"));
  step({"pass-review"}, "legal-review", "LEGAL-1");
  // The decision waits for the notice (第四十四条), whatever the state allows.
  CommandOutput unnoticed = jgctl({"act", name, "decide", "--penalty", penalty, "--officers",
                             "OFF-1,OFF-2"});
  CHECK(unnoticed.exit_code == 1);
  CHECK(unnoticed.Says("第四十四条"));
  step({"notice", "--penalty", penalty}, "noticed");
  step({"record-statement", "--waives_rights", "--note", "书面放弃陈述申辩和听证"}, "noticed");
  // No heavier penalty than the notice proposed (第四十五条).
  CHECK(jgctl({"act", name, "decide", "--officers", "OFF-1,OFF-2", "--penalty",
               R"({"kinds": ["PENALTY_KIND_FINE"], "fine": {"fen": 900000}})"})
            .Says("第四十五条"));
  step({"decide", "--penalty", penalty, "--officers", "OFF-1,OFF-2"}, "decided");
  step({"serve"}, "served");
  CHECK(jgctl({"act", name, "execute", "--paid_fen", "100"}).exit_code == 1);
  step({"execute", "--paid_fen", "300000"}, "executed");
  step({"close"}, "closed");

  // Repeated, a step is answered as the first time and changes nothing; a new one is refused
  // naming the state.
  CHECK(jgctl({"act", name, "execute", "--paid_fen", "300000"}).exit_code == 0);
  CommandOutput late = jgctl({"act", name, "execute", "--paid_fen", "300000", "--note", "again"});
  CHECK(late.exit_code == 1);
  CHECK(late.Says("not allowed in state CASE_STATE_CLOSED"));

  CommandOutput got = jgctl({"get", name});
  REQUIRE(got.exit_code == 0);
  CHECK(got.Says(R"("state": "CASE_STATE_CLOSED")"));
  CHECK(got.Says(R"("close_reason": "执行完毕")"));
  CHECK(got.Says(R"("reviewer_id": "LEGAL-1")"));
  CHECK(got.Says(R"("rights_waived": true)"));
  CHECK(got.Says(R"("version": "11")"));  // filing and ten steps: the repeat added none
  CHECK(jgctl({"list", "--state", "closed"}).Says(name));

  CommandOutput trail = jgctl({"trail", name});
  CHECK(trail.exit_code == 0);
  CHECK(trail.Says("11 steps proven by the audit chain; replayed to closed, version 11"));
  CommandOutput decisions = jgctl({"public", "--dept", "330700-SCJG"});
  CHECK(decisions.exit_code == 0);
  CHECK(decisions.Says("金华市测试商贸有限公司"));
  CHECK(decisions.Says("fine 3000.00元"));
  const std::string pdf = dir.Sub("decision.pdf");
  CommandOutput document = jgctl({"document", name + "/documents/8", "--pdf", pdf});
  CHECK(document.exit_code == 0);
  CHECK(document.Says("行政处罚决定书"));
  std::ifstream written(pdf, std::ios::binary);
  std::string head(5, '\0');
  written.read(head.data(), 5);
  CHECK(head == "%PDF-");
}

}  // namespace
}  // namespace jianguan
