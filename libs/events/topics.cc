#include "libs/events/topics.h"

namespace jianguan::topics {
namespace {

// A character class of the letters a-z other than `c` (itself a letter a-z).
std::string LettersBut(char c) {
  std::string out = "[";
  if (c > 'a') out += c - 1 == 'a' ? std::string("a") : std::string{'a', '-', char(c - 1)};
  if (c < 'z') out += c + 1 == 'z' ? std::string("z") : std::string{char(c + 1), '-', 'z'};
  return out + "]";
}

}  // namespace

std::string AllSuitePatternExcept(std::string_view domain) {
  // A name of letters differs from `domain` in one of three ways: it stops short of it
  // (a proper prefix, not empty), it goes on past it, or at some place i it has another
  // letter after the same first i letters.
  std::string alternatives;
  auto add = [&](const std::string& alternative) {
    if (!alternatives.empty()) alternatives += '|';
    alternatives += alternative;
  };
  for (size_t i = 0; i < domain.size(); ++i) {
    const std::string same(domain.substr(0, i));
    if (i > 0) add(same);
    add(same + LettersBut(domain[i]) + "[a-z]*");
  }
  add(std::string(domain) + "[a-z]+");
  return "^jianguan\\.(" + alternatives + ")\\.v[0-9]+$";
}

}  // namespace jianguan::topics
