#include "services/catalogue/domain/hierarchy.h"

namespace jianguan::catalogue {

bool MakesCycle(std::string_view code, std::string_view parent,
                const std::function<std::string(std::string_view)>& parent_of) {
  std::string at(parent);
  for (int step = 0; !at.empty(); ++step) {
    if (at == code || step >= 64) return true;
    at = parent_of(at);
  }
  return false;
}
}  // namespace jianguan::catalogue
