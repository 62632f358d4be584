#include "api/EventStreamApi.h"

#include "anchang/sdk/Error.hpp"
#include "bus/BusProtocol.h"
#include "http/HttpExchange.h"
#include "http/Router.h"
#include "push/PushHub.h"

#include <Poco/StringTokenizer.h>

namespace anchang {

void EventStreamApi::install(Router& router) {
    router.add({"GET", RoutePattern("/api/v1/projects/{project}/events"), "authenticated", "kernel", [this](HttpExchange& ex) {
        std::vector<std::string> events;
        for (const auto& name : Poco::StringTokenizer(ex.queryValue("topics").value_or(""), ",",
                                                      Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY)) {
            if (!BusProtocol::validName(name)) throw sdk::Error::invalid("events.invalid_topic", "not an event name: " + name);
            events.push_back(name);
        }
        if (events.empty() || events.size() > 20) throw sdk::Error::invalid("events.invalid_topic", "name 1 to 20 events in ?topics=");
        Poco::Net::StreamSocket socket = ex.takeOver();
        // retry: how long a browser waits before reconnecting after the stream drops.
        const std::string head =
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-cache\r\n"
            "Connection: keep-alive\r\nX-Accel-Buffering: no\r\nX-Request-Id: " + ex.requestId() + "\r\n\r\nretry: 3000\n: connected\n\n";
        hub_.attach(socket, *ex.principal, *ex.project, std::move(events), head);
    }, /*tokenInQuery=*/true});
}

} // namespace anchang
