// AllSuitePatternExcept: every suite topic but one domain's, checked name by name against a
// brute-force answer over short names and against the names the suite uses.
#include <regex>
#include <string>

#include <catch2/catch.hpp>

#include "libs/events/topics.h"

namespace jianguan::topics {
namespace {

bool Matches(const std::string& pattern, const std::string& topic) {
  // POSIX extended syntax: what librdkafka's engine understands of a pattern is a subset.
  return std::regex_search(topic, std::regex(pattern, std::regex::extended));
}

TEST_CASE("AllSuitePatternExcept leaves out exactly one domain's topics") {
  const std::string pattern = AllSuitePatternExcept("subject");
  for (const char* topic : {kCatalogue, kSampling, kInspection, kCases, kCredit, kRisk,
                            "jianguan.dlq.v1", "jianguan.subjects.v1", "jianguan.subj.v1",
                            "jianguan.s.v1", "jianguan.subjecu.v2", "jianguan.tubject.v1"}) {
    INFO(topic);
    CHECK(Matches(pattern, topic));
  }
  for (const char* topic : {kSubject, "jianguan.subject.v2", "jianguan.subject.v10",
                            "jianguan.subject.v", "jianguan.Subject.v1", "xjianguan.cases.v1",
                            "jianguan.cases.v1x", "jianguan..v1"}) {
    INFO(topic);
    CHECK_FALSE(Matches(pattern, topic));
  }
}

TEST_CASE("AllSuitePatternExcept agrees with the whole pattern on every short name") {
  // Every name of 1-3 letters from an alphabet holding the domain's letters, their
  // neighbours and both ends of a-z: matched iff the whole pattern matches and it is not
  // the domain.
  const std::string alphabet = "abcyz";
  for (const std::string domain : {"a", "z", "ab", "zab", "cab"}) {
    const std::string pattern = AllSuitePatternExcept(domain);
    std::vector<std::string> names = {""};
    for (int length = 1; length <= 3; ++length) {
      std::vector<std::string> longer;
      for (const std::string& name : names) {
        if (static_cast<int>(name.size()) != length - 1) continue;
        for (char c : alphabet) longer.push_back(name + c);
      }
      names.insert(names.end(), longer.begin(), longer.end());
    }
    for (const std::string& name : names) {
      const std::string topic = "jianguan." + name + ".v1";
      INFO(domain << " " << topic);
      CHECK(Matches(pattern, topic) ==
            (Matches(kAllSuitePattern, topic) && name != domain));
    }
  }
}

}  // namespace
}  // namespace jianguan::topics
