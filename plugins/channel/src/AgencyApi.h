#pragma once
/// AgencyApi — reports from large agencies' own systems (贝壳、中原…), under the same rules as the
/// portal, authenticated per company by a signed request instead of a session:
///
///     X-Anchang-Key:        the company's key id
///     X-Anchang-Timestamp:  milliseconds since the epoch, within 5 minutes of the server's clock
///     X-Anchang-Nonce:      16–64 characters [A-Za-z0-9_-], never used twice with this key
///     X-Anchang-Signature:  hex HMAC-SHA256(secret, METHOD "\n" PATH "\n" TIMESTAMP "\n" NONCE "\n"
///                           hex SHA-256 of the body)
///
/// A stale timestamp, a nonce seen before (kept 10 minutes, longer than the timestamp's window),
/// a bad signature or a revoked key is a 401 with its reason; the body names the agency's agent
/// by phone, who must be an active agent of that company. docs/channel-agency-api.yaml is the
/// OpenAPI description.

#include "Companies.h"
#include "Reports.h"

#include <anchang/sdk/Host.hpp>
#include <anchang/sdk/Request.hpp>

#include <cstdint>
#include <string>

namespace anchang::channel {

class AgencyApi {
public:
    static constexpr std::int64_t kClockSkewMs = 5 * 60 * 1000;
    static constexpr std::int64_t kNonceKeptMs = 10 * 60 * 1000;

    AgencyApi(const sdk::Host& host, const Companies& companies, const Reports& reports) : host_(host), companies_(companies), reports_(reports) {}

    /// A new key for the company: {key_id, secret}; the secret is shown this once.
    nlohmann::json createKey(std::int64_t project, std::int64_t company) const;
    /// The company's keys, without their secrets.
    nlohmann::json keys(std::int64_t project, std::int64_t company) const;
    void revokeKey(std::int64_t project, std::int64_t company, const std::string& keyId) const;

    /// POST …/channel/agency/reports: {status, body} as the portal answers, or 401.
    std::pair<int, nlohmann::json> submit(std::int64_t project, const sdk::Request& request) const;
    /// POST …/channel/agency/sms-code: texts the customer the code of a company with the SMS
    /// check, as the portal does ({"agent":{"phone"},"phone"}).
    nlohmann::json sendSmsCheck(std::int64_t project, const sdk::Request& request) const;
    /// Nonces older than the window; returns how many were removed.
    std::int64_t forgetNonces() const;

    /// The signature a client sends (also for the tests and the documentation's example).
    static std::string signature(const std::string& secret, std::string_view method, std::string_view path, std::string_view timestamp,
                                 std::string_view nonce, std::string_view body);

private:
    /// The company a signed request speaks for; throws 401 channel.api_* with the reason.
    std::int64_t authenticate(std::int64_t project, const sdk::Request& request) const;
    /// The user id of the agent a signed request's body names ({"agent":{"phone"}}), one of `company`'s.
    std::int64_t agentUser(std::int64_t project, std::int64_t company, const nlohmann::json& body) const;

    const sdk::Host& host_;
    const Companies& companies_;
    const Reports& reports_;
};

} // namespace anchang::channel
