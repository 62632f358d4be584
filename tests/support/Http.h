#pragma once
// A small HTTP client for tests: one request per connection, JSON in and out.

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace anchang::test {

struct HttpResult {
    int status = 0;
    std::string body;
    std::map<std::string, std::string> headers;

    nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
    std::string errorCode() const {
        auto j = json();
        return j.is_object() && j.contains("error") ? j["error"].value("code", "") : "";
    }
};

HttpResult http(int port, const std::string& method, const std::string& path, const std::string& body = "",
                const std::string& token = "", const std::map<std::string, std::string>& headers = {});

/// Logs in and returns the bearer token (demo password unless given).
std::string login(int port, const std::string& username, const std::string& password = "demo1234");

/// The actions of the latest 200 audit entries, newest first (`token` must be an admin's).
std::vector<std::string> auditActions(int port, const std::string& token);

} // namespace anchang::test
