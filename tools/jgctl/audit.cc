// jgctl audit verify: recomputes every hash of a service's audit chain (全程留痕).
#include <cstdio>

#include "absl/flags/flag.h"
#include "libs/store/store.h"
#include "tools/jgctl/commands.h"
#include "tools/jgctl/flags.h"

namespace jianguan::jgctl {

int AuditVerify(const std::vector<std::string>& args) {
  const std::string dir = absl::GetFlag(FLAGS_data_dir);
  if (dir.empty() || !args.empty()) {
    std::fprintf(stderr, "usage: jgctl audit verify --data_dir DIR (the service must be stopped, "
                         "or give a checkpoint of it)\n");
    return 2;
  }
  auto store = store::Store::Open({.path = dir, .sync_writes = false});
  if (!store.ok()) {
    std::fprintf(stderr, "jgctl: cannot open %s: %s\n", dir.c_str(),
                 std::string(store.status().message()).c_str());
    return 1;
  }
  auto verified = (*store)->VerifyAuditChain();
  if (!verified.ok()) {
    std::printf("audit chain BROKEN: %s\n", std::string(verified.status().message()).c_str());
    return 1;
  }
  std::printf("audit chain intact: %llu records\n", static_cast<unsigned long long>(*verified));
  return 0;
}

}  // namespace jianguan::jgctl
