// The SubjectRegistry handler served in-process on port 0 over a real RocksDB: validation
// names every bad field and writes nothing, versions, transitions, import idempotency,
// paging, and the ID number kept out of answers, events, timelines and logs.
#include "services/subject-registry/subject_service.h"

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "grpcpp/grpcpp.h"
#include "libs/core/csv.h"
#include "libs/server/grpc_status.h"
#include "libs/core/text_checks.h"
#include "libs/core/uscc.h"
#include "libs/server/grpc_server.h"
#include "libs/testing/fake_clock.h"
#include "libs/testing/temp_dir.h"
#include "tests/unit/subject-registry/registry_server.h"
#include "services/subject-registry/registry_metrics.h"
#include "libs/testing/field_names.h"

namespace jianguan::subject {
namespace {

constexpr char kIdNumber[] = "330702199001011234";

using testing_support::DataRoot;

// A valid code: authority 9, `type` ('1' enterprise, '2' individual), region, 9-char body.
std::string MakeUscc(char type, const std::string& region, int n) {
  std::string first17 = absl::StrCat("9", std::string(1, type), region,
                                     absl::StrFormat("MA%07d", n));
  return first17 + UsccCheckCharacter(first17);
}

v1::Subject ValidSubject(int n, const std::string& region = "330782") {
  v1::Subject s;
  s.set_uscc(MakeUscc('2', region, n));
  s.set_name(absl::StrCat("义乌市稠城", n, "号小吃店"));
  s.set_type(v1::SUBJECT_TYPE_INDIVIDUAL_BUSINESS);
  s.mutable_legal_representative()->set_name("王小明");
  s.mutable_legal_representative()->set_id_number(kIdNumber);
  s.mutable_registered_capital()->set_fen(5'000'000);
  s.mutable_established_on()->set_year(2019);
  s.mutable_established_on()->set_month(5);
  s.mutable_established_on()->set_day(20);
  s.mutable_industry()->set_code("6210");
  s.mutable_registration_region()->set_code(region);
  s.mutable_business_address()->mutable_region()->set_code(region);
  s.mutable_business_address()->set_detail("稠城街道工人西路1号");
  s.mutable_location()->set_latitude(29.31);
  s.mutable_location()->set_longitude(120.07);
  s.add_tags("food-business");
  return s;
}

struct Registry : testing_support::RegistryServer {
  Registry()
      : RegistryServer(absl::FromCivil(absl::CivilSecond(2026, 11, 23, 10, 0, 0), BeijingTime()),
                       "jg-subject") {}

