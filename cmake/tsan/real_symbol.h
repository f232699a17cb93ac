// For the TSan shims beside this file: the definition of a function that a shim interposes,
// looked up past the executable (dlsym(RTLD_NEXT)) in the library that really defines it.
#pragma once

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>

namespace jianguan_tsan {

/// The next definition of `name` after the executable's, as an `Fn`. Aborts, naming `name`
/// and `library`, when there is none: a shim that fell back silently would hide again the
/// ordering it exists to show.
template <typename Fn>
Fn RealSymbol(const char* name, const char* library) {
  void* symbol = dlsym(RTLD_NEXT, name);
  if (symbol == nullptr) {
    std::fprintf(stderr, "tsan shim: %s not found in %s\n", name, library);
    std::abort();
  }
  return reinterpret_cast<Fn>(symbol);
}

}  // namespace jianguan_tsan
