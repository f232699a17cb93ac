#include "libs/testing/reference_feed.h"

#include "absl/strings/str_cat.h"
#include "jianguan/catalogue/v1/events.pb.h"
#include "jianguan/subject/v1/events.pb.h"
#include "libs/events/topics.h"

namespace jianguan::testing {

void SendDepartment(EventFeed& feed, const CatalogueDepartment& facts) {
  catalogue::v1::DepartmentChanged changed;
  changed.set_created(true);
  catalogue::v1::Department& d = *changed.mutable_department();
  d.set_code(facts.code);
  d.set_name(facts.name);
  d.set_level(catalogue::v1::LEVEL_CITY);
  d.mutable_region()->set_code(facts.region);
  d.set_status(catalogue::v1::DEPARTMENT_STATUS_ACTIVE);
  d.add_fields(facts.field);
  d.set_version(1);
  feed.Send(topics::kCatalogue, "departments/" + facts.code, changed);
}

void SendItem(EventFeed& feed, const CatalogueItem& facts) {
  catalogue::v1::ItemPublished published;
  catalogue::v1::RegulatoryItem& item = *published.mutable_item();
  item.set_code(facts.code);
  item.set_version(1);
  item.set_name(facts.name);
  item.add_owning_departments()->set_code(facts.department);
  item.set_level(catalogue::v1::LEVEL_CITY);
  item.set_field(facts.field);
  item.add_applicability()->add_industry_codes(facts.industry);
  item.set_version_state(catalogue::v1::LIFECYCLE_STATE_PUBLISHED);
  feed.Send(topics::kCatalogue, "items/" + facts.code, published);
}

void SendSubject(EventFeed& feed, const RegisteredSubject& subject) {
  subject::v1::SubjectRegistered registered;
  subject::v1::SubjectFacts* facts = registered.mutable_facts();
  facts->set_uscc(subject.uscc);
  facts->set_name(subject.name);
  facts->set_type(subject::v1::SUBJECT_TYPE_ENTERPRISE);
  facts->mutable_industry()->set_code(subject.industry);
  facts->mutable_registration_region()->set_code(subject.region);
  facts->mutable_business_region()->set_code(subject.region);
  facts->set_status(subject::v1::SUBJECT_STATUS_NORMAL);
  facts->set_version(1);
  registered.mutable_subject()->set_uscc(subject.uscc);
  feed.Send(topics::kSubject, subject.uscc, registered);
}

void SendJinhuaEcology(EventFeed& feed, const std::vector<std::string>& usccs) {
  SendDepartment(feed, {.code = "330700-STHJ",
                        .name = "金华市生态环境局",
                        .region = "330700",
                        .field = "ecology-environment"});
  SendItem(feed, {.code = "STHJ-01",
                  .name = "重点排污单位执法检查",
                  .department = "330700-STHJ",
                  .field = "ecology-environment",
                  .industry = "4620"});
  for (size_t i = 0; i < usccs.size(); ++i) {
    SendSubject(feed, {.uscc = usccs[i],
                       .name = absl::StrCat("磐安县测试污水处理有限公司", i),
                       .industry = "4620",
                       .region = "330727"});
  }
  feed.Flush();
}

}  // namespace jianguan::testing
