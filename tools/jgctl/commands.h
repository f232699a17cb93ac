// jgctl's commands. Each takes the positional arguments after its name and returns the
// process exit status: 0 success, 1 the operation failed, 2 bad usage.
#pragma once

#include <string>
#include <vector>

namespace jianguan::jgctl {

/// jgctl health [--target host:port]… : grpc.health.v1 Check on every service (or the
/// targets), one line each; exit 1 when any is not SERVING.
int Health(const std::vector<std::string>& args);

/// jgctl events tail TOPIC [--from_beginning] [--count N] [--idle_timeout_s S]: every event
/// as one JSON line, decoded with the descriptor set.
int EventsTail(const std::vector<std::string>& args);

/// jgctl audit verify --data_dir D: walks a stopped service's audit chain.
int AuditVerify(const std::vector<std::string>& args);

/// jgctl subjects import FILE.csv | get USCC | list | profile USCC: the subject registry.
int Subjects(const std::vector<std::string>& args);

/// jgctl notifications list | claim ID | pass ID --to DEPT --reason TEXT: a department's dual
/// notifications (双告知) in the subject registry (--registry, JG_GRPC_TARGET; as --department
/// and --user).
int Notifications(const std::vector<std::string>& args);

/// jgctl items | forms | inspectors | applicable | catalogue import FILE: the catalogue;
/// `args` starts with the command's name.
int Catalogue(const std::vector<std::string>& args);

/// jgctl plans create FILE.json | list | get | approve | publish | complete | tasks |
/// export-package | public | export-result: sampling plans (--sampling, JG_GRPC_TARGET).
int Plans(const std::vector<std::string>& args);

/// jgctl draw NAME --entropy TEXT [--entropy_source TEXT]: draws an approved plan.
int Draw(const std::vector<std::string>& args);

/// jgctl tasks list | get | accept | arrive | submit-result FILE.json | review | publish |
/// cancel: inspection tasks (--inspection, JG_GRPC_TARGET; as --department and --user).
int Tasks(const std::vector<std::string>& args);

/// jgctl results public --plan NAME | --uscc USCC: published inspection results (一公开).
int Results(const std::vector<std::string>& args);

/// jgctl credit score | explain | repair | check | reclassify | models: the credit service
/// (--credit, JG_GRPC_TARGET).
int Credit(const std::vector<std::string>& args);

/// jgctl cases leads … | file | act | list | get | trail | document | on-spot | public | help:
/// leads and cases of the case handling service (--cases, JG_GRPC_TARGET; as --department and
/// --user).
int Cases(const std::vector<std::string>& args);

/// jgctl alerts list | get | accept | close | dispatch | report, readings send | list,
/// devices register | list, risk level | rules: the risk service (--risk, JG_GRPC_TARGET; as
/// --department and --user); `args` starts with the command's name.
int Risk(const std::vector<std::string>& args);

/// jgctl kpi [--from D] [--to D]: the loop KPIs (闭环监管指标) of --department over a period
/// in one table, from the inspection, cases and risk services (--inspection, --cases, --risk);
/// exit 1 naming a service that fails or does not answer.
int Kpi(const std::vector<std::string>& args);

}  // namespace jianguan::jgctl
