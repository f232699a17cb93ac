#include "tests/bench/subject-registry/postgres_copy.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "libs/testing/ports.h"
#include "libs/testing/process_stats.h"
#include "libs/testing/temp_dir.h"

namespace jianguan::subject {
namespace {

// The registry's row as a relation: what the generator sets, NOT NULL throughout (the
// registry requires every one of them), the USCC as primary key and the region index the
// lists by region need.
constexpr const char* kCreateTable = R"(
CREATE TABLE subjects (
  uscc text PRIMARY KEY,
  name text NOT NULL,
  type text NOT NULL,
  legal_representative_name text NOT NULL,
  legal_representative_id_number text NOT NULL,
  registered_capital_fen bigint NOT NULL,
  industry text NOT NULL,
  registration_region text NOT NULL,
  business_address_region text NOT NULL,
  business_address_detail text NOT NULL,
  latitude double precision NOT NULL,
  longitude double precision NOT NULL);
CREATE INDEX ON subjects (registration_region);)";

void AppendCsvField(std::string& line, std::string_view value) {
  if (!line.empty()) line += ',';
  // Quoted when it must be, and always when empty: unquoted, an empty field is NULL to COPY.
  if (!value.empty() && value.find_first_of(",\"\r\n") == std::string_view::npos) {
    line.append(value.data(), value.size());
    return;
  }
  line += '"';
  for (char c : value) {
    if (c == '"') line += '"';
    line += c;
  }
  line += '"';
}

std::string Tail(const std::string& path, size_t bytes = 2000) {
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return text.size() > bytes ? "…" + text.substr(text.size() - bytes) : text;
}

// Who runs PostgreSQL's programs: the user postgres (Debian's package creates it) when this
// process is root, since the server refuses root; otherwise this process's own user.
struct Identity {
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

Identity PostgresIdentity() {
  if (::geteuid() != 0) return {};
  const passwd* user = ::getpwnam("postgres");
  if (user == nullptr) {
    throw std::runtime_error(
        "running as root and there is no user postgres to run PostgreSQL as (the server "
        "refuses root; Debian's postgresql-15 package creates that user)");
  }
  return {true, user->pw_uid, user->pw_gid};
}

struct Launch {
  std::vector<std::string> argv;
  std::string stdin_path = "/dev/null";
  std::string output_path;  // stdout and stderr
  bool append = false;
  std::string cwd;
  // Sent to the child when the thread that started it ends first, e.g. when CTest kills a
  // bench at its timeout: no server is left running on the machine.
  int death_signal = SIGKILL;
};

pid_t Spawn(const Launch& launch, const Identity& who) {
  std::vector<std::string> argv = launch.argv;
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  const int flags = O_WRONLY | O_CREAT | (launch.append ? O_APPEND : O_TRUNC);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    // Only async-signal-safe calls until exec: the bench has other threads.
    const int in = ::open(launch.stdin_path.c_str(), O_RDONLY);
    const int out = ::open(launch.output_path.c_str(), flags, 0644);
    if (in < 0 || out < 0 || ::dup2(in, STDIN_FILENO) < 0 || ::dup2(out, STDOUT_FILENO) < 0 ||
        ::dup2(out, STDERR_FILENO) < 0) {
      ::_exit(126);
    }
    ::close_range(3, ~0U, 0);  // the bench's sockets and files are none of its business
    if (::chdir(launch.cwd.c_str()) != 0) ::_exit(126);
    if (who.switch_user &&
        (::setgroups(0, nullptr) != 0 || ::setgid(who.gid) != 0 || ::setuid(who.uid) != 0)) {
      ::_exit(126);
    }
    // After the change of user, which clears it; and the parent may be gone already.
    if (::prctl(PR_SET_PDEATHSIG, launch.death_signal) != 0 || ::getppid() != parent) {
      ::_exit(126);
    }
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

// The wait status once `pid` has ended, nullopt if it still runs after `timeout`.
std::optional<int> WaitFor(pid_t pid, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t got = ::waitpid(pid, &status, WNOHANG);
    if (got == pid) return status;
    if (got < 0) return -1;  // not our child any more: nothing to wait for
    if (absl::Now() >= deadline) return std::nullopt;
    absl::SleepFor(absl::Milliseconds(5));
  }
}

// Runs a program to its end; true when it exited with 0.
bool Run(const Launch& launch, const Identity& who, absl::Duration timeout) {
  const pid_t pid = Spawn(launch, who);
  std::optional<int> status = WaitFor(pid, timeout);
  if (!status) {
    ::kill(pid, SIGKILL);
    WaitFor(pid, absl::Seconds(10));
    throw std::runtime_error(absl::StrCat(launch.argv[0], " still ran after ",
                                          absl::FormatDuration(timeout), "; killed"));
  }
  if (WIFEXITED(*status) && WEXITSTATUS(*status) == 127) {
    throw std::runtime_error("cannot run " + launch.argv[0]);
  }
  if (WIFEXITED(*status) && WEXITSTATUS(*status) == 126) {
    throw std::runtime_error(absl::StrCat("cannot start ", launch.argv[0], " with stdin ",
                                          launch.stdin_path, ", output ", launch.output_path,
                                          " in ", launch.cwd,
                                          who.switch_user ? " as the user postgres" : ""));
  }
  return WIFEXITED(*status) && WEXITSTATUS(*status) == 0;
}

// The postmaster while it runs; stopped (fast shutdown, then SIGKILL) when this goes away.
struct ServerProcess {
  pid_t pid = -1;
  ServerProcess() = default;
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;
  ~ServerProcess() {
    if (pid <= 0) return;
    ::kill(pid, SIGINT);  // fast shutdown: ends sessions, writes a checkpoint
    if (!WaitFor(pid, absl::Seconds(60))) {
      ::kill(pid, SIGKILL);
      WaitFor(pid, absl::Seconds(10));
    }
  }
};

// A cluster of its own in a temp dir, running while the object lives. Members go in reverse
// order, also when the constructor throws half way: the server stops, then its files go.
class PrivateCluster {
 public:
  PrivateCluster(const std::string& bin_dir, const std::string& locale)
      : bin_(bin_dir), who_(PostgresIdentity()), dir_("jg-postgres-bench") {
    if (who_.switch_user && ::chown(dir_.path().c_str(), who_.uid, who_.gid) != 0) {
      throw std::runtime_error("cannot hand " + dir_.path() + " to the user postgres");
    }
    const std::string log = dir_.Sub("initdb.log");
    // --no-sync: only the setup skips its fsyncs; the server below runs with fsync on.
    if (!Run({.argv = {bin_ + "/initdb", "--pgdata", dir_.Sub("data"), "--username",
                       "postgres", "--auth", "trust", "--encoding", "UTF8", "--locale", locale,
                       "--no-sync", "--no-instructions"},
              .output_path = log,
              .cwd = dir_.path()},
             who_, absl::Seconds(120))) {
      throw std::runtime_error("initdb failed: " + Tail(log));
    }
    port_ = testing::FreeLoopbackPort();
    // listen_addresses empty: the unix socket in our dir only. SIGQUIT, the death signal,
    // is PostgreSQL's immediate shutdown (it ends its own children too).
    server_.pid = Spawn({.argv = {bin_ + "/postgres", "-D", dir_.Sub("data"), "-p",
                                  std::to_string(port_), "-k", dir_.path(), "-c",
                                  "listen_addresses="},
                         .output_path = dir_.Sub("server.log"),
                         .append = true,
                         .cwd = dir_.path(),
                         .death_signal = SIGQUIT},
                        who_);
    for (const absl::Time limit = absl::Now() + absl::Seconds(60);;) {
      if (WaitFor(server_.pid, absl::ZeroDuration())) {
        server_.pid = -1;
        throw std::runtime_error("postgres ended at start: " + Tail(dir_.Sub("server.log")));
      }
      if (TryPsql("SELECT 1")) break;
      if (absl::Now() > limit) throw std::runtime_error("postgres not ready after 60 s");
      absl::SleepFor(absl::Milliseconds(100));
    }
  }

