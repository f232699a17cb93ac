#include "services/subject-registry/subject_store.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "services/subject-registry/domain/clock_rules.h"
#include "services/subject-registry/notification_store.h"
#include "services/subject-registry/registry_name.h"

namespace jianguan::subject {
namespace {

constexpr size_t kUsccLength = 18;

bool Matches(const v1::Subject& s, const ListFilter& f) {
  return (f.name_prefix.empty() || s.name().starts_with(f.name_prefix)) &&
         (f.region_prefix.empty() || s.registration_region().code().starts_with(f.region_prefix)) &&
         (f.type == v1::SUBJECT_TYPE_UNSPECIFIED || s.type() == f.type) &&
         (f.status == v1::SUBJECT_STATUS_UNSPECIFIED || s.status() == f.status) &&
         (f.tag.empty() ||
          std::find(s.tags().begin(), s.tags().end(), f.tag) != s.tags().end());
}

}  // namespace

std::vector<std::string> SubjectStore::Families() {
  std::vector<std::string> families = {kSubjectsFamily, kIndexFamily, kTimelineFamily,
                                       kAnnualReportsFamily, kClockRunsFamily};
  for (std::string& family : NotificationStore::Families()) families.push_back(std::move(family));
  return families;
}

absl::StatusOr<std::optional<StoredSubject>> SubjectStore::Find(std::string_view uscc) const {
  ASSIGN_OR_RETURN(auto raw, store_.Get(kSubjectsFamily, uscc));
  if (!raw) return std::optional<StoredSubject>();
  StoredSubject stored;
  if (!stored.subject.ParseFromString(*raw)) {
    return absl::DataLossError(absl::StrCat("stored subject does not parse: ", AbslView(uscc)));
  }
  stored.bytes = std::move(*raw);
  return std::optional<StoredSubject>(std::move(stored));
}

absl::StatusOr<std::vector<std::optional<StoredSubject>>> SubjectStore::FindMany(
    const std::vector<std::string_view>& usccs) const {
  ASSIGN_OR_RETURN(auto raw, store_.MultiGet(kSubjectsFamily, usccs));
  std::vector<std::optional<StoredSubject>> found(usccs.size());
  for (size_t i = 0; i < usccs.size(); ++i) {
    if (!raw[i]) continue;
    StoredSubject& stored = found[i].emplace();
    if (!stored.subject.ParseFromString(*raw[i])) {
      return absl::DataLossError(absl::StrCat("stored subject does not parse: ", AbslView(usccs[i])));
    }
    stored.bytes = std::move(*raw[i]);
  }
  return found;
}

std::vector<std::string> SubjectStore::IndexKeys(const v1::Subject& s) const {
  const std::string& u = s.uscc();
  std::vector<std::string> keys = {
      absl::StrCat("n/", s.name(), "/", u),
      absl::StrCat("r/", s.registration_region().code(), "/", u),
      absl::StrCat("i/", rules_.IndustrySection(s.industry().code()),
                   s.industry().code().size() > 1 ? s.industry().code() : "", "/", u)};
  if (StatusIndexed(s.status())) keys.push_back(StatusIndexKey(s.status(), u));
  for (const auto& tag : s.tags()) keys.push_back(absl::StrCat("g/", tag, "/", u));
  // The daily expiry run scans only the listings old enough to be due (clock_batches.h).
  if (std::optional<absl::CivilDay> listed_on = AbnormalListingDay(s)) {
    keys.push_back(ListingIndexKey(*listed_on, u));
  }
  return keys;
}

void SubjectStore::Save(store::UnitOfWork& work, const StoredSubject* before,
                        const v1::Subject& after) const {
  work.Require(kSubjectsFamily, after.uscc(),
               before ? std::optional<std::string>(before->bytes) : std::nullopt);
  std::vector<std::string> new_keys = IndexKeys(after);
  if (before) {
    for (std::string& old_key : IndexKeys(before->subject)) {
      if (std::find(new_keys.begin(), new_keys.end(), old_key) == new_keys.end()) {
        work.Delete(kIndexFamily, std::move(old_key));
      }
    }
    // Stores written before normal subjects went unindexed hold an entry for them: it goes
    // when the subject leaves that status (nothing reads it meanwhile).
    if (before->subject.status() != after.status() && !StatusIndexed(before->subject.status())) {
      work.Delete(kIndexFamily, StatusIndexKey(before->subject.status(), after.uscc()));
    }
  }
  for (std::string& key : new_keys) work.Put(kIndexFamily, std::move(key), "");
  work.Put(kSubjectsFamily, after.uscc(), after.SerializeAsString());
}

void SubjectStore::AddTimelineEntry(store::UnitOfWork& work, std::string_view uscc,
                                    const v1::TimelineEntry& entry, absl::Time time) {
  // Newest first: the key holds the time counted down from the largest value.
  const uint64_t nanos = static_cast<uint64_t>(std::max<int64_t>(0, absl::ToUnixNanos(time)));
  const uint64_t inverted = std::numeric_limits<uint64_t>::max() - nanos;
  work.Put(kTimelineFamily,
           absl::StrFormat("%s/%016x/%s", AbslView(uscc), inverted, entry.event_id()),
           entry.SerializeAsString());
}

void SubjectStore::AddOwnEvent(store::UnitOfWork& work, std::string_view uscc,
                               const common::v1::OutboxEvent& queued,
                               const google::protobuf::Message& event, absl::Time time) {
  v1::TimelineEntry entry;
  entry.set_event_id(queued.id());
  entry.set_type(queued.type());
  *entry.mutable_time() = queued.time();
  entry.set_source(kServiceName);
  entry.set_topic(queued.topic());
  entry.set_summary(SummarizeEvent(event, kServiceName));
  AddTimelineEntry(work, uscc, entry, time);
}

absl::StatusOr<SubjectPage> SubjectStore::List(const ListFilter& filter, int page_size,
                                               std::string_view page_token,
                                               int examine_limit) const {
  // The most selective index the filter allows; the other filters are checked per subject.
  std::string family = kIndexFamily, prefix;
  if (!filter.name_prefix.empty()) {
    prefix = absl::StrCat("n/", filter.name_prefix);
  } else if (!filter.tag.empty()) {
    prefix = absl::StrCat("g/", filter.tag, "/");
  } else if (!filter.industry_prefix.empty()) {
    const std::string& code = filter.industry_prefix;
    const std::string section = rules_.IndustrySection(code);
    if (section.empty()) return SubjectPage{};  // no subject can have an unknown industry
    prefix = absl::StrCat("i/", section, code[0] >= 'A' ? code.substr(1) : code);
  } else if (!filter.region_prefix.empty()) {
    prefix = absl::StrCat("r/", filter.region_prefix);
  } else if (filter.status != v1::SUBJECT_STATUS_UNSPECIFIED && StatusIndexed(filter.status)) {
    prefix = StatusIndexKey(filter.status, "");
  } else {
    family = kSubjectsFamily;
  }
  const bool by_index = family == kIndexFamily;
  // The industry filter is the index itself when chosen; otherwise it is checked here.
  const std::string industry_section = rules_.IndustrySection(filter.industry_prefix);

  SubjectPage page;
  std::string token(page_token);
  int examined = 0;
  // Each scan asks for no more entries than are still wanted, so a page ends exactly after
  // the last entry it looked at and the scan's own token continues from there.
  while (static_cast<int>(page.subjects.size()) < page_size && examined < examine_limit) {
    const int want = std::min(page_size - static_cast<int>(page.subjects.size()),
                              examine_limit - examined);
    ASSIGN_OR_RETURN(store::Page scanned, store_.Scan(family, prefix, want, token));
    examined += static_cast<int>(scanned.entries.size());
    for (const store::Entry& entry : scanned.entries) {
      v1::Subject subject;
      if (by_index) {
        if (entry.key.size() < kUsccLength) continue;
        ASSIGN_OR_RETURN(auto stored, Find(std::string_view(entry.key).substr(entry.key.size() - kUsccLength)));
        if (!stored) continue;  // an index entry of a subject being written
        subject = std::move(stored->subject);
      } else if (!subject.ParseFromString(entry.value)) {
        return absl::DataLossError(absl::StrCat("stored subject does not parse: ", entry.key));
      }
      if (!Matches(subject, filter)) continue;
      if (!filter.industry_prefix.empty() &&
          (rules_.IndustrySection(subject.industry().code()) != industry_section ||
           !(filter.industry_prefix[0] >= 'A' || subject.industry().code().starts_with(filter.industry_prefix)))) {
        continue;
      }
      page.subjects.push_back(std::move(subject));
    }
    token = scanned.next_page_token;
    if (token.empty()) break;
  }
  page.next_page_token = token;
  return page;
}

absl::StatusOr<std::pair<std::vector<v1::TimelineEntry>, std::string>> SubjectStore::Timeline(
    std::string_view uscc, int page_size, std::string_view page_token) const {
  ASSIGN_OR_RETURN(store::Page scanned,
                   store_.Scan(kTimelineFamily, absl::StrCat(AbslView(uscc), "/"), page_size, page_token));
  std::vector<v1::TimelineEntry> entries;
  for (const auto& e : scanned.entries) {
    v1::TimelineEntry entry;
    if (!entry.ParseFromString(e.value)) return absl::DataLossError("timeline entry does not parse");
    entries.push_back(std::move(entry));
  }
  return std::make_pair(std::move(entries), std::move(scanned.next_page_token));
}

std::string SubjectStore::ReportKey(std::string_view uscc, int year) {
  return absl::StrFormat("%s/%04d", AbslView(uscc), year);
}

std::string SubjectStore::StatusIndexKey(v1::SubjectStatus status, std::string_view uscc) {
  return absl::StrCat("s/", static_cast<int>(status), "/", AbslView(uscc));
}

std::string SubjectStore::ListingIndexKey(absl::CivilDay listed_on, std::string_view uscc) {
  return absl::StrFormat("%s%04d%02d%02d/%s", kListingIndexPrefix, listed_on.year(),
                         listed_on.month(), listed_on.day(), AbslView(uscc));
}

absl::StatusOr<std::optional<v1::AnnualReport>> SubjectStore::FindReport(std::string_view uscc,
                                                                         int year) const {
  return store_.GetMessage<v1::AnnualReport>(kAnnualReportsFamily, ReportKey(uscc, year));
}

absl::StatusOr<std::vector<bool>> SubjectStore::ReportsOnFile(
    const std::vector<std::string_view>& usccs, int year) const {
  std::vector<std::string> keys;
  keys.reserve(usccs.size());
  for (std::string_view uscc : usccs) keys.push_back(ReportKey(uscc, year));
  ASSIGN_OR_RETURN(auto found,
                   store_.MultiGet(kAnnualReportsFamily,
                                   std::vector<std::string_view>(keys.begin(), keys.end())));
  std::vector<bool> on_file(found.size());
  for (size_t i = 0; i < found.size(); ++i) on_file[i] = found[i].has_value();
  return on_file;
}

void SubjectStore::SaveReport(store::UnitOfWork& work, std::string_view uscc,
                              const v1::AnnualReport& report) {
  const std::string key = ReportKey(uscc, report.year());
  work.Require(kAnnualReportsFamily, key, std::nullopt);
  work.Put(kAnnualReportsFamily, key, report.SerializeAsString());
}

absl::StatusOr<bool> SubjectStore::Empty() const {
  ASSIGN_OR_RETURN(store::Page page, store_.Scan(kSubjectsFamily, "", 1, ""));
  return page.entries.empty();
}

}  // namespace jianguan::subject
