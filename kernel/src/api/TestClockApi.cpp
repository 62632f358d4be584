#include "api/TestClockApi.h"

#include "anchang/sdk/Error.hpp"
#include "clock/KernelClock.h"
#include "http/HttpExchange.h"
#include "http/Router.h"

namespace anchang {

namespace {

std::int64_t wholeNumber(const nlohmann::json& body, const char* field) {
    if (!body.contains(field) || !body[field].is_number_integer())
        throw sdk::Error::invalid("clock.invalid", std::string(field) + " must be a whole number of milliseconds");
    return body[field].get<std::int64_t>();
}

} // namespace

void TestClockApi::install(Router& router) {
    auto add = [&router](const char* method, const char* path, Router::Handler handler) {
        router.add({method, RoutePattern(path), "kernel.admin", "kernel", std::move(handler)});
    };
    add("GET", "/api/v1/test/clock", [this](HttpExchange& ex) { ex.sendJson(200, clock_.describe()); });
    add("PUT", "/api/v1/test/clock", [this](HttpExchange& ex) {
        const auto body = ex.json();
        if (body.contains("frozen") && !body["frozen"].is_boolean()) throw sdk::Error::invalid("clock.invalid", "frozen must be true or false");
        clock_.set(wholeNumber(body, "now"), body.contains("frozen") && body["frozen"].get<bool>());
        ex.sendJson(200, clock_.describe());
    });
    add("POST", "/api/v1/test/clock/advance", [this](HttpExchange& ex) {
        clock_.advance(wholeNumber(ex.json(), "ms"));
        ex.sendJson(200, clock_.describe());
    });
}

} // namespace anchang
