#include "services/subject-registry/clock_batches.h"

#include <map>
#include <optional>
#include <utility>
#include <variant>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/core/civil_date.h"
#include "libs/core/log.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/timestamps.h"
#include "libs/events/topics.h"
#include "services/subject-registry/domain/clock_rules.h"
#include "services/subject-registry/registry_metrics.h"
#include "services/subject-registry/registry_name.h"

namespace jianguan::subject {
namespace {

constexpr size_t kUsccLength = 18;
// A chunk read again after a concurrent write to one of its subjects; more conflicts than
// this in a row mean something else is wrong, and the tick reports it.
constexpr int kMaxAttempts = 5;
// Marker of the one-time backfill of the listing-day index.
constexpr char kBackfillKey[] = "backfill/listing-index";
// Subjects whose status is ABNORMAL_OPERATION, in the status index (subject_store.h).
constexpr int kBackfillPage = 1000;

std::string DayText(const common::v1::Date& d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

std::string CountsText(const std::map<std::string, int64_t>& counts) {
  std::string text;
  for (const auto& [outcome, n] : counts) {
    absl::StrAppend(&text, text.empty() ? "" : " ", outcome, "=", n);
  }
  return text;
}

// The run a rule is due for on `today`, if any: its id and report year.
struct DueRun {
  std::string id;
  int report_year = 0;
};

std::optional<DueRun> DueFor(v1::ClockRule rule, absl::CivilDay today) {
  if (rule == v1::CLOCK_RULE_ANNUAL_REPORT_LISTING) {
    const std::optional<int> year = DueReportYear(today);
    if (!year) return std::nullopt;
    return DueRun{.id = absl::StrFormat("%04d", *year), .report_year = *year};
  }
  return DueRun{.id = DayText(DateOf(today))};
}

// The listing day of an index key "l/<yyyymmdd>/<uscc>".
std::optional<absl::CivilDay> ListingDayOfKey(std::string_view key) {
  const size_t prefix = sizeof(kListingIndexPrefix) - 1;
  if (key.size() < prefix + 9 + kUsccLength) return std::nullopt;
  int y = 0, m = 0, d = 0;
  if (!absl::SimpleAtoi(AbslView(key.substr(prefix, 4)), &y) ||
      !absl::SimpleAtoi(AbslView(key.substr(prefix + 4, 2)), &m) ||
      !absl::SimpleAtoi(AbslView(key.substr(prefix + 6, 2)), &d)) {
    return std::nullopt;
  }
  return absl::CivilDay(y, m, d);
}

}  // namespace

std::string ClockRuleLabel(v1::ClockRule rule) {
  std::string name = v1::ClockRule_Name(rule);
  constexpr std::string_view kPrefix = "CLOCK_RULE_";
  if (name.rfind(kPrefix, 0) == 0) name = name.substr(kPrefix.size());
  return absl::AsciiStrToLower(name);
}

// The rule's latest run as stored (or about to be started), and the bytes it was read as.
struct ClockBatches::Head {
  std::string label;
  v1::ClockRun run;
  std::optional<std::string> bytes;  // nullopt: no run of the rule is stored yet
};

// One chunk decided: everything it commits, and what it counted.
struct ClockBatches::Chunk {
  store::UnitOfWork work;
  std::map<std::string, int64_t> counts;
  int64_t examined = 0;
  std::string cursor;  // the last key examined; empty when none was
  bool last = false;   // nothing after it is due: the run completes with it
};

ClockBatches::ClockBatches(store::Store& store, const SubjectRules& rules, const Clock& clock,
                           RegistryMetrics* metrics, ClockBatchOptions options)
    : store_(store),
      subjects_(store, rules),
      clock_(clock),
      metrics_(metrics),
      options_(options),
      emitter_(topics::kSubject, kServiceName, clock),
      writes_(store, clock) {}

ClockBatches::~ClockBatches() { Stop(); }

void ClockBatches::Start() {
  thread_ = std::thread([this] {
    do {
      if (absl::Status status = RunDue(); !status.ok()) {
        LogWarning("clock batch failed; taken up again at the next tick",
                   {{"reason", status.message()}});
      }
    } while (!stop_.WaitForNotificationWithTimeout(options_.every));
  });
}

void ClockBatches::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

absl::Status ClockBatches::BackfillListingIndex() {
  ASSIGN_OR_RETURN(auto done, store_.Get(kClockRunsFamily, kBackfillKey));
  if (done) return absl::OkStatus();
  const std::string prefix =
      SubjectStore::StatusIndexKey(v1::SUBJECT_STATUS_ABNORMAL_OPERATION, "");
  std::string token;
  int64_t indexed = 0;
  do {
    ASSIGN_OR_RETURN(store::Page page, store_.Scan(kIndexFamily, prefix, kBackfillPage, token));
    std::vector<std::string_view> usccs;
    for (const store::Entry& entry : page.entries) {
      if (entry.key.size() >= kUsccLength) {
        usccs.push_back(std::string_view(entry.key).substr(entry.key.size() - kUsccLength));
      }
    }
    ASSIGN_OR_RETURN(auto found, subjects_.FindMany(usccs));
    store::UnitOfWork work;
    for (const auto& stored : found) {
      if (!stored) continue;
      if (auto day = AbnormalListingDay(stored->subject)) {
        // Index values are empty; writing an entry that exists changes nothing, so a
        // backfill cut short by a crash is simply done again.
        work.Put(kIndexFamily, SubjectStore::ListingIndexKey(*day, stored->subject.uscc()), "");
        ++indexed;
      }
    }
    if (!work.empty()) RETURN_IF_ERROR(store_.Commit(work));
    token = page.next_page_token;
  } while (!token.empty());
  store::UnitOfWork marker;
  marker.Put(kClockRunsFamily, kBackfillKey, absl::FormatTime(absl::RFC3339_full, clock_.Now(),
                                                              absl::UTCTimeZone()));
  RETURN_IF_ERROR(store_.Commit(marker));
  LogInfo("listing-day index of abnormal subjects backfilled", {{"subjects", indexed}});
  return absl::OkStatus();
}

absl::Status ClockBatches::RunDue(int max_chunks) {
  const absl::CivilDay today = absl::ToCivilDay(clock_.Now(), BeijingTime());
  int budget = max_chunks;
  for (v1::ClockRule rule :
       {v1::CLOCK_RULE_ANNUAL_REPORT_LISTING, v1::CLOCK_RULE_ABNORMAL_LIST_EXPIRY}) {
    if (stop_.HasBeenNotified() || budget == 0) break;
    RETURN_IF_ERROR(RunRule(rule, today, budget));
  }
  return absl::OkStatus();
}

absl::Status ClockBatches::RunRule(v1::ClockRule rule, absl::CivilDay today, int& budget) {
  Head head{.label = ClockRuleLabel(rule)};
  ASSIGN_OR_RETURN(head.bytes, store_.Get(kClockRunsFamily, head.label));
  if (head.bytes && !head.run.ParseFromString(*head.bytes)) {
    return absl::DataLossError(absl::StrCat("clock run ", head.label, " does not parse"));
  }
  if (head.bytes && !head.run.completed()) {
    // Left by an earlier process (or a stop): finished first, as of its own day.
    const std::string taken = absl::StrCat(head.label, "/", head.run.run_id());
    if (!taken_.contains(taken)) {
      v1::ClockRun resumed = head.run;
      resumed.set_resumed(resumed.resumed() + 1);
      store::UnitOfWork work;
      work.Require(kClockRunsFamily, head.label, head.bytes);
      std::string bytes = resumed.SerializeAsString();
      work.Put(kClockRunsFamily, head.label, bytes);
      RETURN_IF_ERROR(store_.Commit(work));
      head.run = std::move(resumed);
      head.bytes = std::move(bytes);
      taken_.insert(taken);
      if (metrics_ != nullptr) metrics_->CountClockBatchResumed(head.label);
      LogInfo("clock batch resumed", {{"rule", head.label},
                                      {"run", head.run.run_id()},
                                      {"examined", head.run.examined()},
                                      {"resumed", head.run.resumed()}});
    }
    ASSIGN_OR_RETURN(const bool completed, Continue(head, budget));
    if (!completed) return absl::OkStatus();
  }
  const std::optional<DueRun> due = DueFor(rule, today);
  // Runs of a rule start in rising order of their ids; one not newer than the last was run.
  if (!due || (head.bytes && due->id <= head.run.run_id())) return absl::OkStatus();
  v1::ClockRun run;
  run.set_rule(rule);
  run.set_run_id(due->id);
  *run.mutable_as_of() = DateOf(today);
  run.set_report_year(due->report_year);
  *run.mutable_start_time() = ToTimestamp(clock_.Now());
  head.run = std::move(run);  // head.bytes stays the previous run's: the first chunk's condition
  taken_.insert(absl::StrCat(head.label, "/", due->id));
  LogInfo("clock batch started", {{"rule", head.label}, {"run", due->id}});
  return Continue(head, budget).status();
}

absl::StatusOr<bool> ClockBatches::Continue(Head& head, int& budget) {
  while (!head.run.completed()) {
    if (stop_.HasBeenNotified() || budget == 0) return false;
    RETURN_IF_ERROR(CommitChunk(head));
    if (budget > 0) --budget;
  }
  return true;
}

absl::Status ClockBatches::CommitChunk(Head& head) {
  for (int attempt = 1;; ++attempt) {
    const absl::Time now = clock_.Now();
    ASSIGN_OR_RETURN(Chunk chunk, head.run.rule() == v1::CLOCK_RULE_ANNUAL_REPORT_LISTING
                                      ? ListingChunk(head.run, now)
                                      : ExpiryChunk(head.run, now));
    v1::ClockRun after = head.run;
    if (!chunk.cursor.empty()) after.set_cursor(chunk.cursor);
    after.set_examined(after.examined() + chunk.examined);
    for (const auto& [outcome, n] : chunk.counts) (*after.mutable_counts())[outcome] += n;
    after.set_chunks(after.chunks() + 1);
    const std::string resource =
        absl::StrCat("clock/", head.label, "/", DayText(head.run.as_of()));
    if (chunk.last) {
      after.set_completed(true);
      *after.mutable_complete_time() = ToTimestamp(now);
      v1::ClockBatchCompleted completed;
      completed.set_rule(after.rule());
      *completed.mutable_as_of() = after.as_of();
      completed.set_report_year(after.report_year());
      completed.set_examined(after.examined());
      completed.mutable_counts()->insert(after.counts().begin(), after.counts().end());
      completed.set_resumed(after.resumed());
      // Not about one subject: keyed by the run, and no subject's timeline shows it.
      Emit(chunk.work, resource, completed, now, /*on_timeline=*/false);
      chunk.work.Put(kClockRunsFamily, absl::StrCat(head.label, "/", after.run_id()),
                     after.SerializeAsString());
    }
    std::string bytes = after.SerializeAsString();
    chunk.work.Require(kClockRunsFamily, head.label, head.bytes);
    chunk.work.Put(kClockRunsFamily, head.label, bytes);
    // The audit record of the chunk: the registry itself decided, continuing from the run
    // as it stood (its digest); the subjects' own records name what changed.
    const absl::Status committed = writes_.CommitImport(
        chunk.work,
        {.caller = Caller{.system = absl::StrCat(kServiceName, "/clock")},
         .method = absl::StrCat("clock/", head.label),
         .resource = resource},
        MessageDigest(head.run));
    if (!committed.ok()) {
      if (absl::IsFailedPrecondition(committed) && attempt < kMaxAttempts) continue;
      return committed;
    }
    head.run = std::move(after);
    head.bytes = std::move(bytes);
    if (metrics_ != nullptr) {
      metrics_->CountClockSubjects(head.label, chunk.counts);
      if (chunk.last) {
        metrics_->ClockBatchCompleted(head.label,
                                      absl::FDivDuration(now - absl::UnixEpoch(), absl::Seconds(1)));
      }
    }
    LogInfo("clock chunk committed", {{"rule", head.label},
                                      {"run", head.run.run_id()},
                                      {"chunk", head.run.chunks()},
                                      {"examined", chunk.examined},
                                      {"counts", CountsText(chunk.counts)}});
    if (chunk.last) {
      LogInfo("clock batch completed", {{"rule", head.label},
                                        {"run", head.run.run_id()},
                                        {"examined", head.run.examined()},
                                        {"counts", CountsText(std::map<std::string, int64_t>(
                                                       head.run.counts().begin(),
                                                       head.run.counts().end()))},
                                        {"resumed", head.run.resumed()}});
    }
    return absl::OkStatus();
  }
}

void ClockBatches::Emit(store::UnitOfWork& work, const std::string& key,
                        const google::protobuf::Message& event, absl::Time now,
                        bool on_timeline) const {
  emitter_.Emit(work, key, event, now);
  if (on_timeline) SubjectStore::AddOwnEvent(work, key, work.events().back(), event, now);
}

absl::StatusOr<ClockBatches::Chunk> ClockBatches::ListingChunk(const v1::ClockRun& run,
                                                               absl::Time now) const {
  const std::string token = run.cursor().empty() ? "" : store::Store::PageTokenAfter(run.cursor());
  ASSIGN_OR_RETURN(store::Page page,
                   store_.Scan(kSubjectsFamily, "", options_.batch_size, token));
  std::vector<StoredSubject> stored(page.entries.size());
  std::vector<std::string_view> usccs;
  usccs.reserve(page.entries.size());
  for (size_t i = 0; i < page.entries.size(); ++i) {
    if (!stored[i].subject.ParseFromString(page.entries[i].value)) {
      return absl::DataLossError(
          absl::StrCat("stored subject does not parse: ", page.entries[i].key));
    }
    stored[i].bytes = std::move(page.entries[i].value);
    usccs.push_back(page.entries[i].key);
  }
  ASSIGN_OR_RETURN(const std::vector<bool> on_file,
                   subjects_.ReportsOnFile(usccs, run.report_year()));
  Chunk chunk;
  const absl::CivilDay as_of = DayOf(run.as_of());
  for (size_t i = 0; i < stored.size(); ++i) {
    ClockDecision decision =
        DecideAnnualReportListing(stored[i].subject, run.report_year(), on_file[i], as_of, now);
    ++chunk.counts[std::string(decision.outcome)];
    if (decision.after) {
      subjects_.Save(chunk.work, &stored[i], *decision.after);
      Emit(chunk.work, decision.after->uscc(), std::get<v1::SubjectStatusChanged>(decision.event),
           now, /*on_timeline=*/true);
    }
  }
  chunk.examined = static_cast<int64_t>(page.entries.size());
  if (!page.entries.empty()) chunk.cursor = page.entries.back().key;
  chunk.last = page.next_page_token.empty();
  return chunk;
}

absl::StatusOr<ClockBatches::Chunk> ClockBatches::ExpiryChunk(const v1::ClockRun& run,
                                                              absl::Time now) const {
  const absl::CivilDay as_of = DayOf(run.as_of());
  // Listings after this day cannot be due yet: the scan ends there.
  const absl::CivilDay latest = LatestDueListingDay(as_of);
  const std::string token = run.cursor().empty() ? "" : store::Store::PageTokenAfter(run.cursor());
  ASSIGN_OR_RETURN(store::Page page,
                   store_.Scan(kIndexFamily, kListingIndexPrefix, options_.batch_size, token));
  Chunk chunk;
  chunk.last = page.next_page_token.empty();
  std::vector<std::string> keys;
  for (store::Entry& entry : page.entries) {
    const std::optional<absl::CivilDay> day = ListingDayOfKey(entry.key);
    if (day && *day > latest) {
      chunk.last = true;
      break;
    }
    keys.push_back(std::move(entry.key));
  }
  std::vector<std::string_view> usccs;
  for (const std::string& key : keys) {
    usccs.push_back(key.size() >= kUsccLength
                        ? std::string_view(key).substr(key.size() - kUsccLength)
                        : std::string_view(key));
  }
  ASSIGN_OR_RETURN(auto found, subjects_.FindMany(usccs));
  for (auto& stored : found) {
    if (!stored) {  // an index entry whose subject is gone cannot be on the list
      ++chunk.counts[std::string(clock_outcome::kNotAbnormal)];
      continue;
    }
    ClockDecision decision = DecideAbnormalListExpiry(stored->subject, as_of, now);
    ++chunk.counts[std::string(decision.outcome)];
    if (!decision.after) continue;
    subjects_.Save(chunk.work, &*stored, *decision.after);
    std::visit(
        [&](const auto& event) {
          if constexpr (!std::is_same_v<std::decay_t<decltype(event)>, std::monostate>) {
            Emit(chunk.work, decision.after->uscc(), event, now, /*on_timeline=*/true);
          }
        },
        decision.event);
  }
  chunk.examined = static_cast<int64_t>(keys.size());
  if (!keys.empty()) chunk.cursor = keys.back();
  return chunk;
}

}  // namespace jianguan::subject
