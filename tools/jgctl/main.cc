// jgctl: the operator's command line for the jianguan suite.
//
//   jgctl health                         health of every service on this machine
//   jgctl events tail jianguan.subject.v1 --from_beginning --count 10
//   jgctl audit verify --data_dir .run/data/subject-registry
//   jgctl plans create plan.json && jgctl plans approve 2026-jh-01
//   jgctl draw 2026-jh-01 --entropy '福彩3D 2026061期 4 7 1'
//   jgctl tasks list --department 330700-SCJG --plan 2026-jh-01
//   jgctl cases act 01JDQ7ZJ6V8X4D0Q9W3E5R2T1Y start-investigation --officers A,B
//   jgctl readings send readings.csv && jgctl alerts list --department 330700-STHJ
//   jgctl kpi --department 330700-SCJG --from 2026-01-01
//   jgctl notifications list --department 330782-SCJG --overdue
//
// Common flags (environment fallback in brackets): --kafka_brokers [JG_KAFKA_BROKERS],
// --kafka_tls_ca/--kafka_tls_cert/--kafka_tls_key [JG_KAFKA_TLS_*] (a TLS listener),
// --host [JG_HOST], --descriptor_set [JG_DESCRIPTOR_SET].
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "grpc/grpc.h"
#include "tools/jgctl/commands.h"

namespace {

constexpr char kUsage[] = R"(jgctl: operate the jianguan suite.

Commands:
  health [--target host:port ...]       grpc.health.v1 Check of every service (or the targets)
  events tail TOPIC [--from_beginning] [--count N] [--idle_timeout_s S]
                                        print each event of TOPIC as one JSON line (a TLS
                                        listener: --kafka_tls_ca, --kafka_tls_cert, --kafka_tls_key)
  audit verify --data_dir DIR           verify the audit chain (全程留痕) of a stopped service
  subjects import FILE.csv | get USCC | list [--region_prefix P] | profile USCC
                                        the subject registry (--registry, JG_GRPC_TARGET)
  subjects public-list abnormal|serious [--region_prefix P] | public-get USCC
                                        the public lists, without credentials
                                        (--public_registry; --tls_ca for TLS)
  notifications list [--state raised|claimed|closed] [--overdue] [--uscc U] [--dept D] |
                claim ID | pass ID --to DEPT --reason TEXT
                                        dual notifications (双告知) of --department/
                                        JG_DEPARTMENT in the subject registry: list with
                                        the unclaimed and overdue counts, claim (认领), pass
                                        on (转办) (--registry, JG_GRPC_TARGET)
  items | forms [--dept D] | inspectors [--dept D] [--item C] [--on YYYY-MM-DD]
  applicable --industry 6210 --region 330782 [--subject_type T] [--licences L] [--tags T]
  catalogue import FILE.json|FILE.csv   the catalogue (--catalogue, JG_GRPC_TARGET)
  plans create FILE.json | list [--state S] [--year Y] | get NAME | approve NAME |
        publish NAME | complete NAME | tasks NAME | export-package NAME --out FILE |
        public [NAME [--json]] | export-result NAME --out FILE
                                        sampling plans (--sampling, JG_GRPC_TARGET; writes as
                                        --department, JG_DEPARTMENT, default the initiator)
  draw NAME --entropy TEXT [--entropy_source TEXT]
                                        draw an approved plan with the public entropy (摇号)
  tasks list [--state S] [--plan NAME] [--uscc USCC] | get NAME | accept NAME | arrive NAME |
        submit-result FILE.json | review NAME [--decision approve|return] [--comment C] |
        publish NAME | cancel NAME --reason R
                                        inspection tasks (--inspection, JG_GRPC_TARGET; as
                                        --department/JG_DEPARTMENT and --user/JG_USER)
  results public --plan NAME | --uscc USCC
                                        published inspection results (一公开), no credentials
  credit score USCC | explain USCC | repair USCC --entry N --statement TEXT |
         check USCC --measure subsidy|honour|tender|commitment [--item CODE] |
         reclassify YYYY-MM | models
                                        credit scores, their explanation, repair (信用修复),
                                        joint punishment checks (--credit, JG_GRPC_TARGET)
  cases leads list [--state S] | leads get LEAD | leads register FILE.json |
        leads transfer LEAD --to DEPT --reason R | leads answer LEAD --accept|--return |
        leads extend LEAD --reason R | leads decline LEAD --reason R |
        file LEAD --party NAME --party_kind organisation|citizen --officers O1,O2
             [--items C1,C2] [--legal_review] [--date D] |
        act CASE ACTION [--date D] [--officers O1,O2] [--note N] [--penalty P] … |
        act CASE FILE.json | list [--state S] [--at_risk] | get CASE [--as_of D] |
        trail CASE | document NAME [--pdf OUT.pdf] | on-spot FILE.json | public [--dept D]
                                        leads (案源) and cases (办案) of the case handling
                                        service (--cases, JG_GRPC_TARGET; as --department/
                                        JG_DEPARTMENT and --user/JG_USER); 'jgctl cases help'
                                        lists every ACTION and what it needs
  alerts list [--dept D] [--state S] [--uscc U] [--rule R] | get NAME | accept NAME |
         close NAME --outcome dismissed|not-inspected --reason TEXT |
         dispatch NAME [--dept D] --item CODE[,CODE] --reason TEXT |
         report --from YYYY-MM-DD --to YYYY-MM-DD [--dept D]
  readings send FILE.csv [--batch N] | list DEVICE METRIC [--from T] [--to T]
  devices register ID --uscc U --metrics M1,M2 --description TEXT | list [--uscc U]
  risk level USCC | rules
                                        risk alerting (风险预警): alerts from raise to close,
                                        monitoring readings and devices, risk levels, rule
                                        sets (--risk, JG_GRPC_TARGET; as --department/
                                        JG_DEPARTMENT and --user/JG_USER; --dept, else a
                                        --department given, is the department a command is
                                        about, --dept all every department); 'jgctl alerts
                                        help' says more
  kpi [--from YYYY-MM-DD] [--to YYYY-MM-DD]
                                        the loop KPIs (闭环监管指标) of --department/
                                        JG_DEPARTMENT in one table with their definitions
                                        (default: this Beijing year to date), asked of
                                        inspection, cases and risk (--inspection, --cases,
                                        --risk; not JG_GRPC_TARGET)

Flags: --kafka_brokers (JG_KAFKA_BROKERS, default 127.0.0.1:9092), --host (default 127.0.0.1),
--descriptor_set (JG_DESCRIPTOR_SET; default: the build's jianguan.desc, else the built-in
contracts). Run 'jgctl --helpfull' for every flag.)";

}  // namespace

