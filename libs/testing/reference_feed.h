// Reference data as the catalogue and the subject registry publish it, sent with an
// EventFeed, for tests and benches of a service that projects it without those services
// running (risk routes its alerts over a department's field, an item's applicability and a
// subject's industry and region).
//
//   testing::EventFeed feed("risk-it-" + run);
//   testing::SendDepartment(feed, {.code = "330700-STHJ", .name = "金华市生态环境局",
//                                  .region = "330700", .field = "ecology-environment"});
//   testing::SendItem(feed, {.code = "STHJ-01", ...});
//   testing::SendSubject(feed, {.uscc = uscc, .name = "…", .industry = "4620", ...});
//   feed.Flush();
#pragma once

#include <string>
#include <vector>

#include "libs/testing/event_feed.h"

namespace jianguan::testing {

/// An active city-level department with one field of supervision (监管领域).
struct CatalogueDepartment {
  std::string code;    // "330700-STHJ"
  std::string name;    // "金华市生态环境局"
  std::string region;  // GB/T 2260, "330700"
  std::string field;   // "ecology-environment"
};

/// A published city-level item, version 1, owned by one department, applying to every
/// subject of one industry (GB/T 4754).
struct CatalogueItem {
  std::string code;
  std::string name;
  std::string department;
  std::string field;
  std::string industry;
};

/// A registered enterprise in normal standing, version 1, its business region the same as
/// its registration region.
struct RegisteredSubject {
  std::string uscc;
  std::string name;
  std::string industry;
  std::string region;
};

/// DepartmentChanged (created) on jianguan.catalogue.v1, keyed "departments/{code}".
void SendDepartment(EventFeed& feed, const CatalogueDepartment& department);
/// ItemPublished on jianguan.catalogue.v1, keyed "items/{code}".
void SendItem(EventFeed& feed, const CatalogueItem& item);
/// SubjectRegistered on jianguan.subject.v1, keyed by the USCC.
void SendSubject(EventFeed& feed, const RegisteredSubject& subject);

/// The Jinhua ecology bureau (330700-STHJ, field ecology-environment), its item for key
/// dischargers (STHJ-01, industry 4620 sewage treatment), and each of `usccs` as a sewage
/// plant of 磐安县 (330727) named "磐安县测试污水处理有限公司{i}"; then Flush.
void SendJinhuaEcology(EventFeed& feed, const std::vector<std::string>& usccs);

}  // namespace jianguan::testing
