#pragma once
/// anchang::sdk::Response — what a route handler returns.

#include <nlohmann/json.hpp>

#include <string>

namespace anchang::sdk {

struct Response {
    int status = 200;
    std::string contentType = "application/json; charset=utf-8";
    std::string body;

    static Response json(const nlohmann::json& value, int status = 200) {
        return {status, "application/json; charset=utf-8", value.dump()};
    }
    static Response created(const nlohmann::json& value) { return json(value, 201); }
    static Response noContent() { return {204, "application/json; charset=utf-8", {}}; }
    static Response text(std::string body, std::string contentType, int status = 200) {
        return {status, std::move(contentType), std::move(body)};
    }
};

} // namespace anchang::sdk
