#include "services/cases/lead_intake.h"

#include "absl/strings/str_cat.h"
#include "jianguan/cases/v1/events.pb.h"
#include "jianguan/inspection/v1/events.pb.h"
#include "libs/core/civil_date.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/text_checks.h"
#include "libs/core/timestamps.h"
#include "services/cases/cases_metrics.h"
#include "services/cases/domain/lead.h"

namespace jianguan::cases {
namespace {

// The first `max_chars` characters of well-formed UTF-8 `text`.
std::string Clip(const std::string& text, size_t max_chars) {
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && chars++ == max_chars) {
      return text.substr(0, i);
    }
  }
  return text;
}

std::string SummaryOf(const inspection::v1::LeadTransferred& transfer) {
  std::string summary = absl::StrCat("检查任务 ", transfer.task().name());
  if (!transfer.task().subject_name().empty()) {
    absl::StrAppend(&summary, "（", transfer.task().subject_name(), "）");
  }
  absl::StrAppend(&summary, "移送。");
  for (const inspection::v1::Finding& finding : transfer.findings()) {
    absl::StrAppend(&summary, "检查发现：", finding.question(), " —— ", finding.answer_label());
    if (!finding.note().empty()) absl::StrAppend(&summary, "（", finding.note(), "）");
    absl::StrAppend(&summary, "；");
  }
  if (!transfer.note().empty()) absl::StrAppend(&summary, "移送说明：", transfer.note());
  return Clip(summary, 2000);
}

}  // namespace

LeadIntake::LeadIntake(const CaseStore& records, const EventEmitter& emitter,
                       const WorkingDayCalendar& calendar, const Clock& clock, FilingPeriod period,
                       CasesMetrics* metrics)
    : records_(records),
      emitter_(emitter),
      calendar_(calendar),
      clock_(clock),
      period_(period),
      metrics_(metrics),
      ids_(clock) {}

absl::Status LeadIntake::Apply(const events::ConsumedEvent& event, store::UnitOfWork& work) {
  if (event.type() != inspection::v1::LeadTransferred::descriptor()->full_name()) {
    return absl::OkStatus();
  }
  inspection::v1::LeadTransferred transfer;
  RETURN_IF_ERROR(events::DecodeInto(event, transfer));
  if (transfer.transfer().empty()) {
    return absl::InvalidArgumentError("LeadTransferred without a transfer name");
  }
  ASSIGN_OR_RETURN(std::optional<std::string> known,
                   records_.LeadIdOfSource(transfer.transfer(), &work));
  if (known) return absl::OkStatus();  // registered before: a copy of the event

  // When the transfer was made (its own time, else now).
  const absl::Time time =
      transfer.has_time()
          ? FromTimestamp(transfer.time())
          : clock_.Now();
  v1::Lead draft;
  draft.set_name(absl::StrCat("leads/", ids_.Next()));
  draft.set_uscc(transfer.task().uscc());
  draft.set_source(v1::LEAD_SOURCE_INSPECTION);
  draft.set_source_ref(transfer.transfer());
  *draft.mutable_department() = transfer.to_department().code().empty()
                                    ? transfer.from_department()
                                    : transfer.to_department();
  draft.set_summary(SummaryOf(transfer));
  const absl::CivilDay registered = absl::ToCivilDay(time, BeijingTime());
  *draft.mutable_registered_date() = DateOf(registered);
  // The inspection saw the violation on its day; a date after the registration (a clock
  // skew between services) is taken as the registration day.
  const auto seen = ValidDayOf(transfer.inspection_date());
  *draft.mutable_violation()->mutable_committed_date() =
      DateOf(seen && *seen <= registered ? *seen : registered);
  // Found that day too (发现违法行为之日), from which the loop KPI counts the days to the
  // penalty's execution.
  *draft.mutable_found_date() = draft.violation().committed_date();
  ASSIGN_OR_RETURN(v1::Lead lead, NewLead(draft, calendar_, period_));
  records_.SaveLead(work, nullptr, lead);

  v1::LeadRegistered registered_event;
  registered_event.set_lead(lead.name());
  registered_event.set_uscc(lead.uscc());
  registered_event.set_source(lead.source());
  registered_event.set_source_ref(lead.source_ref());
  *registered_event.mutable_department() = lead.department();
  registered_event.set_summary(lead.summary());
  *registered_event.mutable_time() = ToTimestamp(time);
  emitter_.Emit(work, lead.uscc(), registered_event, time);
  if (metrics_) metrics_->CountLeadRegistered(lead.source());
  return absl::OkStatus();
}

}  // namespace jianguan::cases