  pid_t server_pid() const { return server_.pid; }

  /// Runs `sql` with psql (its stdin from `stdin_path`, for COPY FROM STDIN) and returns
  /// what it printed, unaligned without headers; throws when psql fails.
  std::string Psql(const std::string& sql, const std::string& stdin_path = "/dev/null") {
    if (!TryPsql(sql, stdin_path)) {
      throw std::runtime_error(absl::StrCat("psql failed on ", sql, ": ", Tail(PsqlOutput()),
                                            "\nserver log: ", Tail(dir_.Sub("server.log"))));
    }
    std::string out = Tail(PsqlOutput(), 1 << 20);
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }

 private:
  std::string PsqlOutput() const { return dir_.Sub("psql.out"); }

  bool TryPsql(const std::string& sql, const std::string& stdin_path = "/dev/null") {
    return Run({.argv = {bin_ + "/psql", "--no-psqlrc", "--quiet", "--no-align",
                         "--tuples-only", "--set", "ON_ERROR_STOP=1", "--host", dir_.path(),
                         "--port", std::to_string(port_), "--username", "postgres",
                         "--dbname", "postgres", "--command", sql},
                .stdin_path = stdin_path,
                .output_path = PsqlOutput(),
                .cwd = dir_.path()},
               who_, absl::Hours(1));
  }

