// The candidate index: what approval's freeze reads of every projected subject (status,
// type, industry, business region, tags, credit grade, risk level), in memory, in USCC
// order. A province's freeze used to scan the projection family and parse every subject's
// facts (1.7 RocksDB rows and one protobuf message a subject: 12 of the 17 s of a
// 10-million-subject freeze, BENCHMARKS.md); it now walks this index.
//
// How it stays equal to the projection: it follows the projection family's commits
// (store::Store::Follow: every write, in the store's order, under the store's commit lock)
// and loads what the family held before by one scan when it is opened. Nothing is stored
// twice: a restart loads it again from the projection (about 0.5 s a million subjects).
// Memory: about 40 bytes a subject (a 12-byte packed USCC and a 24-byte entry in a B-tree),
// 400 MB for 10 million; fields too long for the entry (not produced by the registry, which
// validates codes) are kept beside it in full.
//
//   CandidateIndex index(store);            // follows, then loads
//   RETURN_IF_ERROR(index.ForEach([&](const IndexedSubject& subject) { ...; return true; }));
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "absl/status/status.h"
#include "libs/store/store.h"
#include "services/sampling/domain/candidate_projection.h"
#include "services/sampling/domain/plan_rules.h"
#include "services/sampling/domain/sampling_plan.h"

namespace jianguan::sampling {

/// One subject as the freeze reads it; the views live while ForEach's visit runs.
struct IndexedSubject {
  PackedUscc uscc;
  SubjectFacets facets;
  CreditGrade grade = CreditGrade::kB;
  RiskLevel risk = RiskLevel::kGeneral;
};

class CandidateIndex {
 public:
  /// Follows `store`'s projection family, then loads it. A failure (an unknown family, a row
  /// that does not parse) is kept and returned by ForEach, so that a freeze fails loudly
  /// instead of drawing from a partial list.
  explicit CandidateIndex(store::Store& store);
  ~CandidateIndex();
  CandidateIndex(const CandidateIndex&) = delete;
  CandidateIndex& operator=(const CandidateIndex&) = delete;

  /// Calls `visit` for every subject with facts, in USCC order, until it returns false; the
  /// projection's commits wait until it returns. The error kept from opening or following,
  /// if any.
  absl::Status ForEach(const std::function<bool(const IndexedSubject&)>& visit) const;
  /// Subjects with facts.
  size_t size() const;

 private:
  struct Index;  // the entries and their lock (candidate_index.cc)
  void Load();

  store::Store& store_;
  std::unique_ptr<Index> index_;
  uint64_t follower_ = 0;
};

}  // namespace jianguan::sampling
