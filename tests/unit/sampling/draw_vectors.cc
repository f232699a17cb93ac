#include "tests/unit/sampling/draw_vectors.h"

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "services/sampling/domain/draw_rng.h"
#include "services/sampling/domain/subject_proof.h"
#include "services/sampling/domain/verification_package.h"
#include "tests/unit/sampling/draw_fixtures.h"

namespace jianguan::sampling::testing {
namespace {

namespace pb = ::google::protobuf;

// ---------------------------------------------------------------------------------------
// The fixed inputs.

Digest SecretOf(uint8_t first) {
  Digest secret;
  for (int i = 0; i < 32; ++i) secret[i] = static_cast<uint8_t>(first * 7 + i * 13);
  return secret;
}

SamplingPlan BasePlan(const std::string& plan_id, const std::string& name, const Digest& secret) {
  SamplingPlan plan{.plan_id = plan_id, .name = name, .year = 2026};
  plan.period_start = "2026-03-01";
  plan.period_end = "2026-06-30";
  plan.inspection_date = "2026-03-16";
  plan.filter.statuses = {"normal", "abnormal_operation", "serious_violation"};
  plan.commitment = HexOf(CommitmentOf(secret));
  return plan;
}

Inspector Person(const std::string& id, const std::string& name, const std::string& department,
                 std::vector<std::string> items) {
  return Inspector{.id = id,
                   .name = name,
                   .certificate_no = "ZJ-" + id,
                   .department_id = department,
                   .items = std::move(items),
                   .valid_from = "2025-01-01",
                   .valid_until = "2028-12-31"};
}

CandidateMarks Marks(bool filtered_out, bool recent, std::vector<std::string> last = {}) {
  return CandidateMarks{
      .filtered_out = filtered_out, .recent = recent, .last_inspectors = std::move(last)};
}

void Add(CandidateProjection& candidates, uint64_t n, int grade, int risk,
         const CandidateMarks& marks = {}) {
  const absl::Status added = candidates.Append(TestUscc(n), static_cast<CreditGrade>(grade),
                                               static_cast<RiskLevel>(risk), marks);
  if (!added.ok()) std::abort();  // fixed inputs: a bug here is the generator's
}

InspectorPool PoolOf(std::vector<Inspector> inspectors) {
  absl::StatusOr<InspectorPool> pool = InspectorPool::Create(std::move(inspectors));
  if (!pool.ok()) std::abort();
  return *std::move(pool);
}

// 12 subjects of one department: a D subject (full coverage, drawn although recent), a
// filtered one, recent ones, last inspectors; inspectors not authorised, expired, in conflict.
VectorInputs Small() {
  VectorInputs v{.name = "small", .secret = SecretOf(1), .entropy = "福彩3D 2026061期 4 7 1"};
  v.plan = BasePlan("vec-small-01", "2026年金华市婺城区双随机抽查（向量）", v.secret);
  v.plan.initiating_department = "330700-SCJG";
  v.plan.departments = {{"330700-SCJG", {{"JG-1", 1}, {"JG-2", 3}}}};
  v.plan.filter.entity_types = {"individual_business", "enterprise"};
  v.plan.filter.industries = {"52"};
  v.plan.filter.regions = {"330702"};
  v.plan.class_rules[5] = {.ppm = 500'000, .rounding = Rounding::kUp};  // B-general 50 %
  v.plan.max_tasks_per_inspector = 3;
  for (uint64_t i = 0; i < 12; ++i) {
    if (i == 0) {
      Add(v.candidates, i, 3, 0, Marks(false, true, {"SC-02"}));  // D-low, recent
    } else if (i == 4) {
      Add(v.candidates, i, 1, 1, Marks(true, false));  // filtered out
    } else if (i == 6 || i == 9) {
      Add(v.candidates, i, 1, 1, Marks(false, true));  // recent
    } else if (i == 7) {
      Add(v.candidates, i, 0, 0, Marks(false, false, {"SC-01", "SC-05"}));  // A-low
    } else {
      Add(v.candidates, i, 1, 1, Marks(false, false, i == 3 ? std::vector<std::string>{"SC-03"}
                                                            : std::vector<std::string>{}));
    }
  }
  std::vector<Inspector> people = {
      Person("SC-01", "张三", "330700-SCJG", {"JG-1", "JG-2"}),
      Person("SC-02", "李四", "330700-SCJG", {"JG-1", "JG-2"}),
      Person("SC-03", "王五", "330700-SCJG", {"JG-1"}),  // not authorised for JG-2
      Person("SC-04", "赵六", "330700-SCJG", {"JG-1", "JG-2"}),
      Person("SC-05", "钱七", "330700-SCJG", {"JG-1", "JG-2"}),
      Person("SC-06", "孙八", "330700-SCJG", {"JG-1", "JG-2"}),
  };
  people[3].conflicts = {TestUscc(1), TestUscc(2)};
  people[5].valid_until = "2026-03-15";  // expired the day before the inspection date
  v.pool = PoolOf(std::move(people));
  return v;
}

// 400 subjects of every class, one department, three inspectors a task: enough draws that
// every stratum's partial shuffle and the lowest-load rule take many words.
VectorInputs Medium() {
  VectorInputs v{.name = "medium", .secret = SecretOf(2), .entropy = "中国福利彩票 双色球 2026030期 03 08 15 21 27 33 + 09"};
  v.plan = BasePlan("vec-medium-01", "2026年西安市高新区信用风险分类抽查（向量）", v.secret);
  v.plan.initiating_department = "610100-SCJG";
  v.plan.departments = {{"610100-SCJG", {{"XA-1", 2}, {"XA-2", 1}}}};
  v.plan.filter.regions = {"6101"};
  v.plan.frequency_months = 6;
  v.plan.inspectors_per_task = 3;
  v.plan.max_tasks_per_inspector = 20;
  for (uint64_t i = 0; i < 400; ++i) {
    const int grade = i % 10 < 1 ? 0 : i % 10 < 7 ? 1 : i % 10 < 9 ? 2 : 3;
    const int risk = i % 7 == 0 ? 2 : i % 11 == 0 ? 3 : i % 3 == 0 ? 0 : 1;
    std::vector<std::string> last;
    if (i % 19 == 0) last = {absl::StrCat("MD-", 100 + i % 25), absl::StrCat("MD-", 100 + i % 7)};
    Add(v.candidates, 1000 + 3 * i, grade, risk, Marks(i % 13 == 0, i % 17 == 0, last));
  }
  std::vector<Inspector> people;
  for (int k = 0; k < 25; ++k) {
    Inspector p = Person(absl::StrCat("MD-", 100 + k), absl::StrCat("检查员", 100 + k),
                         "610100-SCJG", {"XA-1", "XA-2", "XA-3"});
    if (k % 9 == 4) p.items = {"XA-1"};
    if (k % 11 == 6) p.valid_from = "2026-04-01";
    p.conflicts = {TestUscc(1000 + 3 * ((k * 31) % 400))};
    people.push_back(std::move(p));
  }
  v.pool = PoolOf(std::move(people));
  return v;
}

// Three departments inspecting together (进一次门、查多项事), four inspectors a task.
VectorInputs Joint() {
  VectorInputs v{.name = "joint", .secret = SecretOf(3), .entropy = "3D 2026075 9 0 6"};
  v.plan = BasePlan("vec-joint-01", "2026年金华市部门联合双随机抽查（向量）", v.secret);
  v.plan.initiating_department = "330700-SCJG";
  v.plan.departments = {{"330700-SCJG", {{"JG-1", 1}, {"JG-2", 1}}},
                        {"330700-WSJ", {{"WS-1", 2}}},
                        {"330700-XFJY", {{"XF-1", 1}}}};
  v.plan.filter.tags = {"key-supervision"};
  v.plan.class_rules[5] = {.ppm = 300'000, .rounding = Rounding::kUp, .min = 2, .max = 12};
  v.plan.inspectors_per_task = 4;
  v.plan.max_tasks_per_inspector = 8;
  for (uint64_t i = 0; i < 60; ++i) {
    const int grade = i % 12 == 0 ? 3 : i % 5 == 0 ? 2 : 1;
    std::vector<std::string> last;
    if (i % 12 == 0) last = {"SC-1", "WS-2"};
    Add(v.candidates, 500 + 7 * i, grade, 1, Marks(i % 9 == 4, i % 8 == 3, last));
  }
  std::vector<Inspector> people;
  const std::pair<const char*, std::vector<std::string>> kDepartments[] = {
      {"330700-SCJG", {"JG-1", "JG-2"}}, {"330700-WSJ", {"WS-1"}}, {"330700-XFJY", {"XF-1"}}};
  const char* kPrefix[] = {"SC-", "WS-", "XF-"};
  for (int d = 0; d < 3; ++d) {
    for (int k = 1; k <= 6; ++k) {
      Inspector p = Person(absl::StrCat(kPrefix[d], k), absl::StrCat("联合检查员", d, k),
                           kDepartments[d].first, kDepartments[d].second);
      if (k == 6) p.conflicts = {TestUscc(500), TestUscc(500 + 7 * 12)};
      people.push_back(std::move(p));
    }
  }
  v.pool = PoolOf(std::move(people));
  return v;
}

// A joint plan whose second department's only inspector declared a conflict with a drawn
// subject: no eligible inspector for its slot.
VectorInputs Infeasible() {
  VectorInputs v{.name = "infeasible", .secret = SecretOf(4), .entropy = "lottery 7"};
  v.plan = BasePlan("vec-infeasible-01", "2026年不可完成的联合抽查（向量）", v.secret);
  v.plan.initiating_department = "330700-SCJG";
  v.plan.departments = {{"330700-SCJG", {{"JG-1", 1}}}, {"330700-WSJ", {{"WS-1", 1}}}};
  v.plan.class_rules[5].full_coverage = true;  // B-general: every eligible subject
  v.plan.max_tasks_per_inspector = 100;
  for (uint64_t i = 0; i < 10; ++i) Add(v.candidates, 200 + i, 1, 1);
  std::vector<Inspector> people = {
      Person("SC-1", "甲", "330700-SCJG", {"JG-1"}),
      Person("SC-2", "乙", "330700-SCJG", {"JG-1"}),
      Person("WS-1", "丙", "330700-WSJ", {"WS-1"}),
  };
  people[2].conflicts = {TestUscc(203)};
  v.pool = PoolOf(std::move(people));
  return v;
}

// The same subjects with too few tasks allowed per inspector: fails before any word.
VectorInputs InfeasibleCapacity() {
  VectorInputs v = Infeasible();
  v.name = "infeasible-capacity";
  v.plan.plan_id = "vec-infeasible-02";
  v.plan.max_tasks_per_inspector = 4;
  return v;
}

// ---------------------------------------------------------------------------------------
// JSON in: protobuf's parser into google.protobuf.Value, then the draw's types.

absl::Status Bad(std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("package: ", std::string(what)));
}

const pb::Value* Member(const pb::Value& object, const std::string& key) {
  if (object.kind_case() != pb::Value::kStructValue) return nullptr;
  auto it = object.struct_value().fields().find(key);
  return it == object.struct_value().fields().end() ? nullptr : &it->second;
}

absl::StatusOr<std::string> String(const pb::Value& object, const std::string& key) {
  const pb::Value* v = Member(object, key);
  if (v == nullptr || v->kind_case() != pb::Value::kStringValue) {
    return Bad(absl::StrCat(key, " must be a string"));
  }
  return v->string_value();
}

absl::StatusOr<int64_t> Integer(const pb::Value& object, const std::string& key) {
  const pb::Value* v = Member(object, key);
  if (v == nullptr || v->kind_case() != pb::Value::kNumberValue ||
      v->number_value() != std::floor(v->number_value()) ||
      std::fabs(v->number_value()) > 9007199254740992.0) {
    return Bad(absl::StrCat(key, " must be an integer"));
  }
  return static_cast<int64_t>(v->number_value());
}

absl::StatusOr<bool> Boolean(const pb::Value& object, const std::string& key) {
  const pb::Value* v = Member(object, key);
  if (v == nullptr || v->kind_case() != pb::Value::kBoolValue) {
    return Bad(absl::StrCat(key, " must be a boolean"));
  }
  return v->bool_value();
}

absl::StatusOr<std::vector<const pb::Value*>> List(const pb::Value& object,
                                                   const std::string& key) {
  const pb::Value* v = Member(object, key);
  if (v == nullptr || v->kind_case() != pb::Value::kListValue) {
    return Bad(absl::StrCat(key, " must be an array"));
  }
  std::vector<const pb::Value*> out;
  for (const pb::Value& element : v->list_value().values()) out.push_back(&element);
  return out;
}

absl::StatusOr<std::vector<std::string>> Strings(const pb::Value& object, const std::string& key) {
  absl::StatusOr<std::vector<const pb::Value*>> list = List(object, key);
  if (!list.ok()) return list.status();
  std::vector<std::string> out;
  for (const pb::Value* v : *list) {
    if (v->kind_case() != pb::Value::kStringValue) return Bad(key + " must hold strings");
    out.push_back(v->string_value());
  }
  return out;
}

#define JG_TAKE(lhs, expr)                 \
  do {                                     \
    auto taken = (expr);                   \
    if (!taken.ok()) return taken.status(); \
    lhs = *std::move(taken);               \
  } while (0)

absl::StatusOr<SamplingPlan> PlanOf(const pb::Value& json) {
  SamplingPlan plan;
  JG_TAKE(plan.plan_id, String(json, "plan_id"));
  JG_TAKE(plan.name, String(json, "name"));
  JG_TAKE(plan.year, Integer(json, "year"));
  JG_TAKE(plan.initiating_department, String(json, "initiating_department"));
  const pb::Value* period = Member(json, "period");
  if (period == nullptr) return Bad("plan.period missing");
  JG_TAKE(plan.period_start, String(*period, "start"));
  JG_TAKE(plan.period_end, String(*period, "end"));
  std::vector<const pb::Value*> departments;
  JG_TAKE(departments, List(json, "departments"));
  for (const pb::Value* d : departments) {
    PlanDepartment& department = plan.departments.emplace_back();
    JG_TAKE(department.department_id, String(*d, "department_id"));
    std::vector<const pb::Value*> items;
    JG_TAKE(items, List(*d, "items"));
    for (const pb::Value* i : items) {
      PlanItem& item = department.items.emplace_back();
      JG_TAKE(item.code, String(*i, "code"));
      JG_TAKE(item.version, Integer(*i, "version"));
    }
  }
  const pb::Value* filter = Member(json, "filter");
  if (filter == nullptr) return Bad("plan.filter missing");
  JG_TAKE(plan.filter.entity_types, Strings(*filter, "entity_types"));
  JG_TAKE(plan.filter.industries, Strings(*filter, "industries"));
  JG_TAKE(plan.filter.regions, Strings(*filter, "regions"));
  JG_TAKE(plan.filter.statuses, Strings(*filter, "statuses"));
  JG_TAKE(plan.filter.tags, Strings(*filter, "tags"));
  std::vector<const pb::Value*> rules;
  JG_TAKE(rules, List(json, "class_rules"));
  if (rules.size() != kStrata) return Bad("plan.class_rules must hold 16 rules");
  for (int s = 0; s < kStrata; ++s) {
    std::string name, rounding;
    JG_TAKE(name, String(*rules[s], "class"));
    if (name != StratumName(s)) return Bad(absl::StrCat("class_rules[", s, "] is ", name));
    ClassRule& rule = plan.class_rules[s];
    JG_TAKE(rule.ppm, Integer(*rules[s], "ppm"));
    JG_TAKE(rounding, String(*rules[s], "rounding"));
    if (rounding != "up" && rounding != "down") return Bad("rounding must be up or down");
    rule.rounding = rounding == "up" ? Rounding::kUp : Rounding::kDown;
    JG_TAKE(rule.min, Integer(*rules[s], "min"));
    JG_TAKE(rule.max, Integer(*rules[s], "max"));
    JG_TAKE(rule.full_coverage, Boolean(*rules[s], "full_coverage"));
  }
  JG_TAKE(plan.frequency_months, Integer(json, "frequency_months"));
  JG_TAKE(plan.inspectors_per_task, Integer(json, "inspectors_per_task"));
  JG_TAKE(plan.max_tasks_per_inspector, Integer(json, "max_tasks_per_inspector"));
  JG_TAKE(plan.inspection_date, String(json, "inspection_date"));
  JG_TAKE(plan.commitment, String(json, "commitment"));
  return plan;
}

absl::Status AppendLine(CandidateProjection& candidates, const std::string& line) {
  const std::vector<std::string> fields = absl::StrSplit(line, ',');
  if (fields.size() != 6 || fields[1].size() != 1 || fields[1][0] < 'A' || fields[1][0] > 'D' ||
      fields[2].size() != 1 || fields[2][0] < '0' || fields[2][0] > '3' ||
      (fields[3] != "0" && fields[3] != "1") || (fields[4] != "0" && fields[4] != "1")) {
    return Bad(absl::StrCat("malformed candidate line ", line));
  }
  CandidateMarks marks{.filtered_out = fields[3] == "1", .recent = fields[4] == "1"};
  if (!fields[5].empty()) marks.last_inspectors = absl::StrSplit(fields[5], ';');
  return candidates.Append(fields[0], static_cast<CreditGrade>(fields[1][0] - 'A'),
                           static_cast<RiskLevel>(fields[2][0] - '0'), marks);
}

absl::StatusOr<Inspector> InspectorOf(const pb::Value& json) {
  Inspector p;
  JG_TAKE(p.id, String(json, "id"));
  JG_TAKE(p.name, String(json, "name"));
  JG_TAKE(p.certificate_no, String(json, "certificate_no"));
  JG_TAKE(p.department_id, String(json, "department_id"));
  JG_TAKE(p.items, Strings(json, "items"));
  JG_TAKE(p.valid_from, String(json, "valid_from"));
  JG_TAKE(p.valid_until, String(json, "valid_until"));
  JG_TAKE(p.conflicts, Strings(json, "conflicts"));
  return p;
}

absl::StatusOr<pb::Value> ParseJson(std::string_view text) {
  pb::Value value;
  if (auto status = pb::util::JsonStringToMessage(std::string(text), &value); !status.ok()) {
    return Bad(absl::StrCat("not JSON: ", std::string(status.message())));
  }
  return value;
}

// The canonical form of a parsed value; numbers must be integers.
absl::StatusOr<JsonValue> Canonical(const pb::Value& value) {
  switch (value.kind_case()) {
    case pb::Value::kBoolValue:
      return JsonValue(value.bool_value());
    case pb::Value::kNumberValue: {
      const double n = value.number_value();
      if (n != std::floor(n) || std::fabs(n) > 9007199254740992.0) return Bad("not an integer");
      return JsonValue(static_cast<int64_t>(n));
    }
    case pb::Value::kStringValue:
      return JsonValue(value.string_value());
    case pb::Value::kListValue: {
      JsonValue::Array array;
      for (const pb::Value& element : value.list_value().values()) {
        absl::StatusOr<JsonValue> e = Canonical(element);
        if (!e.ok()) return e.status();
        array.push_back(*std::move(e));
      }
      return JsonValue(std::move(array));
    }
    case pb::Value::kStructValue: {
      JsonValue::Object object;
      for (const auto& [key, member] : value.struct_value().fields()) {
        absl::StatusOr<JsonValue> m = Canonical(member);
        if (!m.ok()) return m.status();
        object.emplace(key, *std::move(m));
      }
      return JsonValue(std::move(object));
    }
    default:
      return Bad("null has no canonical form");
  }
}

}  // namespace

std::vector<VectorInputs> FixedVectors() {
  std::vector<VectorInputs> vectors;
  vectors.push_back(Small());
  vectors.push_back(Medium());
  vectors.push_back(Joint());
  vectors.push_back(Infeasible());
  vectors.push_back(InfeasibleCapacity());
  for (size_t i = 0; i < vectors.size(); ++i) {
    vectors[i].proof_key = SecretOf(static_cast<uint8_t>(100 + i));
  }
  return vectors;
}

JsonValue FailureJson(const DrawFailure& failure) {
  JsonValue::Object excluded;
  for (int e = 0; e < kExclusions; ++e) {
    excluded.emplace(ExclusionName(static_cast<Exclusion>(e)), failure.excluded[e]);
  }
  return JsonValue::Object{{"reason", failure.reason},
                           {"task", failure.task},
                           {"uscc", failure.uscc},
                           {"slot", failure.slot},
                           {"excluded", std::move(excluded)}};
}

VectorFiles FilesOf(const VectorInputs& v) {
  const DrawInput input = v.Input();
  const Digest plan_hash = PlanHash(v.plan);
  const Digest candidates_digest = v.candidates.CandidatesDigest();
  const Digest inspectors_digest = v.pool.PoolDigest();
  const Digest seed =
      DrawSeed(v.secret, plan_hash, candidates_digest, inspectors_digest, v.entropy);
  JsonValue::Object published{
      {"commitment", HexOf(CommitmentOf(v.secret))},
      {"plan_hash", HexOf(plan_hash)},
      {"candidates_digest", HexOf(candidates_digest)},
      {"candidate_count", static_cast<int64_t>(v.candidates.size())},
      {"inspectors_digest", HexOf(inspectors_digest)},
      {"entropy", v.entropy},
      {"seed", HexOf(seed)},
      {"secret", HexOf(v.secret)},
  };
  // The proof roots approval publishes (§10), as GetPublicPlan spells them.
  const ProofCommitment proofs = CommitForProofs(v.plan, v.candidates, v.pool, v.proof_key);
  JsonValue::Array roots;
  JsonValue::Array package_roots;
  for (int s = 0; s < kStrata; ++s) {
    roots.push_back(JsonValue::Object{{"class_name", StratumName(s)},
                                      {"size", proofs.strata[s].size},
                                      {"eligible", proofs.strata[s].eligible},
                                      {"root", HexOf(proofs.strata[s].root)}});
    package_roots.push_back(StratumRootJson(s, proofs.strata[s]));
  }
  published.emplace("strata", std::move(roots));
  published.emplace("pool_root", HexOf(proofs.pool_root));
  VectorFiles files;
  DrawFailure failure;
  absl::StatusOr<DrawResult> result = Draw(input, &failure);
  if (result.ok()) {
    WriteVerificationPackage(input, *result,
                             [&](std::string_view piece) { files.package.append(piece); });
    published.emplace("result_digest", HexOf(ResultDigest(input, *result)));
    published.emplace("task_count", static_cast<int64_t>(result->tasks.size()));
    published.emplace("visits_saved", result->visits_saved);
  } else {
    JsonValue::Array lines;
    for (uint32_t i = 0; i < v.candidates.size(); ++i) lines.emplace_back(v.candidates.Line(i));
    files.package =
        JsonValue(JsonValue::Object{
                      {"format", "jianguan-draw-package-v1"},
                      {"plan", PlanJson(v.plan)},
                      {"candidates", std::move(lines)},
                      {"inspectors", v.pool.PoolJson()},
                      {"secret", HexOf(v.secret)},
                      {"entropy", v.entropy},
                      {"failure", FailureJson(failure)},
                      {"proof_key", HexOf(v.proof_key)},
                      {"published",
                       JsonValue::Object{{"commitment", HexOf(CommitmentOf(v.secret))},
                                         {"plan_hash", HexOf(plan_hash)},
                                         {"candidates_digest", HexOf(candidates_digest)},
                                         {"inspectors_digest", HexOf(inspectors_digest)},
                                         {"strata_roots", std::move(package_roots)},
                                         {"pool_root", HexOf(proofs.pool_root)}}},
                  })
            .Canonical();
  }
  files.package += '\n';
  files.published = JsonValue(std::move(published)).Canonical() + "\n";
  return files;
}

absl::StatusOr<VectorInputs> ParsePackage(const std::string& name, std::string_view text) {
  pb::Value json;
  JG_TAKE(json, ParseJson(text));
  VectorInputs v{.name = name};
  const pb::Value* plan = Member(json, "plan");
  if (plan == nullptr) return Bad("plan missing");
  JG_TAKE(v.plan, PlanOf(*plan));
  std::vector<std::string> lines;
  JG_TAKE(lines, Strings(json, "candidates"));
  v.candidates.Reserve(lines.size());
  for (const std::string& line : lines) {
    if (absl::Status added = AppendLine(v.candidates, line); !added.ok()) return added;
  }
  std::vector<const pb::Value*> people;
  JG_TAKE(people, List(json, "inspectors"));
  std::vector<Inspector> inspectors;
  for (const pb::Value* p : people) {
    Inspector inspector;
    JG_TAKE(inspector, InspectorOf(*p));
    inspectors.push_back(std::move(inspector));
  }
  JG_TAKE(v.pool, InspectorPool::Create(std::move(inspectors)));
  std::string secret;
  JG_TAKE(secret, String(json, "secret"));
  JG_TAKE(v.secret, DigestFromHex(secret));
  JG_TAKE(v.entropy, String(json, "entropy"));
  std::string proof_key;
  JG_TAKE(proof_key, String(json, "proof_key"));
  JG_TAKE(v.proof_key, DigestFromHex(proof_key));
  return v;
}

absl::StatusOr<std::string> Recanonical(std::string_view text) {
  pb::Value json;
  JG_TAKE(json, ParseJson(text));
  JsonValue value = JsonValue(false);
  JG_TAKE(value, Canonical(json));
  return value.Canonical();
}

}  // namespace jianguan::sampling::testing
