#pragma once
/// ReportCode — the code a broker shows at the visit (报备码 / 带看码): the report's number and a
/// MAC over the project, the report and its agent, keyed by a secret that never leaves the
/// site's server. Sixteen characters of Crockford base32 (no I, L, O, U: read aloud or typed
/// from a QR without confusion) in four groups, "7K2Q-9XQ4-…". Nobody can make a code for a
/// report that is not theirs or guess one: the MAC has 40 bits, and a wrong guess is told apart
/// from a real code without touching the report.
///
/// A channel company's link (报备链接) carries a token of the same form over the company instead
/// of a report: whoever has one company's link cannot make another's.

#include <cstdint>
#include <optional>
#include <string>

namespace anchang::channel {

class ReportCode {
public:
    struct Decoded {
        std::int64_t report = 0;
        std::string mac;
    };

    /// `secret`: the site's key, at least 32 bytes.
    explicit ReportCode(std::string secret) : secret_(std::move(secret)) {}

    std::string issue(std::int64_t project, std::int64_t report, std::int64_t agent) const;
    /// The report a code names, if it is a code at all (any case, with or without dashes or spaces).
    static std::optional<Decoded> decode(const std::string& code);
    /// Whether the decoded code was issued for this report of this agent in this project.
    bool genuine(std::int64_t project, std::int64_t agent, const Decoded& decoded) const;
    /// The token of a company's link, and the company a token names if it is genuine.
    std::string companyLink(std::int64_t project, std::int64_t company) const;
    std::optional<std::int64_t> linkedCompany(std::int64_t project, const std::string& token) const;
    /// A new random secret (32 bytes, hex).
    static std::string newSecret();

private:
    /// The first 40 bits of HMAC-SHA256 over what the code is for (`purpose`), project, id and agent.
    std::string mac(const char* purpose, std::int64_t project, std::int64_t id, std::int64_t agent) const;
    /// The id's 40 bits and the MAC, as 16 characters of Crockford base32 in four groups.
    static std::string encode(std::int64_t id, const std::string& mac);

    std::string secret_;
};

} // namespace anchang::channel
