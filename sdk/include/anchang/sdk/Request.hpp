#pragma once
/// anchang::sdk::Request — read-only view of an HTTP request routed to a plugin.
///
/// Valid only during the handler call, on its thread. Parsing helpers throw sdk::Error with status
/// 400, so a handler can write `auto body = request.json();` and let bad input answer itself.
/// The parameters, query, caller and headers come as JSON text and are parsed when first asked
/// for: on opening day ten thousand requests a second pay only for what their handler reads.
/// Who calls (userId, username) comes without JSON from a kernel of ABI 1.7 or later.

#include "anchang/abi.h"
#include "anchang/sdk/Json.hpp"
#include "anchang/sdk/Error.hpp"
#include "anchang/sdk/Fields.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace anchang::sdk {

class Request {
public:
    explicit Request(const anchang_http_request& raw) : raw_(raw) {}

    std::string_view method() const { return raw_.method; }
    std::string_view path() const { return raw_.path; }
    std::string_view body() const { return {raw_.body, raw_.body_size}; }
    std::string_view requestId() const { return raw_.request_id; }
    /// "zh-CN" unless the caller asked for English.
    std::string_view lang() const { return raw_.lang; }
    bool english() const { return lang() == "en"; }

    /// A path parameter named in the route pattern; always present when routed.
    std::string param(const std::string& name) const { return parsed(params_, raw_.params_json).value(name, std::string{}); }

    /// A path parameter that must be a positive integer id, or 404 `code`.
    std::int64_t idParam(const std::string& name, const std::string& code = "not_found") const {
        const std::string text = param(name);
        std::int64_t id = 0;
        for (char c : text) {
            if (c < '0' || c > '9' || id > (INT64_MAX - 9) / 10) throw Error::notFound(code, "no such " + name + ": " + text);
            id = id * 10 + (c - '0');
        }
        if (id <= 0) throw Error::notFound(code, "no such " + name + ": " + text);
        return id;
    }

    std::optional<std::string> query(const std::string& name) const {
        const auto& query = parsed(query_, raw_.query_json);
        auto it = query.find(name);
        if (it == query.end()) return std::nullopt;
        return it->get<std::string>();
    }

    /// A query parameter that must be a whole number when given (?limit=20), else 400 request.invalid.
    std::optional<std::int64_t> numberQuery(const std::string& name) const {
        const auto text = query(name);
        if (!text) return std::nullopt;
        if (auto value = Fields::wholeNumber(*text)) return value;
        throw Error::invalid("request.invalid", name + " must be a number");
    }

    /// A request header, by its lower-case name. The kernel passes idempotency-key, user-agent,
    /// content-type, if-match, x-client-address and every x-anchang-* header; never cookies or
    /// authorization.
    std::optional<std::string> header(const std::string& lowerName) const {
        const auto& headers = parsed(headers_, raw_.headers_json);
        auto it = headers.find(lowerName);
        if (it == headers.end()) return std::nullopt;
        return it->get<std::string>();
    }

    /// The body parsed as a JSON object, or 400 `request.malformed_json` /
    /// `request.expected_object`.
    nlohmann::json json() const {
        nlohmann::json parsed = Json::parse(body());
        if (parsed.is_discarded()) {
            if (!Json::withinDepth(body()))
                throw Error::invalid("request.too_deep", "the request body nests deeper than " + std::to_string(Json::kMaxDepth) + " levels");
            throw Error::invalid("request.malformed_json", "the request body is not valid JSON");
        }
        if (!parsed.is_object()) throw Error::invalid("request.expected_object", "the request body must be a JSON object");
        return parsed;
    }

    /// The logged-in caller; null on public routes.
    const nlohmann::json& principal() const { return parsed(principal_, raw_.principal_json); }
    bool authenticated() const { return saysCaller() ? raw_.username != nullptr : principal().is_object(); }
    std::int64_t userId() const {
        if (saysCaller()) return raw_.user_id;
        return authenticated() ? principal().value("user_id", std::int64_t{0}) : 0;
    }
    std::string username() const {
        if (saysCaller()) return raw_.username ? raw_.username : "";
        return authenticated() ? principal().value("username", std::string{}) : std::string{};
    }
    /// The caller's name as people read it (王丽), for records shown to them; the audit log keeps username().
    std::string displayName() const { return authenticated() ? principal().value("display_name", std::string{}) : std::string{}; }
    /// Roles that apply to this request: global roles plus roles in the routed project.
    bool hasRole(std::string_view role) const {
        if (!authenticated()) return false;
        for (const auto& r : principal().value("roles", nlohmann::json::array()))
            if (r.get<std::string>() == role) return true;
        return false;
    }
    bool hasAnyRole(std::initializer_list<std::string_view> roles) const {
        for (auto r : roles)
            if (hasRole(r)) return true;
        return false;
    }
    /// Whether the caller holds one of this plugin's own permissions in the routed project, as
    /// the kernel's policy says (admins may have changed which roles hold it).
    bool can(std::string_view permission) const {
        if (!authenticated()) return false;
        for (const auto& p : principal().value("permissions", nlohmann::json::array()))
            if (p.get<std::string>() == permission) return true;
        return false;
    }

    const anchang_http_request& raw() const { return raw_; }

private:
    /// A kernel of ABI 1.7 or later passes the caller's id and username beside the JSON.
    bool saysCaller() const { return ANCHANG_HAS_FIELD(&raw_, anchang_http_request, username); }
    static const nlohmann::json& parsed(std::optional<nlohmann::json>& slot, const char* text) {
        if (!slot) slot = nlohmann::json::parse(text);
        return *slot;
    }

    const anchang_http_request& raw_;
    mutable std::optional<nlohmann::json> params_, query_, principal_, headers_;
};

} // namespace anchang::sdk
