// The catalogue in-process on the real broker: writes over gRPC reach jianguan.catalogue.v1
// as typed CloudEvents keyed by resource name, and a refused write publishes nothing.
#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "jianguan/catalogue/v1/events.pb.h"
#include "libs/core/code_table.h"
#include "libs/events/kafka_admin.h"
#include "libs/events/topics.h"
#include "libs/runtime/service_runtime.h"
#include "libs/testing/catalogue_items.h"
#include "libs/testing/kafka.h"
#include "libs/testing/temp_dir.h"
#include "services/catalogue/catalogue_service.h"

namespace jianguan::catalogue {
namespace {

TEST_CASE("catalogue writes publish their events; a refused write publishes none") {
  const std::string brokers = testing::KafkaBrokers();
  REQUIRE(events::CreateTopics(brokers, {topics::kCatalogue}, 3).ok());
  auto reader = events::TopicReader::Open(brokers, topics::kCatalogue, events::TopicReader::From::kEnd);
  REQUIRE(reader.ok());
  (*reader)->Next(absl::Seconds(2));  // let the reader take its partitions at the end

  const std::string root = std::getenv("JG_DATA_ROOT");
  auto regions = CodeTable::Load(root + "/regions.csv");
  auto industries = CodeTable::Load(root + "/industries.csv");
  REQUIRE(regions.ok());
  REQUIRE(industries.ok());
  testing::TempDir dir;
  RuntimeOptions options;
  options.service_name = kServiceName;
  options.families = CatalogueStore::Families();
  options.data_dir = dir.path();
  options.kafka_brokers = brokers;
  options.sync_writes = false;
  options.host.service_name = kServiceName;
  auto runtime = ServiceRuntime::Open(options);
  REQUIRE(runtime.ok());
  CatalogueService service((*runtime)->store(), (*runtime)->clock(), *regions, *industries);
  (*runtime)->host().AddService(&service);
  REQUIRE((*runtime)->Start().ok());
  auto stub = v1::Catalogue::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", (*runtime)->host().bound_port()), grpc::InsecureChannelCredentials()));
  const auto call = [&](auto method, const auto& request, auto* response) {
    grpc::ClientContext context;
    context.AddMetadata("x-jg-department", "330700-SCJG");
    return ((*stub).*method)(&context, request, response);
  };

  // Codes unique to this run, so events of earlier runs on the same topic never match.
  const std::string run = std::to_string(absl::ToUnixMillis(absl::Now()) % 100000000);
  const std::string department = "IT" + run + "-SCJG";
  const std::string code = "IT" + run + "-01";

  v1::CreateDepartmentRequest create_department;
  create_department.set_request_id("dept-" + run);
  v1::Department* d = create_department.mutable_department();
  d->set_code(department);
  d->set_name("金华市市场监督管理局");
  d->set_level(v1::LEVEL_CITY);
  d->mutable_region()->set_code("330700");
  d->set_status(v1::DEPARTMENT_STATUS_ACTIVE);
  v1::Department created;
  REQUIRE(call(&v1::Catalogue::Stub::CreateDepartment, create_department, &created).ok());

  v1::CreateItemRequest create_item;
  create_item.set_request_id("item-" + run);
  *create_item.mutable_item() = testing::MetrologyItem(code, department);
  v1::ItemView view;
  REQUIRE(call(&v1::Catalogue::Stub::CreateItem, create_item, &view).ok());
  v1::PublishItemRequest publish;
  publish.set_request_id("publish-" + run);
  publish.set_name("items/" + code);
  REQUIRE(call(&v1::Catalogue::Stub::PublishItem, publish, &view).ok());

  // Refused: a check point without allowed answers. Nothing may be published for it.
  v1::CreateItemRequest bad = create_item;
  bad.set_request_id("bad-" + run);
  bad.mutable_item()->set_code(code + "-X");
  bad.mutable_item()->mutable_check_points(0)->clear_allowed_answers();
  grpc::Status refused = call(&v1::Catalogue::Stub::CreateItem, bad, &view);
  CHECK(refused.error_code() == grpc::StatusCode::INVALID_ARGUMENT);

  std::map<std::string, std::string> seen;  // ce_subject → ce_type
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (absl::Now() < deadline && seen.size() < 2) {
    auto event = (*reader)->Next(absl::Seconds(1));
    if (!event || event->subject().find("IT" + run) == std::string_view::npos) continue;
    seen[std::string(event->subject())] = std::string(event->type());
    CHECK(event->key == event->subject());
    if (event->type() == "jianguan.catalogue.v1.ItemPublished") {
      auto published = events::Decode<v1::ItemPublished>(*event);
      REQUIRE(published.ok());
      CHECK(published->item().version() == 1);
      CHECK(published->item().check_points(0).allowed_answers_size() == 1);
    }
  }
  CHECK(seen["departments/" + department] == "jianguan.catalogue.v1.DepartmentChanged");
  CHECK(seen["items/" + code] == "jianguan.catalogue.v1.ItemPublished");
  // A few more seconds of nothing about the refused item.
  for (const auto& event : (*reader)->ReadAtLeast(1, absl::Seconds(3))) {
    CHECK(event.subject() != "items/" + code + "-X");
  }
  CHECK(seen.count("items/" + code + "-X") == 0);
  (*runtime)->Shutdown(absl::Now() + absl::Seconds(5));
}

}  // namespace
}  // namespace jianguan::catalogue
