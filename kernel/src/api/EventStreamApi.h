#pragma once
/// anchang::EventStreamApi — GET /api/v1/projects/{project}/events?topics=a,b: a server-sent
/// events stream of the plugin pushes the caller may see (push/PushHub.h).

namespace anchang {

class PushHub;
class Router;

class EventStreamApi {
public:
    explicit EventStreamApi(PushHub& hub) : hub_(hub) {}
    void install(Router& router);

private:
    PushHub& hub_;
};

} // namespace anchang
