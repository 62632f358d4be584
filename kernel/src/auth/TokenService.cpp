#include "auth/TokenService.h"

#include "store/Store.h"

#include <Poco/JWT/JWTException.h>
#include <Poco/JWT/Signer.h>
#include <Poco/JWT/Token.h>
#include <Poco/RandomStream.h>
#include <Poco/Timestamp.h>
#include <Poco/UUIDGenerator.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace anchang {

namespace {
std::int64_t nowSeconds() { return Poco::Timestamp().epochTime(); }
} // namespace

TokenService::TokenService(Store& store, const std::string& keyFile, std::int64_t ttlSeconds)
    : store_(store), key_(loadOrCreateKey(keyFile)), ttlSeconds_(ttlSeconds) {
    store_.query("DELETE FROM auth_revocations WHERE expires_at < ?", {nowSeconds()});
    for (const auto& row : store_.query("SELECT token_id, expires_at FROM auth_revocations").rows)
        revoked_[row["token_id"].get<std::string>()] = row["expires_at"].get<std::int64_t>();
}

std::string TokenService::loadOrCreateKey(const std::string& keyFile) {
    std::ifstream in(keyFile, std::ios::binary);
    if (in) {
        std::ostringstream text;
        text << in.rdbuf();
        if (text.str().size() >= 32) return text.str();
    }
    std::filesystem::create_directories(std::filesystem::path(keyFile).parent_path());
    std::string key(32, '\0');
    Poco::RandomInputStream random;
    random.read(key.data(), static_cast<std::streamsize>(key.size()));
    {
        std::ofstream out(keyFile, std::ios::binary | std::ios::trunc);
        out.write(key.data(), static_cast<std::streamsize>(key.size()));
        if (!out) throw std::runtime_error("cannot write the token key " + keyFile);
    }
    ::chmod(keyFile.c_str(), 0600);
    return key;
}

TokenService::Issued TokenService::issue(std::int64_t userId, const std::string& username) const {
    Poco::JWT::Token token;
    const std::string id = Poco::UUIDGenerator::defaultGenerator().createRandom().toString();
    const std::int64_t expires = nowSeconds() + ttlSeconds_;
    token.setType("JWT");
    token.setSubject(std::to_string(userId));
    token.setId(id);
    token.setIssuedAt(Poco::Timestamp());
    token.setExpiration(Poco::Timestamp::fromEpochTime(static_cast<std::time_t>(expires)));
    token.payload().set("name", username);
    Poco::JWT::Signer signer(key_);
    return {signer.sign(token, Poco::JWT::Signer::ALGO_HS256), id, expires};
}

std::optional<TokenService::Claims> TokenService::verify(const std::string& text, Refusal& refusal) const {
    Poco::JWT::Token token;
    try {
        Poco::JWT::Signer signer(key_);
        if (!signer.tryVerify(text, token)) {
            refusal = Refusal::Invalid;
            return std::nullopt;
        }
    } catch (const std::exception&) {
        refusal = Refusal::Invalid;
        return std::nullopt;
    }
    Claims claims;
    try {
        claims.userId = std::stoll(token.getSubject());
        claims.tokenId = token.getId();
        claims.expiresAt = token.getExpiration().epochTime();
    } catch (const std::exception&) {
        refusal = Refusal::Invalid;
        return std::nullopt;
    }
    if (claims.expiresAt <= nowSeconds()) {
        refusal = Refusal::Expired;
        return std::nullopt;
    }
    std::lock_guard lock(mutex_);
    if (revoked_.count(claims.tokenId)) {
        refusal = Refusal::Revoked;
        return std::nullopt;
    }
    return claims;
}

void TokenService::revoke(const std::string& tokenId, std::int64_t expiresAt) {
    store_.query("INSERT INTO auth_revocations (token_id, expires_at) VALUES (?, ?) ON CONFLICT (token_id) DO NOTHING",
                 {tokenId, expiresAt});
    std::lock_guard lock(mutex_);
    revoked_[tokenId] = expiresAt;
}

} // namespace anchang
