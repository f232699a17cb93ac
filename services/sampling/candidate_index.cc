#include "services/sampling/candidate_index.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "jianguan/sampling/v1/records.pb.h"
#include "libs/core/log.h"
#include "libs/core/string_view_compat.h"
#include "services/sampling/projection.h"

namespace jianguan::sampling {
namespace {

constexpr size_t kUsccLength = 18;

// A class byte as the projection's scan reads it: 0–3, anything else the default.
template <typename Class>
uint8_t ClassByte(std::optional<std::string_view> value, Class fallback) {
  if (!value || value->empty()) return static_cast<uint8_t>(fallback);
  const auto byte = static_cast<uint8_t>((*value)[0]);
  return byte <= 3 ? byte : static_cast<uint8_t>(fallback);
}

// Copies `text` into `out` when it fits.
template <size_t N>
bool Fit(std::string_view text, char (&out)[N], uint8_t& size) {
  if (text.size() > N) return false;
  std::memcpy(out, text.data(), text.size());
  size = static_cast<uint8_t>(text.size());
  return true;
}

bool FitsByte(int value) { return value >= 0 && value <= 255; }

}  // namespace

// The entries, in USCC order, and what they point at.
struct CandidateIndex::Index {
  // A subject's entry: 24 bytes.
  struct Entry {
    char region[6];
    uint8_t region_size;
    char industry[5];
    uint8_t industry_size;
    uint8_t type;
    uint8_t status;
    uint8_t grade;
    uint8_t risk;
    uint8_t flags;
    uint32_t tags;  // tag_sets index; 0 is no tag
  };
  static_assert(sizeof(Entry) == 24);
  static constexpr Entry kFreshEntry{.grade = static_cast<uint8_t>(CreditGrade::kB),
                                     .risk = static_cast<uint8_t>(RiskLevel::kGeneral)};
  static constexpr uint8_t kHasFacts = 1;
  static constexpr uint8_t kWide = 2;  // facets in `wide`
  // Facets that do not fit an Entry.
  struct WideFacets {
    int type = 0;
    int status = 0;
    std::string industry;
    std::string region;
  };

  // Applies one write of the projection family (a delete when `value` is nullopt); returns
  // the error for a key or value it cannot read. Caller holds mu exclusively.
  absl::Status Apply(std::string_view key, std::optional<std::string_view> value);
  absl::Status ApplyFacts(const PackedUscc& uscc, Entry& entry, std::string_view bytes);
  uint32_t TagSetId(const std::vector<std::string>& tags);

