// The floors under the registry's lookup latency, for subject_registry_bench: a process that
// answers GetSubject at once with one subject of the size the bench imports. No store, no
// interceptors, no metrics, no Kafka: what the bench measures against it is what gRPC, or
// the kernel and the machine alone, cost a call.
//
//   floor_server <port> callback   gRPC's callback API, as the registry serves GetSubject
//   floor_server <port> queue      one thread taking every event from one completion queue
//                                  and answering inline: the fewest hand-offs gRPC's C++
//                                  API allows
//   floor_server <port> tcp        no gRPC: one thread reads fixed-size requests from a TCP
//                                  connection and writes a fixed-size answer back for each,
//                                  the first 8 bytes copied (the bench's call number;
//                                  tcp_floor.h)
//
// It serves on 127.0.0.1:<port> until SIGTERM or SIGINT.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "jianguan/subject/v1/subject.grpc.pb.h"
#include "tests/bench/subject-registry/tcp_floor.h"

namespace {

using jianguan::subject::v1::GetSubjectRequest;
using jianguan::subject::v1::Subject;
using jianguan::subject::v1::SubjectRegistry;

// The fields the bench fills for an imported subject, with values of the same sizes.
Subject Answer() {
  Subject subject;
  subject.set_name("金华市测试123456号商行");
  subject.set_type(jianguan::subject::v1::SUBJECT_TYPE_INDIVIDUAL_BUSINESS);
  subject.mutable_legal_representative()->set_name("张三");
  subject.mutable_legal_representative()->set_id_number("330702198000123456");
  subject.mutable_registered_capital()->set_fen(1'000'000);
  subject.mutable_industry()->set_code("5212");
  subject.mutable_registration_region()->set_code("330702");
  subject.mutable_business_address()->mutable_region()->set_code("330702");
  subject.mutable_business_address()->set_detail("人民路123号");
  subject.mutable_location()->set_latitude(29.1);
  subject.mutable_location()->set_longitude(119.6);
  return subject;
}

class CallbackFloor final : public SubjectRegistry::CallbackService {
 public:
  grpc::ServerUnaryReactor* GetSubject(grpc::CallbackServerContext* context,
                                       const GetSubjectRequest* request,
                                       Subject* response) override {
    *response = answer_;
    response->set_uscc(request->uscc());
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

 private:
  const Subject answer_ = Answer();
};

// The completion-queue form: a call's tag is its state; its first event is its arrival (the
// next call is then asked for), its second the answer sent.
class QueueFloor {
 public:
  explicit QueueFloor(grpc::ServerBuilder& builder) {
    builder.RegisterService(&service_);
    queue_ = builder.AddCompletionQueue();
  }

  // Runs until the queue is shut down and drained.
  void Serve() {
    Ask();
    void* tag = nullptr;
    bool ok = false;
    while (queue_->Next(&tag, &ok)) {
      auto* call = static_cast<Call*>(tag);
      if (!ok || call->answered) {  // answered, or not started since the server is stopping
        delete call;
        continue;
      }
      Ask();
      call->response = answer_;
      call->response.set_uscc(call->request.uscc());
      call->answered = true;
      call->writer.Finish(call->response, grpc::Status::OK, call);
    }
  }

  void Shutdown() { queue_->Shutdown(); }

 private:
  struct Call {
    grpc::ServerContext context;
    GetSubjectRequest request;
    Subject response;
    grpc::ServerAsyncResponseWriter<Subject> writer{&context};
    bool answered = false;
  };

  void Ask() {
    auto* call = new Call;
    service_.RequestGetSubject(&call->context, &call->request, &call->writer, queue_.get(),
                               queue_.get(), call);
  }

  SubjectRegistry::AsyncService service_;
  std::unique_ptr<grpc::ServerCompletionQueue> queue_;
  const Subject answer_ = Answer();
};

using jianguan::subject::tcp_floor::kAnswerBytes;
using jianguan::subject::tcp_floor::kRequestBytes;
using jianguan::subject::tcp_floor::Transfer;

// The TCP form: connections one after the other, each answered until it closes.
void ServeTcp(int listener) {
  for (;;) {
    const int connection = ::accept(listener, nullptr, nullptr);
    if (connection < 0) return;
    const int one = 1;
    ::setsockopt(connection, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    char request[kRequestBytes];
    char answer[kAnswerBytes];
    std::memset(answer, 'x', sizeof answer);
    while (Transfer(connection, request, sizeof request, true)) {
      std::memcpy(answer, request, 8);
      if (!Transfer(connection, answer, sizeof answer, false)) break;
    }
    ::close(connection);
  }
}

// A listening socket on 127.0.0.1:port, or -1.
int Listen(int port) {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  if (listener < 0) return -1;
  const int one = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener, 4) != 0) {
    ::close(listener);
    return -1;
  }
  return listener;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc == 3 ? argv[2] : "";
  if (argc != 3 || std::atoi(argv[1]) <= 0 ||
      (mode != "callback" && mode != "queue" && mode != "tcp")) {
    std::fprintf(stderr, "usage: %s <port> callback|queue|tcp\n", argv[0]);
    return 2;
  }
  // Blocked before gRPC starts its threads, so that only sigwait below takes them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  if (mode == "tcp") {
    const int listener = Listen(std::atoi(argv[1]));
    if (listener < 0) {
      std::fprintf(stderr, "floor_server: cannot listen on port %s: %s\n", argv[1],
                   std::strerror(errno));
      return 1;
    }
    std::thread(ServeTcp, listener).detach();  // ends with the process
    int signal = 0;
    sigwait(&stop, &signal);
    return 0;
  }

  grpc::ServerBuilder builder;
  builder.AddListeningPort(absl::StrCat("127.0.0.1:", argv[1]), grpc::InsecureServerCredentials());
  CallbackFloor callback;
  std::unique_ptr<QueueFloor> queue;
  if (mode == "queue") {
    queue = std::make_unique<QueueFloor>(builder);
  } else {
    builder.RegisterService(&callback);
  }
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr) {
    std::fprintf(stderr, "floor_server: cannot serve on port %s\n", argv[1]);
    return 1;
  }
  std::thread serving;
  if (queue) serving = std::thread([&] { queue->Serve(); });
  int signal = 0;
  sigwait(&stop, &signal);
  server->Shutdown();
  if (queue) {
    queue->Shutdown();
    serving.join();
  }
  return 0;
}
