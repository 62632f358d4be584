#include "Http.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <stdexcept>

namespace anchang::test {

HttpResult http(int port, const std::string& method, const std::string& path, const std::string& body,
                const std::string& token, const std::map<std::string, std::string>& headers) {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
    session.setTimeout(Poco::Timespan(30, 0));
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!token.empty()) request.set("Authorization", "Bearer " + token);
    for (const auto& [name, value] : headers) request.set(name, value);
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
        // JSON unless the caller says otherwise (a photo upload).
        if (!request.has("Content-Type")) request.setContentType("application/json");
        request.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    session.sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    HttpResult result;
    result.status = response.getStatus();
    Poco::StreamCopier::copyToString(in, result.body);
    for (const auto& [name, value] : response) result.headers[name] = value;
    return result;
}

std::string login(int port, const std::string& username, const std::string& password) {
    auto result = http(port, "POST", "/api/v1/auth/login", nlohmann::json{{"username", username}, {"password", password}}.dump());
    if (result.status != 200) throw std::runtime_error("login " + username + " failed: " + result.body);
    return result.json()["token"];
}

std::vector<std::string> auditActions(int port, const std::string& token) {
    const auto entries = http(port, "GET", "/api/v1/audit?limit=200", "", token).json();
    std::vector<std::string> actions;
    for (const auto& e : entries["entries"]) actions.push_back(e["action"]);
    return actions;
}

} // namespace anchang::test
