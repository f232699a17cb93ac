#include "services/cases/domain/summary_procedure.h"

#include "absl/strings/str_cat.h"
#include "libs/core/field_violations.h"
#include "services/cases/domain/procedure.h"

namespace jianguan::cases {
namespace {

// "200" for 20000 fen, "200.01" for 20001: the law states its limits in yuan.
std::string Yuan(int64_t fen) {
  const int64_t cents = fen % 100;
  if (cents == 0) return absl::StrCat(fen / 100);
  return absl::StrCat(fen / 100, ".", cents < 10 ? "0" : "", cents);
}

const char* PartyName(v1::PartyKind kind) {
  return kind == v1::PARTY_KIND_CITIZEN ? "a citizen (公民)"
                                        : "an organisation (法人或者其他组织)";
}

}  // namespace

int64_t SummaryFineLimitFen(v1::PartyKind kind) {
  switch (kind) {
    case v1::PARTY_KIND_CITIZEN: return kSummaryCitizenFineLimitFen;
    case v1::PARTY_KIND_ORGANISATION: return kSummaryOrganisationFineLimitFen;
    default: return 0;
  }
}

absl::Status CheckSummaryProcedure(v1::PartyKind party_kind, const v1::Penalty& penalty) {
  FieldViolations violations;
  CheckPenalty(violations, "penalty", penalty);
  const int64_t limit = SummaryFineLimitFen(party_kind);
  if (limit == 0) violations.Add("party_kind", "must be CITIZEN or ORGANISATION");
  for (int i = 0; i < penalty.kinds_size(); ++i) {
    const int kind = penalty.kinds(i);
    if (kind != v1::PENALTY_KIND_WARNING && kind != v1::PENALTY_KIND_FINE) {
      violations.Add(absl::StrCat("penalty.kinds[", i, "]"),
                     "行政处罚法 第五十一条: the summary procedure (简易程序) decides only a "
                     "warning (警告) or a fine (罚款); use the general procedure");
    }
  }
  if (limit > 0 && penalty.fine().fen() > limit) {
    violations.Add("penalty.fine.fen",
                   absl::StrCat("行政处罚法 第五十一条: the summary procedure (简易程序) allows a "
                                "fine of at most ", Yuan(limit), " yuan on ",
                                PartyName(party_kind), "; ", Yuan(penalty.fine().fen()),
                                " yuan needs the general procedure"));
  }
  return violations.ToStatus();
}

}  // namespace jianguan::cases