static int Run(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  std::vector<std::string> args(rest.begin() + 1, rest.end());
  if (args.empty()) {
    std::fprintf(stderr, "%s\n", kUsage);
    return 2;
  }
  const std::string command = args[0];
  if (command == "health") return jianguan::jgctl::Health({args.begin() + 1, args.end()});
  if (command == "events" && args.size() >= 2 && args[1] == "tail") {
    return jianguan::jgctl::EventsTail({args.begin() + 2, args.end()});
  }
  if (command == "audit" && args.size() >= 2 && args[1] == "verify") {
    return jianguan::jgctl::AuditVerify({args.begin() + 2, args.end()});
  }
  if (command == "subjects") return jianguan::jgctl::Subjects({args.begin() + 1, args.end()});
  if (command == "notifications") {
    return jianguan::jgctl::Notifications({args.begin() + 1, args.end()});
  }
  if (command == "plans") return jianguan::jgctl::Plans({args.begin() + 1, args.end()});
  if (command == "draw") return jianguan::jgctl::Draw({args.begin() + 1, args.end()});
  if (command == "tasks") return jianguan::jgctl::Tasks({args.begin() + 1, args.end()});
  if (command == "results") return jianguan::jgctl::Results({args.begin() + 1, args.end()});
  if (command == "credit") return jianguan::jgctl::Credit({args.begin() + 1, args.end()});
  if (command == "cases") return jianguan::jgctl::Cases({args.begin() + 1, args.end()});
  if (command == "kpi") return jianguan::jgctl::Kpi({args.begin() + 1, args.end()});
  for (const char* risk : {"alerts", "readings", "devices", "risk"}) {
    if (command == risk) return jianguan::jgctl::Risk(args);
  }
  for (const char* catalogue : {"items", "forms", "inspectors", "applicable", "catalogue"}) {
    if (command == catalogue) return jianguan::jgctl::Catalogue(args);
  }
  std::fprintf(stderr, "jgctl: unknown command '%s'\n\n%s\n", command.c_str(), kUsage);
  return 2;
}

// gRPC tears its channels down on its own threads after the last one is released; a process
// that returns from main at once can exit with a TLS channel's OpenSSL objects half freed
// (LeakSanitizer reported them, from libcrypto, in tls_test's jgctl run). gRPC is started
// here and its shutdown waited for, so everything a command made is gone before exit.
int main(int argc, char** argv) {
  grpc_init();
  const int status = Run(argc, argv);
  grpc_shutdown_blocking();
  return status;
}
