// The Unified Social Credit Code (统一社会信用代码) of GB 32100-2015: the 18-character
// identifier of every legal person and other organisation, and the key of a subject in
// jianguan (DESIGN §7).
//
//   absl::StatusOr<Uscc> uscc = Uscc::Parse("91330782MA2EC8CX99");
//   if (uscc.ok() && uscc->registering_authority() == '9') { /* market regulation */ }
//
// Layout (GB 32100-2015 §4): position 1 registering authority (登记管理部门代码), 2 entity
// type (机构类别代码), 3–8 administrative region of registration (登记管理机关行政区划码,
// GB/T 2260), 9–17 organisation code (主体标识码, the former 组织机构代码, GB 11714),
// 18 check character (校验码, GB 32100-2015 §5 and Annex B).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace jianguan {

/// The 31 characters a USCC may use, in value order 0–30 (GB 32100-2015 Table 1):
/// digits and upper-case letters without I, O, S, V and Z.
inline constexpr std::string_view kUsccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// The check character for the first 17 characters of a code:
/// (31 − Σ vᵢ·3^(i−1) mod 31) mod 31, as a character of kUsccAlphabet (GB 32100-2015 §5).
/// Returns '\0' when `first17` is not 17 characters of the alphabet.
char UsccCheckCharacter(std::string_view first17);

/// OK when `code` is a well-formed USCC: 18 characters of kUsccAlphabet with a correct check
/// character. Otherwise INVALID_ARGUMENT, checked in this order, with one of:
///   "must be 18 characters, found N" (N counts characters, not bytes; a byte that is not
///   part of valid UTF-8 counts as one);
///   "illegal character 'c' at position N …" (1-based; I, O, S, V, Z and lower case are not
///   used; 'c' quoted as QuotedInput shows it, so the message is valid UTF-8);
///   "position N is 'c': positions 3–8 are … six digits" (the region of registration);
///   "check character should be X, found Y".
/// The region part is not looked up: it records where the subject was registered and may be
/// a code abolished since.
absl::Status ValidateUscc(std::string_view code);

/// A validated USCC, split into its parts. Cheap to copy.
class Uscc {
 public:
  /// Validates as ValidateUscc does.
  static absl::StatusOr<Uscc> Parse(std::string_view code);

  /// The whole 18-character code.
  const std::string& str() const { return code_; }
  /// Position 1: the registering authority, e.g. '9' market regulation (工商/市场监管),
  /// '1' institutional organisation (机构编制), '5' civil affairs (民政).
  char registering_authority() const { return code_[0]; }
  /// Position 2: the entity type within that authority; for '9': '1' enterprise,
  /// '2' individual business (个体工商户), '3' farmers' specialised cooperative.
  char entity_type() const { return code_[1]; }
  /// Positions 3–8: the GB/T 2260 region code of the registering office.
  std::string_view region_code() const { return std::string_view(code_).substr(2, 6); }
  /// Positions 9–17: the organisation code (主体标识码).
  std::string_view organization_code() const { return std::string_view(code_).substr(8, 9); }
  /// Position 18.
  char check_character() const { return code_[17]; }

  friend bool operator==(const Uscc&, const Uscc&) = default;

 private:
  explicit Uscc(std::string code) : code_(std::move(code)) {}
  std::string code_;
};

}  // namespace jianguan
