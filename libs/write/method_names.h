// Full gRPC method paths ("/jianguan.subject.v1.SubjectRegistry/RegisterSubject") of one
// service, taken from the generated descriptors rather than typed as string prefixes, so a
// renamed method or a typo fails the first test that writes instead of writing a wrong
// audit record.
//
//   const MethodNames methods_{"jianguan.subject.v1.SubjectRegistry"};
//   writes_.Write<v1::Subject>({.method = methods_("RegisterSubject"), ...}, decide);
#pragma once

#include <string>
#include <string_view>

namespace jianguan {

/// Thread-safe (const after construction).
class MethodNames {
 public:
  /// `service` is the full protobuf name of a service whose .proto is linked into the
  /// binary. Aborts with a message when no such service is known: a programming error,
  /// found at start-up.
  explicit MethodNames(std::string_view service);

  /// "/<service>/<method>". Aborts when the service has no such method (a programming error
  /// that every handler test reaches).
  std::string operator()(std::string_view method) const;

  const std::string& service() const { return service_; }

 private:
  std::string service_;
};

}  // namespace jianguan
