#include "AgencyApi.h"

#include "ReportCode.h"

#include <anchang/sdk/Fields.hpp>
#include <anchang/sdk/Phone.hpp>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>

namespace anchang::channel {

namespace {

std::string hex(const unsigned char* data, std::size_t size) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < size; ++i) {
        out += digits[data[i] >> 4];
        out += digits[data[i] & 15];
    }
    return out;
}

std::string sha256(std::string_view text) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
    return hex(digest, length);
}

sdk::Error unauthorized(const std::string& code, const std::string& message) { return sdk::Error(401, code, message); }

bool nonceShape(const std::string& nonce) {
    return nonce.size() >= 16 && nonce.size() <= 64 &&
           std::all_of(nonce.begin(), nonce.end(), [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '-'; });
}

} // namespace

std::string AgencyApi::signature(const std::string& secret, std::string_view method, std::string_view path, std::string_view timestamp,
                                 std::string_view nonce, std::string_view body) {
    std::string message;
    message.append(method).append("\n").append(path).append("\n").append(timestamp).append("\n").append(nonce).append("\n").append(sha256(body));
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest,
         &length);
    return hex(digest, length);
}

nlohmann::json AgencyApi::createKey(std::int64_t project, std::int64_t company) const {
    companies_.get(project, company);
    const std::string keyId = "ak_" + ReportCode::newSecret().substr(0, 24);
    const std::string secret = ReportCode::newSecret();
    host_.db().exec("INSERT INTO channel_api_keys (key_id, project_id, company_id, secret, created_at) VALUES (?, ?, ?, ?, ?)",
                    {keyId, project, company, secret, host_.now()});
    return {{"key_id", keyId}, {"secret", secret}, {"company_id", company}};
}

nlohmann::json AgencyApi::keys(std::int64_t project, std::int64_t company) const {
    return host_.db().query("SELECT key_id, company_id, created_at, revoked_at FROM channel_api_keys WHERE project_id = ? AND company_id = ? "
                            "ORDER BY created_at",
                            {project, company});
}

void AgencyApi::revokeKey(std::int64_t project, std::int64_t company, const std::string& keyId) const {
    if (host_.db().exec("UPDATE channel_api_keys SET revoked_at = ? WHERE key_id = ? AND project_id = ? AND company_id = ? AND revoked_at IS NULL",
                        {host_.now(), keyId, project, company}) == 0)
        throw sdk::Error::notFound("channel.key_not_found", "no such active key of this company");
}

std::int64_t AgencyApi::authenticate(std::int64_t project, const sdk::Request& request) const {
    const std::string keyId = request.header("x-anchang-key").value_or("");
    const std::string timestamp = request.header("x-anchang-timestamp").value_or("");
    const std::string nonce = request.header("x-anchang-nonce").value_or("");
    const std::string given = request.header("x-anchang-signature").value_or("");
    if (keyId.empty() || timestamp.empty() || nonce.empty() || given.empty())
        throw unauthorized("channel.api_unsigned", "sign the request: X-Anchang-Key, X-Anchang-Timestamp, X-Anchang-Nonce, X-Anchang-Signature");
    const auto sentAt = sdk::Fields::wholeNumber(timestamp);
    if (!sentAt || std::llabs(*sentAt - host_.now()) > kClockSkewMs)
        throw unauthorized("channel.api_stale", "the timestamp is more than 5 minutes from the server's clock");
    if (!nonceShape(nonce)) throw unauthorized("channel.api_bad_nonce", "the nonce must be 16 to 64 letters, digits, _ or -");
    const auto key = host_.db().one("SELECT secret, company_id, revoked_at FROM channel_api_keys WHERE key_id = ? AND project_id = ?", {keyId, project});
    // An unknown key and a wrong signature read the same to the caller.
    const std::string expected = key ? signature((*key)["secret"], request.method(), request.path(), timestamp, nonce, request.body()) : std::string(64, '0');
    if (!key || given.size() != expected.size() || CRYPTO_memcmp(given.data(), expected.data(), expected.size()) != 0)
        throw unauthorized("channel.api_bad_signature", "the signature does not match");
    if (!(*key)["revoked_at"].is_null()) throw unauthorized("channel.api_revoked", "this key was revoked");
    // The nonce's key decides: a request sent twice, even at the same moment, passes once.
    try {
        host_.db().exec("INSERT INTO channel_api_nonces (key_id, nonce, seen_at) VALUES (?, ?, ?)", {keyId, nonce, host_.now()});
    } catch (const sdk::Error& e) {
        if (e.status() != 409) throw;
        throw unauthorized("channel.api_replayed", "this nonce was used already");
    }
    return (*key)["company_id"];
}

std::int64_t AgencyApi::agentUser(std::int64_t project, std::int64_t company, const nlohmann::json& body) const {
    if (!body.is_object() || !body.contains("agent") || !body["agent"].is_object())
        throw sdk::Error::invalid("channel.invalid", "agent must be {\"phone\"}: the agency's agent who reports");
    const std::string phone = sdk::Phone::normalize(body["agent"].value("phone", std::string{}));
    const auto agent = host_.db().one("SELECT user_id FROM channel_agents WHERE project_id = ? AND company_id = ? AND phone = ?", {project, company, phone});
    if (phone.empty() || !agent)
        throw sdk::Error::invalid("channel.agent_unknown", "the agent must be one of this company's agents, named by their phone");
    return (*agent)["user_id"];
}

std::pair<int, nlohmann::json> AgencyApi::submit(std::int64_t project, const sdk::Request& request) const {
    const std::int64_t company = authenticate(project, request);
    const auto body = request.json();
    return reports_.submit(project, agentUser(project, company, body), body, request.english());
}

nlohmann::json AgencyApi::sendSmsCheck(std::int64_t project, const sdk::Request& request) const {
    const std::int64_t company = authenticate(project, request);
    const auto body = request.json();
    return reports_.sendSmsCheck(project, agentUser(project, company, body), body, request.header("x-client-address").value_or(""), request.english());
}

std::int64_t AgencyApi::forgetNonces() const {
    return host_.db().exec("DELETE FROM channel_api_nonces WHERE seen_at < ?", {host_.now() - kNonceKeptMs});
}

} // namespace anchang::channel