  mutable std::shared_mutex mu;
  absl::Status status;  // the first error
  absl::btree_map<PackedUscc, Entry> entries;
  std::map<PackedUscc, WideFacets> wide;
  std::vector<std::vector<std::string>> tag_sets{{}};  // [0] is the empty set
  absl::flat_hash_map<std::string, uint32_t> tag_set_ids;
  size_t with_facts = 0;
  v1::ProjectedSubject scratch;  // parsed into, to keep its strings' memory
};

CandidateIndex::CandidateIndex(store::Store& store)
    : store_(store), index_(std::make_unique<Index>()) {
  // Follow first, then load: a commit between the two reaches the follower, which waits
  // for the load's lock, and the load's scan, which starts after it, sees it as well.
  absl::StatusOr<uint64_t> id =
      store.Follow(kProjectionFamily, [this](std::string_view key,
                                             const std::optional<std::string>& value) {
        std::unique_lock lock(index_->mu);
        if (absl::Status applied = index_->Apply(
                key, value ? std::optional<std::string_view>(*value) : std::nullopt);
            !applied.ok() && index_->status.ok()) {
          index_->status = applied;
        }
      });
  if (!id.ok()) {
    index_->status = id.status();
    return;
  }
  follower_ = *id;
  Load();
}

CandidateIndex::~CandidateIndex() {
  if (follower_ != 0) store_.Unfollow(follower_);
}

void CandidateIndex::Load() {
  Index& index = *index_;
  std::unique_lock lock(index.mu);
  absl::Status failed;
  absl::Status scanned = store_.ForEach(
      kProjectionFamily, "", [&](std::string_view key, std::string_view value) {
        failed = index.Apply(key, value);
        return failed.ok();
      });
  if (!scanned.ok()) index.status = scanned;
  if (!failed.ok()) index.status = failed;
  if (index.status.ok()) {
    LogInfo("candidate index loaded",
            {{"subjects", static_cast<int64_t>(index.with_facts)},
             {"tag_sets", static_cast<int64_t>(index.tag_sets.size() - 1)}});
  }
}

absl::Status CandidateIndex::Index::Apply(std::string_view key, std::optional<std::string_view> value) {
  // Other keys are not the projection's rows (the scan skips them too).
  if (key.size() != kUsccLength + 1) return absl::OkStatus();
  absl::StatusOr<PackedUscc> uscc = PackUscc(key.substr(0, kUsccLength));
  if (!uscc.ok()) {
    return absl::DataLossError(
        absl::StrCat("projection key \"", AbslView(key), "\" does not hold a USCC"));
  }
  const char kind = key.back();
  if (kind != kFactsRow && kind != kGradeRow && kind != kRiskRow) return absl::OkStatus();
  if (!value && !entries.contains(*uscc)) return absl::OkStatus();
  // The load comes in key order: a subject's second and third rows find it last.
  auto it = !entries.empty() && std::prev(entries.end())->first == *uscc
                ? std::prev(entries.end())
                : entries.try_emplace(*uscc, kFreshEntry).first;
  Entry& entry = it->second;
  switch (kind) {
    case kGradeRow:
      entry.grade = ClassByte(value, CreditGrade::kB);
      break;
    case kRiskRow:
      entry.risk = ClassByte(value, RiskLevel::kGeneral);
      break;
    default:
      if (value) return ApplyFacts(*uscc, entry, *value);
      if (entry.flags & kHasFacts) --with_facts;
      entry.flags = 0;
      wide.erase(*uscc);
      break;
  }
  return absl::OkStatus();
}

absl::Status CandidateIndex::Index::ApplyFacts(const PackedUscc& uscc, Entry& entry,
                                              std::string_view bytes) {
  v1::ProjectedSubject& facts = scratch;
  if (!facts.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError(absl::StrCat("projection of ", UnpackUscc(uscc)));
  }
  if (!(entry.flags & kHasFacts)) ++with_facts;
  entry.flags = kHasFacts;
  entry.tags = facts.tags().empty()
                   ? 0
                   : TagSetId(std::vector<std::string>(facts.tags().begin(), facts.tags().end()));
  const bool fits = Fit(facts.business_region(), entry.region, entry.region_size) &&
                    Fit(facts.industry(), entry.industry, entry.industry_size) &&
                    FitsByte(facts.type()) && FitsByte(facts.status());
  if (fits) {
    entry.type = static_cast<uint8_t>(facts.type());
    entry.status = static_cast<uint8_t>(facts.status());
    wide.erase(uscc);
  } else {
    entry.flags |= kWide;
    wide[uscc] = WideFacets{.type = facts.type(),
                             .status = facts.status(),
                             .industry = facts.industry(),
                             .region = facts.business_region()};
  }
  return absl::OkStatus();
}

uint32_t CandidateIndex::Index::TagSetId(const std::vector<std::string>& tags) {
  if (tags.empty()) return 0;
  // The projection keeps tags sorted; a NUL cannot occur in a tag the registry accepted,
  // and joining with it keeps distinct sets distinct regardless.
  std::string joined = absl::StrJoin(tags, absl::string_view("\0", 1));
  auto [it, added] = tag_set_ids.try_emplace(std::move(joined), tag_sets.size());
  if (added) tag_sets.push_back(tags);
  return it->second;
}

absl::Status CandidateIndex::ForEach(
    const std::function<bool(const IndexedSubject&)>& visit) const {
  const Index& index = *index_;
  std::shared_lock lock(index.mu);
  if (!index.status.ok()) return index.status;
  IndexedSubject subject;
  for (const auto& [uscc, entry] : index.entries) {
    if (!(entry.flags & Index::kHasFacts)) continue;
    subject.uscc = uscc;
    subject.grade = static_cast<CreditGrade>(entry.grade);
    subject.risk = static_cast<RiskLevel>(entry.risk);
    subject.facets.tags = index.tag_sets[entry.tags];
    if (entry.flags & Index::kWide) {
      const Index::WideFacets& wide = index.wide.at(uscc);
      subject.facets.type = wide.type;
      subject.facets.status = wide.status;
      subject.facets.industry = wide.industry;
      subject.facets.business_region = wide.region;
    } else {
      subject.facets.type = entry.type;
      subject.facets.status = entry.status;
      subject.facets.industry = {entry.industry, entry.industry_size};
      subject.facets.business_region = {entry.region, entry.region_size};
    }
    if (!visit(subject)) break;
  }
  return absl::OkStatus();
}

size_t CandidateIndex::size() const {
  std::shared_lock lock(index_->mu);
  return index_->with_facts;
}

}  // namespace jianguan::sampling
