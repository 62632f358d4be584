#include "auth/TokenService.h"

#include "crypto/Hmac.h"
#include "store/SecretFile.h"
#include "store/Store.h"

#include <Poco/Base64Encoder.h>
#include <Poco/JWT/JWTException.h>
#include <Poco/JWT/Signer.h>
#include <Poco/JWT/Token.h>
#include <Poco/Timestamp.h>
#include <Poco/UUIDGenerator.h>

#include <algorithm>
#include <cctype>
#include <sstream>

namespace anchang {

namespace {
std::int64_t nowSeconds() { return Poco::Timestamp().epochTime(); }
} // namespace

TokenService::TokenService(Store& store, const std::string& keyFile, std::int64_t ttlSeconds)
    : store_(store), key_(SecretFile::loadOrCreate(keyFile, 32, [] { return SecretFile::randomBytes(32); })), ttlSeconds_(ttlSeconds) {
    store_.query("DELETE FROM auth_revocations WHERE expires_at < ?", {nowSeconds()});
    for (const auto& row : store_.query("SELECT token_id, expires_at FROM auth_revocations").rows)
        revoked_[row["token_id"].get<std::string>()] = row["expires_at"].get<std::int64_t>();
}

TokenService::Issued TokenService::issue(std::int64_t userId, const std::string& username, std::int64_t generation) const {
    Poco::JWT::Token token;
    const std::string id = Poco::UUIDGenerator::defaultGenerator().createRandom().toString();
    const std::int64_t expires = nowSeconds() + ttlSeconds_;
    token.setType("JWT");
    token.setSubject(std::to_string(userId));
    token.setId(id);
    token.setIssuedAt(Poco::Timestamp());
    token.setExpiration(Poco::Timestamp::fromEpochTime(static_cast<std::time_t>(expires)));
    token.payload().set("name", username);
    token.payload().set("gen", static_cast<Poco::Int64>(generation));
    Poco::JWT::Signer signer(key_);
    return {signer.sign(token, Poco::JWT::Signer::ALGO_HS256), id, expires};
}

std::string TokenService::sign(const std::string& purpose, const std::string& text) const {
    // The bearer token's own MAC (empty purpose) is JWT's HS256 over "header.payload".
    const std::string digest = Hmac::sha256(key_, purpose.empty() ? text : purpose + '\0' + text);
    std::ostringstream out;
    Poco::Base64Encoder encoder(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
    encoder.rdbuf()->setLineLength(0);
    encoder.write(digest.data(), static_cast<std::streamsize>(digest.size()));
    encoder.close();
    return out.str();
}

std::optional<TokenService::Claims> TokenService::verify(std::string_view text, Refusal& refusal) const {
    {
        std::shared_lock lock(mutex_);
        if (const auto known = verified_.find(text); known != verified_.end()) {
            if (known->second.expiresAt <= nowSeconds()) refusal = Refusal::Expired;
            else if (revoked_.count(known->second.tokenId)) refusal = Refusal::Revoked;
            else return known->second;
            return std::nullopt;
        }
    }
    // header.payload.signature, each canonical unpadded base64url: no '=', no line breaks, and
    // the signature byte for byte the one this key makes.
    const auto firstDot = text.find('.');
    const auto lastDot = text.rfind('.');
    const auto base64url = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'; };
    if (text.size() > 4096 || firstDot == std::string::npos || firstDot == lastDot || text.find('.', firstDot + 1) != lastDot ||
        !std::all_of(text.begin(), text.end(), base64url) || !Hmac::same(sign("", std::string(text.substr(0, lastDot))), text.substr(lastDot + 1))) {
        refusal = Refusal::Invalid;
        return std::nullopt;
    }
    Poco::JWT::Token token;
    try {
        Poco::JWT::Signer signer(key_);
        if (!signer.tryVerify(std::string(text), token)) {
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
        claims.generation = token.payload().optValue<Poco::Int64>("gen", 0);
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
    if (verified_.size() >= kVerifiedTokens) verified_.clear();
    verified_.emplace(std::string(text), claims);
    return claims;
}

void TokenService::revoke(const std::string& tokenId, std::int64_t expiresAt) {
    store_.query("INSERT INTO auth_revocations (token_id, expires_at) VALUES (?, ?) ON CONFLICT (token_id) DO NOTHING",
                 {tokenId, expiresAt});
    std::lock_guard lock(mutex_);
    revoked_[tokenId] = expiresAt;
}

} // namespace anchang
