// The registry's domain rules (DESIGN §3 "domain"): what a valid subject, licence and
// commitment are, the status state machine, how an ID number is masked, and what goes into
// an event. Plain C++ over the contract's messages: no gRPC, Kafka or RocksDB in here.
//
//   SubjectRules rules(regions, industries);
//   FieldViolations violations;
//   rules.CheckSubject(violations, "subject", request.subject(), today);
//   RETURN_IF_ERROR(violations.ToStatus());
//
// Thread-safe: the rules only read the code tables they were given.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "jianguan/subject/v1/events.pb.h"
#include "jianguan/subject/v1/subject.pb.h"
#include "libs/core/caller.h"
#include "libs/core/code_table.h"
#include "libs/core/field_violations.h"

namespace jianguan::subject {

/// Bounds of the contract (subject.proto); every one is checked on input.
struct SubjectLimits {
  static constexpr size_t kName = 100;
  static constexpr size_t kPersonName = 50;
  static constexpr size_t kIdNumber = 32;
  static constexpr size_t kAddressDetail = 200;
  static constexpr size_t kBusinessScope = 4000;
  static constexpr size_t kLicenceKind = 100;
  static constexpr size_t kLicenceNumber = 64;
  static constexpr size_t kDepartmentCode = 64;
  static constexpr size_t kLicenceItem = 200;
  static constexpr size_t kCommitmentContent = 2000;
  static constexpr size_t kNote = 500;
  static constexpr int kLicences = 200;
  static constexpr int kTags = 32;
  static constexpr int kCommitments = 500;
  static constexpr int kStatusHistory = 1000;
  static constexpr size_t kRecordBytes = 1 << 20;
};

/// The subject rules over the GB/T 2260 and GB/T 4754 tables.
class SubjectRules {
 public:
  /// Both tables must outlive the rules.
  SubjectRules(const CodeTable& regions, const CodeTable& industries)
      : regions_(regions), industries_(industries) {}

  /// Adds a violation (under `prefix`, e.g. "subject" or "rows[3].subject") for every bad
  /// field of a subject as a client sends it; output-only fields are not looked at.
  /// `today` is the Beijing date (establishment may not be in the future).
  void CheckSubject(FieldViolations& v, std::string_view prefix, const v1::Subject& subject,
                    absl::CivilDay today) const;

  /// As CheckSubject, only for the fields named by `paths` (UpdateSubject's mask); also
  /// names every path that is not updatable.
  void CheckUpdate(FieldViolations& v, const v1::Subject& subject,
                   const std::vector<std::string>& paths, absl::CivilDay today) const;

  /// A licence as GrantLicence receives it.
  void CheckLicence(FieldViolations& v, std::string_view prefix, const v1::Licence& l) const;

  /// A commitment as RecordCommitment receives it (id and state are assigned, not read).
  void CheckCommitment(FieldViolations& v, std::string_view prefix,
                       const v1::Commitment& c) const;

  /// The industry's section letter (门类) for a code or a digit prefix of one, e.g.
  /// "6513" → "I", "65" → "I"; empty when unknown. Used to key the industry index.
  std::string IndustrySection(std::string_view code) const;

 private:
  void CheckField(FieldViolations& v, std::string_view prefix, std::string_view path,
                  const v1::Subject& s, absl::CivilDay today) const;
  const CodeTable& regions_;
  const CodeTable& industries_;
};

/// The fields UpdateSubject may change.
const std::vector<std::string>& UpdatableFields();

/// The subject as it is stored after registration: output-only fields reset, status
/// NORMAL, version 1, licences as given.
v1::Subject NewSubject(const v1::Subject& input, absl::Time now);

/// Copies the fields of `paths` from `from` into `into`; returns the paths whose values
/// actually differed.
std::vector<std::string> ApplyUpdate(const v1::Subject& from, const std::vector<std::string>& paths,
                                     v1::Subject& into);

/// True when an import row would change nothing: the registered data (everything a client
/// sends) equals the stored subject's.
bool SameRegisteredData(const v1::Subject& input, const v1::Subject& stored);

/// The ID-number masking rule: the first character and the last four stay, every other
/// character becomes '*' (same length); numbers of five characters or fewer are masked
/// whole. "330702199001011234" → "3*************1234".
std::string MaskIdNumber(std::string_view id_number);

/// Masks the legal representative's ID number in place (and says so in id_number_masked).
void MaskPersonalData(v1::Subject& subject);

/// Whether `caller` reads ID numbers unmasked: only with the registry-admin role, on top of
/// its department (《个人信息保护法》第五十一条: access to personal information is limited to
/// those whose work needs it). The profile, events and logs never carry it unmasked.
bool MayReadIdNumbers(const Caller& caller);

/// `subject` as `caller` may read it: masked (MaskPersonalData) unless MayReadIdNumbers.
v1::Subject ForCaller(v1::Subject subject, const Caller& caller);

/// A masked ID number sent back to UpdateSubject as it was read stands for the stored one:
/// true when `input` carries no masked number (nothing to do) or carries exactly the mask of
/// `stored`'s number (then restored into `input`); false for any other number with '*'
/// (including when nothing is stored).
bool RestoreMaskedIdNumber(v1::Subject& input, const v1::Subject* stored);

/// Whether `input` carries an ID number with '*' (one read masked).
bool HasMaskedIdNumber(const v1::Subject& input);

/// A natural person's name as events carry it: "赵**" for "赵一鸣" (the first character, then
/// one '*' per further character; cases masks a citizen party's name the same way).
std::string MaskPersonName(std::string_view name);

/// The subject as events carry it: no ID number, the legal representative's name masked
/// (MaskPersonName), no status history, no commitments.
v1::Subject PublicView(const v1::Subject& subject);

/// What downstream services need (sampling: type, industry, region, tags, status).
v1::SubjectFacts FactsOf(const v1::Subject& subject);

// The status state machine (经营异常名录 / 严重违法失信名单 / 吊销 / 注销 / 迁出):
//   NORMAL ──LIST_ABNORMAL(reason)──▶ ABNORMAL_OPERATION ──REMOVE_ABNORMAL(same reason)──▶ NORMAL
//   NORMAL | ABNORMAL ──LIST_SERIOUS_VIOLATION──▶ SERIOUS_VIOLATION
//       (《市场监督管理严重违法失信名单管理办法》; still abnormal after 3 years, DESIGN §7)
//   SERIOUS_VIOLATION ──REMOVE_SERIOUS_VIOLATION──▶ NORMAL
//   NORMAL | ABNORMAL | SERIOUS ──REVOKE──▶ REVOKED
//   any but DEREGISTERED and MOVED_OUT ──DEREGISTER──▶ DEREGISTERED (a revoked subject is
//       still deregistered afterwards); NORMAL | ABNORMAL ──MOVE_OUT──▶ MOVED_OUT
// DEREGISTERED and MOVED_OUT are final.
/// The status after `action`, or FAILED_PRECONDITION on `resource` naming why not.
absl::StatusOr<v1::SubjectStatus> NextStatus(std::string_view resource,
                                             const v1::Subject& subject, v1::StatusAction action,
                                             v1::AbnormalReason reason);

/// A one-line summary (摘要) of an event for the profile, from its type and, for the
/// registry's own events, its payload. Never contains the ID number.
std::string SummarizeEvent(std::string_view type, std::string_view payload,
                           std::string_view source);
/// The same summary from the event message itself, without serializing and parsing it.
std::string SummarizeEvent(const google::protobuf::Message& event, std::string_view source);

}  // namespace jianguan::subject