  const std::string bin_;
  const Identity who_;
  testing::TempDir dir_;
  int port_ = 0;
  ServerProcess server_;  // after dir_: stopped before the files are deleted
};

// utime + stime of a process and the same of its children it has reaped (cutime + cstime),
// from /proc/<pid>/stat; zero when it is gone.
struct ProcessTimes {
  pid_t parent = 0;
  uint64_t own = 0, reaped = 0;
};

ProcessTimes ReadTimes(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ProcessTimes times;
  const size_t close = text.rfind(')');
  if (close == std::string::npos) return times;
  std::istringstream fields(text.substr(close + 2));  // from field 3, the state
  std::string field;
  for (int i = 3; i <= 17 && fields >> field; ++i) {
    if (i == 4) times.parent = std::stoi(field);
    if (i == 14 || i == 15) times.own += std::stoull(field);
    if (i == 16 || i == 17) times.reaped += std::stoull(field);
  }
  return times;
}

// The CPU of a PostgreSQL server: the postmaster, its live children (the backend serving
// psql, the WAL writer, the checkpointer…) and the children it has reaped.
uint64_t ServerTicks(pid_t postmaster) {
  const ProcessTimes root = ReadTimes(postmaster);
  uint64_t ticks = root.own + root.reaped;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const ProcessTimes child = ReadTimes(std::stoi(name));
    if (child.parent == postmaster) ticks += child.own + child.reaped;
  }
  return ticks;
}

}  // namespace

std::string SubjectCsvLine(const v1::Subject& s) {
  std::string line;
  AppendCsvField(line, s.uscc());
  AppendCsvField(line, s.name());
  AppendCsvField(line, v1::SubjectType_Name(s.type()));
  AppendCsvField(line, s.legal_representative().name());
  AppendCsvField(line, s.legal_representative().id_number());
  AppendCsvField(line, absl::StrCat(s.registered_capital().fen()));
  AppendCsvField(line, s.industry().code());
  AppendCsvField(line, s.registration_region().code());
  AppendCsvField(line, s.business_address().region().code());
  AppendCsvField(line, s.business_address().detail());
  AppendCsvField(line, absl::StrCat(s.location().latitude()));
  AppendCsvField(line, absl::StrCat(s.location().longitude()));
  line += '\n';
  return line;
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return absl::StrCat(one, " ", five, " ", fifteen);
}

PostgresCopy CopyIntoPostgres(const std::string& bin_dir, const std::string& csv_path,
                              const std::string& locale) {
  for (const char* program : {"initdb", "postgres", "psql"}) {
    if (::access((bin_dir + "/" + program).c_str(), X_OK) != 0) {
      throw std::runtime_error(absl::StrCat("no PostgreSQL program ", program, " in ", bin_dir));
    }
  }
  PrivateCluster cluster(bin_dir, locale);
  PostgresCopy result;
  result.version = cluster.Psql("SELECT version()");
  cluster.Psql(kCreateTable);

  result.load_before = LoadAverage();
  const testing::CpuSample machine_from = testing::SampleCpu(cluster.server_pid());
  const uint64_t server_from = ServerTicks(cluster.server_pid());
  const uint64_t psql_from = ReadTimes(::getpid()).reaped;  // psql is our reaped child
  const absl::Time start = absl::Now();
  // One statement outside a transaction block: it returns once committed (WAL fsynced).
  cluster.Psql("COPY subjects FROM STDIN (FORMAT csv)", csv_path);
  result.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  const testing::CpuSample machine_to = testing::SampleCpu(cluster.server_pid());
  // The backend that served psql ends when psql does; give the postmaster time to reap it
  // so that its CPU is counted (in the postmaster's reaped children).
  absl::SleepFor(absl::Milliseconds(300));
  const uint64_t server_to = ServerTicks(cluster.server_pid());
  const uint64_t psql_to = ReadTimes(::getpid()).reaped;

  result.server_cpu_s = static_cast<double>(server_to - server_from) / ::sysconf(_SC_CLK_TCK);
  const double total = static_cast<double>(
      std::max<uint64_t>(1, machine_to.machine_total - machine_from.machine_total));
  const double busy = 100.0 * (machine_to.machine_busy - machine_from.machine_busy) / total;
  const double server = 100.0 * (server_to - server_from) / total;
  const double psql = 100.0 * (psql_to - psql_from) / total;
  const double bench = 100.0 * (machine_to.bench - machine_from.bench) / total;
  result.cpu = absl::StrFormat(
      "machine %.0f%% busy: PostgreSQL server processes %.0f%%, psql %.0f%%, bench %.0f%%, "
      "everything else (broker, other work on the machine) %.0f%% (%% of all cores)",
      busy, server, psql, bench, std::max(0.0, busy - server - psql - bench));

  const std::string counted =
      cluster.Psql("SELECT count(*) || ' ' || pg_total_relation_size('subjects') FROM subjects");
  std::istringstream numbers(counted);
  int64_t bytes = 0;
  numbers >> result.rows >> bytes;
  result.size_mib = bytes / 1048576.0;
  return result;
}

}  // namespace jianguan::subject