  static std::unique_ptr<grpc::ClientContext> Context(bool admin = false) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->AddMetadata("x-jg-department", "330700-SCJG");
    context->AddMetadata("x-jg-user", "tester");
    if (admin) context->AddMetadata("x-jg-role", "registry-admin");
    return context;
  }
  grpc::Status Register(const v1::Subject& s, v1::RegisterSubjectResponse* out = nullptr,
                        std::string request_id = "") {
    v1::RegisterSubjectRequest request;
    request.set_request_id(request_id.empty() ? "reg-" + s.uscc() : request_id);
    *request.mutable_subject() = s;
    v1::RegisterSubjectResponse ignored;
    return stub->RegisterSubject(Context().get(), request, out ? out : &ignored);
  }
  uint64_t Outbox() const { return store->OutboxBacklog(); }
  size_t Stored() const {
    size_t n = 0;
    REQUIRE(store->ForEach(kSubjectsFamily, "", [&](auto, auto) { return ++n; }).ok());
    return n;
  }
};


SCENARIO("a valid subject registers, reads back, and its ID number stays private") {
  Registry r;
  const v1::Subject subject = ValidSubject(1);
  v1::RegisterSubjectResponse registered;
  REQUIRE(r.Register(subject, &registered).ok());
  CHECK(registered.subject().version() == 1);
  CHECK(registered.subject().status() == v1::SUBJECT_STATUS_NORMAL);
  CHECK(registered.subject().legal_representative().id_number() == "3*************1234");

  v1::GetSubjectRequest get;
  get.set_uscc(subject.uscc());
  v1::Subject plain, admin;
  REQUIRE(r.stub->GetSubject(Registry::Context().get(), get, &plain).ok());
  REQUIRE(r.stub->GetSubject(Registry::Context(true).get(), get, &admin).ok());
  CHECK(plain.legal_representative().id_number_masked());
  CHECK(plain.legal_representative().id_number() != kIdNumber);
  CHECK(admin.legal_representative().id_number() == kIdNumber);

  v1::GetSubjectProfileRequest profile_request;
  profile_request.set_uscc(subject.uscc());
  v1::GetSubjectProfileResponse profile;
  REQUIRE(r.stub->GetSubjectProfile(Registry::Context(true).get(), profile_request, &profile).ok());
  REQUIRE(profile.timeline_size() == 1);
  CHECK(profile.timeline(0).type() == "jianguan.subject.v1.SubjectRegistered");
  CHECK(profile.DebugString().find(kIdNumber) == std::string::npos);

  auto events = r.store->ReadOutbox(0, 100);
  REQUIRE(events.ok());
  REQUIRE(events->size() == 1);
  CHECK((*events)[0].key() == subject.uscc());
  CHECK((*events)[0].payload().find(kIdNumber) == std::string::npos);
  v1::SubjectRegistered event;
  REQUIRE(event.ParseFromString((*events)[0].payload()));
  CHECK(event.facts().industry().code() == "6210");
  CHECK(event.facts().tags(0) == "food-business");

  THEN("a retry with the same request_id answers the same and writes nothing") {
    v1::RegisterSubjectResponse again;
    REQUIRE(r.Register(subject, &again).ok());
    CHECK(r.Outbox() == 1);
  }
  THEN("another registration of the code is ALREADY_EXISTS") {
    CHECK(r.Register(subject, nullptr, "other").error_code() == grpc::StatusCode::ALREADY_EXISTS);
  }
}

SCENARIO("bad input is refused naming every field and leaves store and topic untouched") {
  Registry r;
  v1::Subject bad = ValidSubject(2);
  bad.set_uscc(bad.uscc().substr(0, 17) + (bad.uscc()[17] == '0' ? "1" : "0"));  // check char
  bad.mutable_registration_region()->set_code("339999");
  bad.mutable_industry()->set_code("9999");
  bad.set_name("");
  bad.set_business_scope(std::string(4001, 'x'));
  bad.set_type(static_cast<v1::SubjectType>(42));
  bad.add_tags("Not A Tag");
  bad.mutable_location()->set_latitude(100);
  grpc::Status status = r.Register(bad);
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  const std::set<std::string> expected = {
      "subject.uscc", "subject.registration_region.code", "subject.industry.code", "subject.name",
      "subject.business_scope", "subject.type", "subject.tags[1]", "subject.location.latitude"};
  for (const auto& field : expected) {
    INFO(field);
    CHECK(testing::FieldNames(status).count(field) == 1);
  }

  v1::Subject huge = ValidSubject(3);
  huge.set_business_scope(std::string(1 << 20, 'x'));
  CHECK(testing::FieldNames(r.Register(huge)).count("subject.business_scope") == 1);

  v1::Subject not_utf8 = ValidSubject(4);
  not_utf8.set_name("\xff\xfe broken");
  grpc::Status utf8 = r.Register(not_utf8);
  CHECK(utf8.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(testing::FieldNames(utf8).count("subject.name") == 1);

  CHECK(r.Stored() == 0);
  CHECK(r.Outbox() == 0);
}

SCENARIO("text that is not UTF-8 is refused naming the field in every method, changing nothing") {
  // RegisterSubject, UpdateSubject and ImportSubjects read raw bytes; every other method is
  // covered by the host (proto3 refuses the request before the handler runs, and gRPC alone
  // answered INTERNAL, or UNIMPLEMENTED on the callback API: GetSubject) (#15).
  Registry r;
  const v1::Subject subject = ValidSubject(7);
  REQUIRE(r.Register(subject).ok());
  const uint64_t outbox = r.Outbox();

  v1::ChangeSubjectStatusRequest change;
  change.set_request_id("s-utf8");
  change.set_uscc(subject.uscc());
  change.set_action(v1::STATUS_ACTION_LIST_ABNORMAL);
  change.set_reason(v1::ABNORMAL_REASON_ANNUAL_REPORT_NOT_PUBLISHED);
  change.set_note("未按期公示年报\xf0\x9f");
  v1::ChangeSubjectStatusResponse changed;
  const grpc::Status refused =
      r.stub->ChangeSubjectStatus(Registry::Context().get(), change, &changed);
  CHECK(refused.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(testing::FieldNames(refused) == std::set<std::string>{"note"});
  CHECK(IsValidUtf8(std::string(refused.error_message())));

  v1::GetSubjectRequest bad_get;
  bad_get.set_uscc(subject.uscc() + "\xff");
  v1::Subject ignored;
  const grpc::Status get_refused = r.stub->GetSubject(Registry::Context().get(), bad_get, &ignored);
  CHECK(get_refused.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(testing::FieldNames(get_refused) == std::set<std::string>{"uscc"});

  v1::GetSubjectRequest get;
  get.set_uscc(subject.uscc());
  v1::Subject after;
  REQUIRE(r.stub->GetSubject(Registry::Context().get(), get, &after).ok());
  CHECK(after.version() == 1);
  CHECK(after.status() == v1::SUBJECT_STATUS_NORMAL);
  CHECK(r.Outbox() == outbox);
}

SCENARIO("a refusal that quotes the input is valid UTF-8 whatever the input was") {
  // Found by an outside tester: a region in full-width digits was cut inside a character in
  // the error text, so the client could not parse the import's answer (#15).
  Registry r;
  v1::Subject wide = ValidSubject(5);
  wide.mutable_registration_region()->set_code("１１００００１１００００");
  wide.mutable_industry()->set_code("Ｃ１３");
  const grpc::Status status = r.Register(wide);
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  const std::vector<FieldViolation> violations = FieldViolationsOf(status);
  REQUIRE(!violations.empty());
  for (const FieldViolation& v : violations) {
    INFO(v.field << ": " << v.description);
    CHECK(IsValidUtf8(v.description));
  }
  CHECK(testing::FieldNames(status).count("subject.registration_region.code") == 1);
  const auto region = std::find_if(violations.begin(), violations.end(), [](const auto& v) {
    return v.field == "subject.registration_region.code";
  });
  REQUIRE(region != violations.end());
  CHECK(region->description.rfind("'１１００００１１００００' is not", 0) == 0);
  CHECK(IsValidUtf8(std::string(status.error_message())));
  CHECK(testing::FieldNames(status).count("subject.industry.code") == 1);
  CHECK(r.Stored() == 0);
}

SCENARIO("every valid code of uscc_samples.csv registers and every invalid one is refused") {
  Registry r;
  auto records = ReadCsvFile(DataRoot() + "/uscc_samples.csv");
  REQUIRE(records.ok());
  int valid = 0, invalid = 0;
  for (size_t i = 1; i < records->size(); ++i) {
    const std::string& code = (*records)[i].fields[0];
    v1::Subject s = ValidSubject(static_cast<int>(i));
    s.set_uscc(code);
    const bool market = code.size() == 18 && code[0] == '9';
    s.set_type(market && code[1] == '1'   ? v1::SUBJECT_TYPE_ENTERPRISE
               : market && code[1] == '2' ? v1::SUBJECT_TYPE_INDIVIDUAL_BUSINESS
               : market && code[1] == '3' ? v1::SUBJECT_TYPE_FARMERS_COOPERATIVE
                                          : v1::SUBJECT_TYPE_PUBLIC_INSTITUTION);
    const grpc::Status status = r.Register(s, nullptr, absl::StrCat("sample-", i));
    INFO(code);
    if ((*records)[i].fields[1] == "1") {
      CHECK(status.ok());
      ++valid;
    } else {
      CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
      CHECK(testing::FieldNames(status).count("subject.uscc") == 1);
      ++invalid;
    }
  }
  CHECK(valid > 200);
  CHECK(invalid == 8);
  CHECK(r.Stored() == static_cast<size_t>(valid));
}

SCENARIO("updates need the current version; transitions follow the state machine") {
  Registry r;
  const v1::Subject subject = ValidSubject(5);
  REQUIRE(r.Register(subject).ok());
  v1::UpdateSubjectRequest update;
  update.set_request_id("u1");
  *update.mutable_subject() = subject;
  update.mutable_subject()->set_name("义乌市新名字小吃店");
  update.mutable_update_mask()->add_paths("name");
  update.set_expected_version(1);
  v1::Subject updated;
  REQUIRE(r.stub->UpdateSubject(Registry::Context().get(), update, &updated).ok());
  CHECK(updated.version() == 2);
  CHECK(updated.name() == "义乌市新名字小吃店");

  // Sent back as a caller without the right read it: the masked ID number keeps the stored
  // one; a number altered under the mask is refused.
  v1::UpdateSubjectRequest as_read;
  as_read.set_request_id("u-masked");
  *as_read.mutable_subject() = updated;
  as_read.mutable_subject()->mutable_legal_representative()->set_name("李四");
  as_read.mutable_update_mask()->add_paths("legal_representative");
  as_read.set_expected_version(2);
  REQUIRE(updated.legal_representative().id_number_masked());
  v1::Subject renamed;
  REQUIRE(r.stub->UpdateSubject(Registry::Context().get(), as_read, &renamed).ok());
  CHECK(renamed.version() == 3);
  v1::GetSubjectRequest get;
  get.set_uscc(subject.uscc());
  v1::Subject full;
  REQUIRE(r.stub->GetSubject(Registry::Context(true).get(), get, &full).ok());
  CHECK(full.legal_representative().name() == "李四");
  CHECK(full.legal_representative().id_number() == kIdNumber);
  as_read.set_request_id("u-masked-2");
  as_read.set_expected_version(3);
  std::string forged = updated.legal_representative().id_number();
  forged[0] = forged[0] == '3' ? '4' : '3';
  as_read.mutable_subject()->mutable_legal_representative()->set_id_number(forged);
  CHECK(testing::FieldNames(r.stub->UpdateSubject(Registry::Context().get(), as_read, &renamed))
            .count("subject.legal_representative.id_number") == 1);

  update.set_request_id("u2");
  update.mutable_subject()->set_name("又一个名字");
  const uint64_t outbox = r.Outbox();
  grpc::Status stale = r.stub->UpdateSubject(Registry::Context().get(), update, &updated);
  CHECK(stale.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  CHECK(r.Outbox() == outbox);

  update.set_request_id("u3");
  update.mutable_update_mask()->add_paths("status");
  update.set_expected_version(2);
  CHECK(testing::FieldNames(r.stub->UpdateSubject(Registry::Context().get(), update, &updated))
            .count("update_mask.paths") == 1);

  v1::ChangeSubjectStatusRequest change;
  change.set_request_id("s1");
  change.set_uscc(subject.uscc());
  change.set_action(v1::STATUS_ACTION_LIST_ABNORMAL);
  v1::ChangeSubjectStatusResponse changed;
  CHECK(testing::FieldNames(r.stub->ChangeSubjectStatus(Registry::Context().get(), change, &changed))
            .count("reason") == 1);
  change.set_reason(v1::ABNORMAL_REASON_ANNUAL_REPORT_NOT_PUBLISHED);
  REQUIRE(r.stub->ChangeSubjectStatus(Registry::Context().get(), change, &changed).ok());
  CHECK(changed.subject().status() == v1::SUBJECT_STATUS_ABNORMAL_OPERATION);
  change.set_request_id("s2");
  change.set_action(v1::STATUS_ACTION_DEREGISTER);
  change.set_reason(v1::ABNORMAL_REASON_UNSPECIFIED);
  REQUIRE(r.stub->ChangeSubjectStatus(Registry::Context().get(), change, &changed).ok());
  change.set_request_id("s3");
  change.set_action(v1::STATUS_ACTION_REVOKE);
  CHECK(r.stub->ChangeSubjectStatus(Registry::Context().get(), change, &changed).error_code() ==
        grpc::StatusCode::FAILED_PRECONDITION);

  v1::ListSubjectsRequest list;
  list.mutable_filter()->set_status(v1::SUBJECT_STATUS_DEREGISTERED);
  v1::ListSubjectsResponse listed;
  REQUIRE(r.stub->ListSubjects(Registry::Context().get(), list, &listed).ok());
  REQUIRE(listed.subjects_size() == 1);
  CHECK(listed.subjects(0).status_history_size() == 2);
}

SCENARIO("normal subjects list through the subjects table, the other statuses through the index") {
  Registry r;
  // Index entries of the status index, as stored.
  auto status_entries = [&] {
    std::vector<std::string> keys;
    REQUIRE(r.store->ForEach(kIndexFamily, "s/", [&](std::string_view key, auto) {
                      keys.emplace_back(key);
                      return true;
                    }).ok());
    return keys;
  };
  auto listed = [&](v1::SubjectStatus status) {
    std::vector<std::string> usccs;
    std::string token;
    do {
      v1::ListSubjectsRequest list;
      list.mutable_filter()->set_status(status);
      list.mutable_page()->set_page_size(2);
      list.mutable_page()->set_page_token(token);
      v1::ListSubjectsResponse page;
      REQUIRE(r.stub->ListSubjects(Registry::Context().get(), list, &page).ok());
      for (const auto& s : page.subjects()) {
        CHECK(s.status() == status);
        usccs.push_back(s.uscc());
      }
      token = page.page().next_page_token();
    } while (!token.empty());
    return usccs;
  };
  std::vector<std::string> all;
  for (int n = 1; n <= 5; ++n) {
    const v1::Subject s = ValidSubject(100 + n);
    REQUIRE(r.Register(s).ok());
    all.push_back(s.uscc());
  }
  std::sort(all.begin(), all.end());
  // An entry such as a registry from before this layout wrote for a normal subject.
  const std::string legacy = SubjectStore::StatusIndexKey(v1::SUBJECT_STATUS_NORMAL, all[1]);
  store::UnitOfWork old_layout;
  old_layout.Put(kIndexFamily, legacy, "");
  REQUIRE(r.store->Commit(old_layout).ok());

  CHECK(listed(v1::SUBJECT_STATUS_NORMAL) == all);
  CHECK(status_entries() == std::vector<std::string>{legacy});

  v1::ChangeSubjectStatusRequest change;
  change.set_request_id("abnormal-1");
  change.set_uscc(all[1]);
  change.set_action(v1::STATUS_ACTION_LIST_ABNORMAL);
  change.set_reason(v1::ABNORMAL_REASON_ANNUAL_REPORT_NOT_PUBLISHED);
  v1::ChangeSubjectStatusResponse changed;
  REQUIRE(r.stub->ChangeSubjectStatus(Registry::Context().get(), change, &changed).ok());

  THEN("the listed subject leaves the normal list, and the old layout's entry goes with it") {
    CHECK(listed(v1::SUBJECT_STATUS_NORMAL) ==
          std::vector<std::string>{all[0], all[2], all[3], all[4]});
    CHECK(listed(v1::SUBJECT_STATUS_ABNORMAL_OPERATION) == std::vector<std::string>{all[1]});
    CHECK(status_entries() ==
          std::vector<std::string>{
              SubjectStore::StatusIndexKey(v1::SUBJECT_STATUS_ABNORMAL_OPERATION, all[1])});
  }
  THEN("back to normal, its status index entry is removed") {
    change.set_request_id("abnormal-2");
    change.set_action(v1::STATUS_ACTION_REMOVE_ABNORMAL);
    REQUIRE(r.stub->ChangeSubjectStatus(Registry::Context().get(), change, &changed).ok());
    CHECK(listed(v1::SUBJECT_STATUS_NORMAL) == all);
    CHECK(listed(v1::SUBJECT_STATUS_ABNORMAL_OPERATION).empty());
    CHECK(status_entries().empty());
  }
}

SCENARIO("licences and commitments are recorded and resolved") {
  Registry r;
  const v1::Subject subject = ValidSubject(6);
  REQUIRE(r.Register(subject).ok());
  v1::GrantLicenceRequest grant;
  grant.set_request_id("l1");
  grant.set_uscc(subject.uscc());
  grant.mutable_licence()->set_kind("食品经营许可证");
  grant.mutable_licence()->set_number("JY13307820000001");
  grant.mutable_licence()->mutable_issuing_department()->set_code("330782-SCJG");
  grant.mutable_licence()->mutable_valid_from()->set_year(2024);
  grant.mutable_licence()->mutable_valid_from()->set_month(1);
  grant.mutable_licence()->mutable_valid_from()->set_day(1);
  grant.mutable_licence()->set_status(v1::LICENCE_STATUS_VALID);
  v1::GrantLicenceResponse granted;
  REQUIRE(r.stub->GrantLicence(Registry::Context().get(), grant, &granted).ok());
  CHECK(granted.subject().licences_size() == 1);

  v1::RecordCommitmentRequest record;
  record.set_request_id("c1");
  record.set_uscc(subject.uscc());
  auto* c = record.mutable_commitment();
  c->set_kind(v1::COMMITMENT_KIND_LICENCE_ITEM);
  c->set_licence_item("食品经营许可");
  c->set_content("承诺经营场所符合食品安全要求");
  c->mutable_department()->set_code("330782-SCJG");
  *c->mutable_made_on() = grant.licence().valid_from();
  c->mutable_verify_by()->set_year(2024);
  c->mutable_verify_by()->set_month(3);
  c->mutable_verify_by()->set_day(1);
  v1::RecordCommitmentResponse recorded;
  REQUIRE(r.stub->RecordCommitment(Registry::Context().get(), record, &recorded).ok());
  CHECK(recorded.commitment().state() == v1::COMMITMENT_STATE_PENDING);

  v1::ResolveCommitmentRequest resolve;
  resolve.set_request_id("c2");
  resolve.set_uscc(subject.uscc());
  resolve.set_commitment_id(recorded.commitment().id());
  resolve.set_outcome(v1::COMMITMENT_STATE_BREACHED);
  v1::ResolveCommitmentResponse resolved;
  REQUIRE(r.stub->ResolveCommitment(Registry::Context().get(), resolve, &resolved).ok());
  CHECK(resolved.commitment().state() == v1::COMMITMENT_STATE_BREACHED);
  CHECK(resolved.version() == 4);
  resolve.set_request_id("c3");
  CHECK(r.stub->ResolveCommitment(Registry::Context().get(), resolve, &resolved).error_code() ==
        grpc::StatusCode::FAILED_PRECONDITION);
}

// Streams `rows` in batches of `batch`; returns the answers.
std::vector<v1::ImportSubjectsResponse> Import(Registry& r, const std::vector<v1::ImportRow>& rows,
                                               size_t batch) {
  auto context = Registry::Context();
  auto stream = r.stub->ImportSubjects(context.get());
  std::vector<v1::ImportSubjectsResponse> answers;
  for (size_t i = 0; i < rows.size(); i += batch) {
    v1::ImportSubjectsRequest request;
    for (size_t j = i; j < std::min(rows.size(), i + batch); ++j) *request.add_rows() = rows[j];
    REQUIRE(stream->Write(request));
    v1::ImportSubjectsResponse answer;
    REQUIRE(stream->Read(&answer));
    answers.push_back(answer);
  }
  stream->WritesDone();
  REQUIRE(stream->Finish().ok());
  return answers;
}

SCENARIO("an import commits valid rows, names each bad row, and is idempotent") {
  Registry r;
  std::vector<v1::ImportRow> rows;
  for (int i = 1; i <= 250; ++i) {
    v1::ImportRow row;
    row.set_row_number(i + 1);
    *row.mutable_subject() = ValidSubject(100 + i, i % 2 ? "330782" : "330702");
    if (i == 17) row.mutable_subject()->mutable_industry()->set_code("0000");
    if (i == 42) row.mutable_subject()->set_name("\xc3\x28");
    rows.push_back(row);
  }
  auto answers = Import(r, rows, 100);
  int64_t accepted = 0;
  std::map<int64_t, std::set<std::string>> errors;
  for (const auto& a : answers) {
    accepted += a.accepted();
    for (const auto& e : a.errors()) {
      for (const auto& v : e.violations()) errors[e.row_number()].insert(v.field());
    }
  }
  CHECK(accepted == 248);
  CHECK(errors[18] == std::set<std::string>{"subject.industry.code"});
  CHECK(errors[43] == std::set<std::string>{"subject.name"});
  CHECK(r.Stored() == 248);
  const uint64_t outbox = r.Outbox();
  CHECK(outbox == 248);
  CHECK(r.metrics.rows_accepted.Value() == 248);
  CHECK(r.metrics.rows_refused.Value() == 2);

  THEN("importing the same rows again changes nothing") {
    int64_t unchanged = 0;
    for (const auto& a : Import(r, rows, 100)) {
      CHECK(a.accepted() == 0);
      unchanged += a.unchanged();
    }
    CHECK(unchanged == 248);
    CHECK(r.Outbox() == outbox);
    CHECK(r.metrics.rows_unchanged.Value() == 248);
    CHECK(r.metrics.rows_accepted.Value() == 248);
  }
  THEN("listing by region pages through every match exactly once") {
    std::set<std::string> seen;
    std::string token;
    int pages = 0;
    do {
      v1::ListSubjectsRequest list;
      list.mutable_filter()->set_region_prefix("330782");
      list.mutable_page()->set_page_size(30);
      list.mutable_page()->set_page_token(token);
      v1::ListSubjectsResponse page;
      REQUIRE(r.stub->ListSubjects(Registry::Context().get(), list, &page).ok());
      for (const auto& s : page.subjects()) {
        CHECK(s.registration_region().code() == "330782");
        CHECK(seen.insert(s.uscc()).second);
      }
      token = page.page().next_page_token();
      ++pages;
    } while (!token.empty());
    CHECK(seen.size() == 124);  // 125 odd rows, one of them (17) refused
    CHECK(pages >= 5);
  }
  THEN("an export by industry section, division or a wrong section streams exactly those") {
    auto exported = [&](const std::string& industry, const std::string& tag) {
      v1::ExportSubjectsRequest request;
      request.mutable_filter()->set_industry_prefix(industry);
      request.mutable_filter()->set_tag(tag);
      auto context = Registry::Context();
      auto reader = r.stub->ExportSubjects(context.get(), request);
      v1::ExportSubjectsResponse batch;
      size_t n = 0;
      while (reader->Read(&batch)) n += batch.subjects_size();
      CHECK(reader->Finish().ok());
      return n;
    };
    CHECK(exported("H", "") == 248);  // 6210 正餐服务 is in section H 住宿和餐饮业
    CHECK(exported("62", "") == 248);
    CHECK(exported("F", "") == 0);
    CHECK(exported("", "food-business") == 248);
    CHECK(exported("621", "no-such-tag") == 0);
  }
}

// The batches written back to back by a thread of their own while this one reads the
// answers: the registry prepares a batch while the one before it commits.
struct Streamed {
  std::vector<v1::ImportSubjectsResponse> answers;
  grpc::Status status;
};
Streamed StreamBatches(Registry& r, const std::vector<v1::ImportSubjectsRequest>& batches) {
  auto context = Registry::Context();
  auto stream = r.stub->ImportSubjects(context.get());
  std::thread writer([&] {
    for (const auto& batch : batches) {
      if (!stream->Write(batch)) break;  // the server ended the stream
    }
    stream->WritesDone();
  });
  Streamed out;
  for (v1::ImportSubjectsResponse answer; stream->Read(&answer);) out.answers.push_back(answer);
  writer.join();
  out.status = stream->Finish();
  return out;
}

SCENARIO("batches sent back to back are answered in order, each decided after the one before") {
  Registry r;
  // Batch k holds subjects 25k .. 25k+49: half of them are the second half of batch k-1,
  // renamed. A batch is decided while the one before it commits, so those rows were read
  // as absent: the commit's precondition catches them and the batch is decided again, as
  // updates.
  constexpr int kBatches = 20, kRows = 50;
  std::vector<v1::ImportSubjectsRequest> batches(kBatches);
  for (int k = 0; k < kBatches; ++k) {
    for (int j = 0; j < kRows; ++j) {
      v1::ImportRow* row = batches[k].add_rows();
      row->set_row_number(k * kRows + j + 2);
      *row->mutable_subject() = ValidSubject(25 * k + j);
      row->mutable_subject()->set_name(absl::StrCat("义乌市稠城", 25 * k + j, "号小吃店", k, "分店"));
    }
  }
  const Streamed streamed = StreamBatches(r, batches);
  REQUIRE(streamed.status.ok());
  REQUIRE(streamed.answers.size() == kBatches);
  for (int k = 0; k < kBatches; ++k) {
    INFO("batch " << k);
    CHECK(streamed.answers[k].last_row_number() == (k + 1) * kRows + 1);
    CHECK(streamed.answers[k].accepted() == kRows);
    CHECK(streamed.answers[k].errors_size() == 0);
  }
  CHECK(r.Stored() == 25 * (kBatches - 1) + kRows);
  CHECK(r.Outbox() == kBatches * kRows);  // one event a row: registered, or changed
  for (const int n : {0, 25, 30, 49, 25 * (kBatches - 1) + 49}) {
    INFO("subject " << n);
    v1::GetSubjectRequest get;
    get.set_uscc(ValidSubject(n).uscc());
    v1::Subject stored;
    REQUIRE(r.stub->GetSubject(Registry::Context().get(), get, &stored).ok());
    const int last_batch = std::min(n / 25, kBatches - 1);  // the later of its two batches
    CHECK(stored.name() == absl::StrCat("义乌市稠城", n, "号小吃店", last_batch, "分店"));
    CHECK(stored.version() == (n < 25 || n >= 25 * kBatches ? 1 : 2));
  }
}

SCENARIO("a bad batch behind good ones ends the stream after their answers, and nothing after it is read") {
  Registry r;
  std::vector<v1::ImportSubjectsRequest> batches(4);
  for (int k : {0, 1, 3}) {
    for (int j = 0; j < 10; ++j) {
      v1::ImportRow* row = batches[k].add_rows();
      row->set_row_number(k * 10 + j + 2);
      *row->mutable_subject() = ValidSubject(100 * k + j);
    }
  }
  for (int j = 0; j <= kMaxImportRows; ++j) batches[2].add_rows()->set_row_number(j + 2);
  const Streamed streamed = StreamBatches(r, batches);
  CHECK(streamed.status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(streamed.status.error_message().find("rows") != std::string::npos);
  REQUIRE(streamed.answers.size() == 2);
  CHECK(streamed.answers[0].accepted() == 10);
  CHECK(streamed.answers[1].accepted() == 10);
  CHECK(r.Stored() == 20);
  CHECK(r.Outbox() == 20);
}

SCENARIO("the ID number never reaches a log line") {
  testing::TempDir logs("jg-subject-logs");
  const std::string path = logs.Sub("stderr.log");
  std::fflush(stderr);
  const int saved = dup(2);
  const int file = open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
  REQUIRE(dup2(file, 2) == 2);
  {
    Registry r;
    v1::Subject s = ValidSubject(9);
    REQUIRE(r.Register(s).ok());
    s.mutable_legal_representative()->set_id_number(std::string(kIdNumber) + "!");  // refused
    s.set_uscc(MakeUscc('2', "330782", 10));
    CHECK(!r.Register(s).ok());
    v1::GetSubjectRequest get;
    get.set_uscc(ValidSubject(9).uscc());
    v1::Subject out;
    CHECK(r.stub->GetSubject(Registry::Context(true).get(), get, &out).ok());
  }
  std::fflush(stderr);
  dup2(saved, 2);
  close(saved);
  close(file);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  CHECK(!text.str().empty());  // the host logged its calls
  CHECK(text.str().find(kIdNumber) == std::string::npos);
}

}  // namespace
}  // namespace jianguan::subject
