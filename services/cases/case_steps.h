// One step of a case from its request, the same way for the handler that commits it and for
// the trail that replays it from the audit chain (GetCaseTrail): the CaseStep the procedure
// applies, the draft a filing starts from, and the document the step leaves in the case file.
#pragma once

#include <string_view>

#include "absl/time/civil_time.h"
#include "jianguan/cases/v1/cases.pb.h"
#include "jianguan/common/v1/types.pb.h"
#include "libs/core/field_violations.h"
#include "services/cases/domain/documents.h"
#include "services/cases/domain/procedure.h"

namespace jianguan::cases {

/// The day a request names, or `today` when it names none (has_date false); adds a
/// violation on `field` for a date that does not exist or lies after `today`.
absl::CivilDay DayOr(FieldViolations& violations, std::string_view field,
                     const common::v1::Date& date, bool has_date, absl::CivilDay today);

/// The step an Act request asks for, done on `day` and recorded by `actor`.
CaseStep StepOf(const v1::ActRequest& request, absl::CivilDay day, const common::v1::Actor& actor);

/// The FILE step of a filing request.
CaseStep FilingStepOf(const v1::FileCaseRequest& request, absl::CivilDay day,
                      const common::v1::Actor& actor);

/// The draft case `name` a filing of `lead` starts from: the lead's subject and department,
/// the request's party, items and whether a legal review is needed.
v1::Case DraftOf(const v1::Lead& lead, const v1::FileCaseRequest& request, std::string_view name);

/// Completes `after` (the case after its last step) with that step's document: numbered
/// `number`, named "{case}/documents/{n}", listed in the case file and on the step's record.
/// Returns the document.
v1::Document AddDocument(v1::Case& after, const Issuer& issuer, std::string_view number);

/// The DocumentKind's number prefix: the department's prefix and the kind's character.
std::string NumberPrefix(std::string_view department_prefix, v1::DocumentKind kind);

}  // namespace jianguan::cases
