// jgctl against real parts: health of a real gRPC server, events tail of a real topic
// decoded through the build's descriptor set, the audit chain of a real store, and the
// dual notifications of the real subject-registry binary.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "jianguan/catalogue/v1/events.pb.h"
#include "jianguan/subject/v1/events.pb.h"
#include "jianguan/subject/v1/subject.grpc.pb.h"
#include "libs/testing/ports.h"
#include "libs/testing/metrics_scrape.h"

#include "jianguan/ops/v1/probe.pb.h"
#include "libs/events/kafka_admin.h"
#include "libs/events/kafka_publisher.h"
#include "libs/events/outbox_relay.h"
#include "libs/server/grpc_server.h"
#include "libs/testing/child_process.h"
#include "libs/testing/command_run.h"
#include "libs/testing/kafka.h"
#include "libs/testing/service_binary.h"
#include "libs/testing/temp_dir.h"
#include "libs/testing/uscc_series.h"

namespace jianguan {
namespace {

using testing::ChildProcess;

struct Run {
  int exit_code = -1;
  std::vector<std::string> lines;
};

Run Jgctl(std::vector<std::string> args, absl::Duration timeout = absl::Seconds(60)) {
  args.insert(args.begin(), JG_JGCTL);
  ChildProcess child(args);
  Run run;
  const absl::Time deadline = absl::Now() + timeout;
  while (auto line = child.ReadLine(deadline - absl::Now())) run.lines.push_back(*line);
  auto status = child.Wait(absl::Seconds(10));
  if (status && WIFEXITED(*status)) run.exit_code = WEXITSTATUS(*status);
  return run;
}

TEST_CASE("jgctl health reports a serving server and an unreachable one") {
  ServiceHost host({.service_name = "jgctl-test"});
  REQUIRE(host.Start().ok());
  const std::string serving = "127.0.0.1:" + std::to_string(host.bound_port());

  Run ok = Jgctl({"health", "--target", serving});
  CHECK(ok.exit_code == 0);
  REQUIRE(ok.lines.size() == 2);
  CHECK(ok.lines[1].find("SERVING") != std::string::npos);

  Run down = Jgctl({"health", "--target", serving + ",127.0.0.1:1"});
  CHECK(down.exit_code == 1);
  REQUIRE(down.lines.size() == 3);
  CHECK(down.lines[2].find("UNREACHABLE") != std::string::npos);
  host.Shutdown(absl::Now() + absl::Seconds(5));
}

TEST_CASE("jgctl events tail prints each event as one JSON line with its decoded payload") {
  const std::string brokers = testing::KafkaBrokers();
  const std::string topic = testing::UniqueName("it.tail");
  REQUIRE(events::CreateTopics(brokers, {topic}, 1).ok());
  testing::TempDir dir;
  auto store = std::move(*store::Store::Open({.path = dir.path()}));
  store::UnitOfWork work;
  for (int i = 1; i <= 3; ++i) {
    ops::v1::ProbeEmitted probe;
    probe.set_run_id("tail");
    probe.set_sequence(i);
    probe.set_note("检查 " + std::to_string(i));
    work.AddEvent(events::MakeEvent({.topic = topic, .key = "probe/1", .source = "jgctl-test",
                                     .subject = "probe/1", .time = absl::FromUnixSeconds(1'790'000'000)},
                                    probe));
  }
  REQUIRE(store->Commit(work).ok());
  auto publisher = events::KafkaPublisher::Create({.brokers = brokers});
  REQUIRE(publisher.ok());
  events::OutboxRelay relay(*store, **publisher);
  relay.Start();
  REQUIRE(relay.AwaitDrained(absl::Seconds(60)));
  relay.Stop();

  Run tail = Jgctl({"events", "tail", topic, "--kafka_brokers", brokers, "--from_beginning",
                    "--count", "3"});
  CHECK(tail.exit_code == 0);
  REQUIRE(tail.lines.size() == 3);
  CHECK(tail.lines[0].find("\"ce_type\":\"jianguan.ops.v1.ProbeEmitted\"") != std::string::npos);
  CHECK(tail.lines[0].find("\"ce_time\":\"2026-09-21T14:13:20Z\"") != std::string::npos);
  CHECK(tail.lines[0].find("\"data\":{\"run_id\":\"tail\",\"sequence\":\"1\",\"note\":\"检查 1\"}") !=
        std::string::npos);
  CHECK(tail.lines[2].find("\"offset\":2") != std::string::npos);

  Run missing = Jgctl({"events", "tail", testing::UniqueName("it.nowhere"), "--kafka_brokers",
                       brokers, "--count", "1"});
  CHECK(missing.exit_code == 1);
}

TEST_CASE("jgctl audit verify walks a store's chain") {
  testing::TempDir dir;
  {
    auto store = std::move(*store::Store::Open({.path = dir.path(), .families = {"things"}}));
    for (int i = 0; i < 3; ++i) {
      store::UnitOfWork work;
      common::v1::AuditRecord audit;
      audit.set_department("330700-SCJG");
      audit.set_method("/test/Change");
      audit.set_resource("things/" + std::to_string(i));
      work.SetAudit(audit);
      work.Put("things", std::to_string(i), "v");
      REQUIRE(store->Commit(work).ok());
    }
  }
  Run run = Jgctl({"audit", "verify", "--data_dir", dir.path()});
  CHECK(run.exit_code == 0);
  REQUIRE_FALSE(run.lines.empty());
  CHECK(run.lines[0] == "audit chain intact: 3 records");
}

bool Has(const Run& run, const std::string& text) {
  for (const auto& line : run.lines) {
    if (line.find(text) != std::string::npos) return true;
  }
  return false;
}

std::string Sha256OfFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return store::Sha256Hex(content.str());
}

TEST_CASE("jgctl plans and draw take a joint plan from a JSON file to its public result") {
  const std::string brokers = testing::KafkaBrokers();
  testing::TempDir dir("jg-jgctl-plans");
  // Names of this run only: the shared topics hold earlier runs' subjects and inspectors.
  const std::string run = std::to_string(absl::ToUnixMillis(absl::Now()) % 100000000);
  const std::string scjg = "JC" + run + "-SCJG", wsj = "JC" + run + "-WSJ";
  const std::string tag = "jgctl-" + run, plan_id = "jgctl-" + run;

  // Sampling's inputs straight onto the topics: two items, three inspectors per department,
  // 20 tagged subjects.
  {
    auto outbox = std::move(*store::Store::Open({.path = dir.Sub("outbox"), .sync_writes = false}));
    store::UnitOfWork work;
    const auto add = [&](const std::string& topic, const std::string& key,
                         const google::protobuf::Message& message) {
      work.AddEvent(events::MakeEvent(
          {.topic = topic, .key = key, .source = "jgctl-test", .subject = key, .time = absl::Now()},
          message));
    };
    for (const auto& [code, department] : {std::pair{"JC" + run + "-01", scjg},
                                           std::pair{"JC" + run + "-02", wsj}}) {
      catalogue::v1::DepartmentChanged changed;  // plans may name only known departments
      changed.set_created(true);
      changed.mutable_department()->set_code(department);
      changed.mutable_department()->set_name(department);
      changed.mutable_department()->set_status(catalogue::v1::DEPARTMENT_STATUS_ACTIVE);
      changed.mutable_department()->set_version(1);
      add("jianguan.catalogue.v1", "departments/" + department, changed);
      catalogue::v1::ItemPublished item;
      item.mutable_item()->set_code(code);
      item.mutable_item()->set_version(1);
      item.mutable_item()->set_field("metrology");
      add("jianguan.catalogue.v1", "items/" + code, item);
      for (int i = 1; i <= 3; ++i) {
        catalogue::v1::InspectorRegistered registered;
        catalogue::v1::Inspector& inspector = *registered.mutable_inspector();
        inspector.set_id(absl::StrCat(department, "-", i));
        inspector.set_name(absl::StrCat("执法员", i));
        inspector.mutable_department()->set_code(department);
        inspector.mutable_certificate()->set_number(absl::StrCat(department, "-", i));
        auto* from = inspector.mutable_certificate()->mutable_valid_from();
        from->set_year(2025), from->set_month(1), from->set_day(1);
        auto* until = inspector.mutable_certificate()->mutable_valid_until();
        until->set_year(2028), until->set_month(12), until->set_day(31);
        inspector.add_authorised_items(code);
        inspector.set_status(catalogue::v1::INSPECTOR_STATUS_ACTIVE);
        inspector.set_version(1);
        add("jianguan.catalogue.v1", "inspectors/" + inspector.id(), registered);
      }
    }
    for (int n = 0; n < 20; ++n) {
      subject::v1::SubjectRegistered registered;
      subject::v1::SubjectFacts& facts = *registered.mutable_facts();
      // Valid codes (the projection checks them as the registry does), unique to the run.
      facts.set_uscc(testing::SeriesUscc("92330702", std::stoull(run) * 100 + n));
      facts.set_name(absl::StrCat("金华市命令行测试", n, "号商行"));
      facts.set_type(subject::v1::SUBJECT_TYPE_INDIVIDUAL_BUSINESS);
      facts.mutable_industry()->set_code("5212");
      facts.mutable_business_region()->set_code("330702");
      facts.mutable_registration_region()->set_code("330702");
      facts.add_tags(tag);
      facts.set_status(subject::v1::SUBJECT_STATUS_NORMAL);
      facts.set_version(1);
      add("jianguan.subject.v1", facts.uscc(), registered);
    }
    REQUIRE(outbox->Commit(work).ok());
    auto publisher = events::KafkaPublisher::Create({.brokers = brokers});
    REQUIRE(publisher.ok());
    events::OutboxRelay relay(*outbox, **publisher);
    relay.Start();
    REQUIRE(relay.AwaitDrained(absl::Seconds(60)));
    relay.Stop();
  }

  const int grpc_port = jianguan::testing::FreeLoopbackPort(), metrics_port = jianguan::testing::FreeLoopbackPort();
  ChildProcess sampling({JG_SAMPLING, "--grpc_port", std::to_string(grpc_port), "--metrics_port",
                         std::to_string(metrics_port), "--data_dir", dir.Sub("sampling"),
                         "--kafka_brokers", brokers});
  // Projected once its consumers show no lag and apply nothing more for three seconds.
  {
    const absl::Time deadline = absl::Now() + absl::Seconds(180);
    double last = -1;
    absl::Time stable_since = absl::Now();
    for (;;) {
      const std::string text = testing::HttpGet(metrics_port, "/metrics");
      double applied = 0, lag = 0;
      for (const char* group : {"sampling-subjects", "sampling-catalogue"}) {
        const std::string label = absl::StrCat("group=\"", group, "\"");
        applied += testing::SampleValue(text, "jianguan_consumer_events_total",
                                        {label, "outcome=\"applied\""});
        lag += std::abs(testing::SampleValue(text, "jianguan_consumer_lag", {label}));
      }
      if (applied != last || lag != 0 || applied <= 0) {
        last = applied;
        stable_since = absl::Now();
      } else if (absl::Now() - stable_since > absl::Seconds(3)) {
        break;
      }
      REQUIRE(absl::Now() < deadline);
      absl::SleepFor(absl::Milliseconds(200));
    }
  }

  const std::string plan_file = dir.Sub("plan.json");
  std::ofstream(plan_file) << absl::StrCat(R"({
    "planId": ")", plan_id, R"(", "title": "jgctl 联合抽查", "year": 2026,
    "initiatingDepartment": {"code": ")", scjg, R"("},
    "departments": [
      {"department": {"code": ")", scjg, R"("}, "items": [{"code": "JC)", run, R"(-01", "version": 1}]},
      {"department": {"code": ")", wsj, R"("}, "items": [{"code": "JC)", run, R"(-02", "version": 1}]}],
    "target": {"tags": [")", tag, R"("]},
    "classRules": [{"className": "B-general", "ppm": "500000", "roundUp": true, "max": "-1"}],
    "periodStart": {"year": 2026, "month": 3, "day": 1},
    "periodEnd": {"year": 2026, "month": 6, "day": 30}
  })");
  const std::string target = absl::StrCat("--sampling=127.0.0.1:", grpc_port);

  Run created = Jgctl({"plans", "create", plan_file, target});
  CHECK(created.exit_code == 0);
  CHECK(Has(created, "plans/" + plan_id + "  draft"));
  // A draft is readable only by its departments, so the acting one must be named.
  // (What it says goes to stderr, which this runner does not read; tools/jgctl/plans.cc.)
  Run unnamed = Jgctl({"plans", "approve", plan_id, target});
  CHECK(unnamed.exit_code == 1);
  CHECK_FALSE(Has(unnamed, "approved"));
  // From here on jgctl acts as the initiator (JG_DEPARTMENT), unless told otherwise.
  struct ActAs {
    explicit ActAs(const std::string& department) {
      setenv("JG_DEPARTMENT", department.c_str(), 1);
    }
    ~ActAs() { unsetenv("JG_DEPARTMENT"); }
  } act_as(scjg);
  Run approved = Jgctl({"plans", "approve", plan_id, target});
  CHECK(approved.exit_code == 0);
  CHECK(Has(approved, "approved"));
  CHECK(Has(approved, "candidates: "));
  // Drawing is the initiator's: another department is refused.
  Run refused = Jgctl({"draw", plan_id, "--entropy", "3D 2026061 4 7 1", "--department", wsj,
                       target});
  CHECK(refused.exit_code == 1);
  Run drawn = Jgctl({"draw", plan_id, "--entropy", "3D 2026061 4 7 1",
                     "--entropy_source", "福彩3D开奖公告", target});
  CHECK(drawn.exit_code == 0);
  CHECK(Has(drawn, "10 tasks, 10 visits saved"));
  std::string digest;
  for (const auto& line : drawn.lines) {
    if (line.rfind("result digest: ", 0) == 0) digest = line.substr(15);
  }
  CHECK(digest.size() == 64);
  // Repeated, the same command gets the first answer; another entropy is refused.
  CHECK(Jgctl({"draw", plan_id, "--entropy", "3D 2026061 4 7 1", "--entropy_source",
               "福彩3D开奖公告", target}).exit_code == 0);
  CHECK(Jgctl({"draw", plan_id, "--entropy", "other", target}).exit_code == 1);
  CHECK(Jgctl({"plans", "publish", plan_id, target}).exit_code == 0);

  Run shown = Jgctl({"plans", "public", plan_id, target});
  CHECK(shown.exit_code == 0);
  CHECK(Has(shown, "result digest: " + digest));
  CHECK(Has(shown, "secret: "));
  CHECK(shown.lines.size() >= 10);
  CHECK_FALSE(Has(shown, scjg + "-1 "));  // no inspector id in public

  Run listed = Jgctl({"plans", "list", "--state", "published", target});
  CHECK(listed.exit_code == 0);
  CHECK(Has(listed, "plans/" + plan_id));
  Run tasks = Jgctl({"plans", "tasks", plan_id, target});
  CHECK(tasks.exit_code == 0);
  CHECK(tasks.lines.size() == 10);

  const std::string result_file = dir.Sub("result.json");
  CHECK(Jgctl({"plans", "export-result", plan_id, "--out", result_file, target}).exit_code == 0);
  CHECK(Sha256OfFile(result_file) == digest);
  const std::string package_file = dir.Sub("package.json");
  CHECK(Jgctl({"plans", "export-package", plan_id, "--out", package_file, target}).exit_code == 0);
  CHECK(Sha256OfFile(package_file).size() == 64);

  CHECK(Jgctl({"plans", "get", "no-such-plan", target}).exit_code == 1);
  CHECK(Jgctl({"plans", "frobnicate", plan_id, target}).exit_code == 2);
  sampling.Kill(SIGTERM);
  CHECK(sampling.Wait(absl::Seconds(20)).has_value());
}

TEST_CASE("jgctl notifications lists, claims and passes a department's dual notifications") {
  testing::TempDir dir("jg-jgctl-notifications");
  testing::ServiceBinary registry(JG_SUBJECT_REGISTRY, dir.Sub("registry"));
  auto stub = subject::v1::SubjectRegistry::NewStub(registry.channel());
  // Two restaurants (正餐服务) registered in 义乌: each needs a food business licence, which
  // 义乌's market regulation approves.
  const uint64_t run = static_cast<uint64_t>(absl::ToUnixMillis(absl::Now()) % 100000000);
  std::vector<std::string> ids;
  for (uint64_t i = 0; i < 2; ++i) {
    subject::v1::RegisterSubjectRequest request;
    request.set_request_id(absl::StrCat("reg-", run, "-", i));
    subject::v1::Subject* s = request.mutable_subject();
    s->set_uscc(testing::SeriesUscc("92330782", run * 2 + i));
    s->set_name(absl::StrCat("义乌市测试", i, "号餐厅"));
    s->set_type(subject::v1::SUBJECT_TYPE_INDIVIDUAL_BUSINESS);
    s->mutable_legal_representative()->set_name("王小明");
    s->mutable_industry()->set_code("6210");
    s->mutable_registration_region()->set_code("330782");
    grpc::ClientContext context;
    context.AddMetadata("x-jg-department", "330782-SCJG");
    subject::v1::RegisterSubjectResponse registered;
    REQUIRE(stub->RegisterSubject(&context, request, &registered).ok());
    ids.push_back(s->uscc() + ".FOOD-BUSINESS");
  }
  const std::string target = absl::StrCat("--registry=127.0.0.1:", registry.grpc_port());
  const auto jgctl = [&](std::vector<std::string> args, const std::string& department) {
    args.insert(args.begin(), {JG_JGCTL, "notifications"});
    args.insert(args.end(), {target, "--department=" + department, "--user=OFF-1"});
    return testing::RunCommand(args, absl::Seconds(60));
  };

  const testing::CommandOutput listed = jgctl({"list"}, "330782-SCJG");
  CHECK(listed.exit_code == 0);
  CHECK(listed.Says(ids[0]));
  CHECK(listed.Says(ids[1]));
  CHECK(listed.Says("食品经营许可证"));
  CHECK(listed.Says("unclaimed 2, overdue 0"));
  CHECK(jgctl({"list", "--state", "pending"}, "330782-SCJG").exit_code == 2);
  CHECK(jgctl({"claim"}, "330782-SCJG").exit_code == 2);

  const testing::CommandOutput foreign = jgctl({"claim", ids[0]}, "330700-WGLY");
  CHECK(foreign.exit_code == 1);
  CHECK(foreign.Says("is with 330782-SCJG, not 330700-WGLY: only that department may claim it"));
  const testing::CommandOutput claimed = jgctl({"claim", ids[0]}, "330782-SCJG");
  CHECK(claimed.exit_code == 0);
  CHECK(claimed.Says(ids[0] + " claimed by 330782-SCJG"));
  // The same command again is the same request: answered as before, nothing changes.
  CHECK(jgctl({"claim", ids[0]}, "330782-SCJG").exit_code == 0);

  CHECK(jgctl({"pass", ids[1], "--to", "330700-SCJG"}, "330782-SCJG").exit_code == 2);
  const testing::CommandOutput passed =
      jgctl({"pass", ids[1], "--to", "330700-SCJG", "--reason", "经营场所在市本级"}, "330782-SCJG");
  CHECK(passed.exit_code == 0);
  CHECK(passed.Says(ids[1] + " passed to 330700-SCJG"));
  const testing::CommandOutput refused =
      jgctl({"pass", ids[0], "--to", "330700-SCJG", "--reason", "再转"}, "330782-SCJG");
  CHECK(refused.exit_code == 1);
  CHECK(refused.Says("NOTIFICATION_STATE_CLAIMED"));

  const testing::CommandOutput city = jgctl({"list", "--state", "raised"}, "330700-SCJG");
  CHECK(city.exit_code == 0);
  CHECK(city.Says(ids[1]));
  CHECK(city.Says("unclaimed 1, overdue 0"));
  const testing::CommandOutput own = jgctl({"list", "--state", "claimed"}, "330782-SCJG");
  CHECK(own.Says(ids[0]));
  CHECK(!own.Says(ids[1]));
  CHECK(own.Says("unclaimed 0, overdue 0"));
  CHECK(jgctl({"list", "--overdue"}, "330782-SCJG").Says("unclaimed 0, overdue 0"));
}

}  // namespace
}  // namespace jianguan
