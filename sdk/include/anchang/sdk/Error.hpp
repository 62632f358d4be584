#pragma once
/// anchang::sdk::Error — an error a plugin reports to its caller.
///
/// Thrown from a route handler it becomes the HTTP answer
/// `{"error":{"code":code,"message":message}}` with `status`; thrown from a service handler it
/// becomes the error reply of the bus request. `code` is a stable, glossary-based identifier
/// ("visit.phone_invalid") that the web UI translates; `message` is for people and logs;
/// `detail`, when given, carries the facts a page words its own sentence from (a time, a
/// limit), so that it never parses them out of `message`.

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>

namespace anchang::sdk {

class Error : public std::runtime_error {
public:
    Error(int status, std::string code, const std::string& message)
        : std::runtime_error(message), status_(status), code_(std::move(code)) {}

    /// HTTP status this error maps to (400 invalid input, 403 forbidden, 404 unknown id,
    /// 409 conflict, 503 module not enabled, ...).
    int status() const noexcept { return status_; }
    const std::string& code() const noexcept { return code_; }
    /// `{"error":{…,"detail":…}}`; null when there is none.
    const nlohmann::json& detail() const noexcept { return detail_; }
    Error& withDetail(nlohmann::json detail) {
        detail_ = std::move(detail);
        return *this;
    }

    static Error invalid(const std::string& code, const std::string& message) { return {400, code, message}; }
    static Error forbidden(const std::string& code, const std::string& message) { return {403, code, message}; }
    static Error notFound(const std::string& code, const std::string& message) { return {404, code, message}; }
    static Error conflict(const std::string& code, const std::string& message) { return {409, code, message}; }
    static Error unavailable(const std::string& code, const std::string& message) { return {503, code, message}; }

private:
    int status_;
    std::string code_;
    nlohmann::json detail_;
};

} // namespace anchang::sdk
