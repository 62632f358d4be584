#include "auth/TokenService.h"

#include "store/Store.h"

#include <Poco/Base64Encoder.h>
#include <Poco/JWT/JWTException.h>
#include <Poco/JWT/Signer.h>
#include <Poco/JWT/Token.h>
#include <Poco/RandomStream.h>
#include <Poco/Timestamp.h>
#include <Poco/UUIDGenerator.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
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
    const std::string input = purpose.empty() ? text : purpose + '\0' + text;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()), reinterpret_cast<const unsigned char*>(input.data()), input.size(),
         digest, &length);
    std::ostringstream out;
    Poco::Base64Encoder encoder(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
    encoder.rdbuf()->setLineLength(0);
    encoder.write(reinterpret_cast<const char*>(digest), static_cast<std::streamsize>(length));
    encoder.close();
    return out.str();
}

bool TokenService::same(const std::string& a, const std::string& b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::optional<TokenService::Claims> TokenService::verify(const std::string& text, Refusal& refusal) const {
    // header.payload.signature, each canonical unpadded base64url: no '=', no line breaks, and
    // the signature byte for byte the one this key makes.
    const auto firstDot = text.find('.');
    const auto lastDot = text.rfind('.');
    const auto base64url = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'; };
    if (text.size() > 4096 || firstDot == std::string::npos || firstDot == lastDot || text.find('.', firstDot + 1) != lastDot ||
        !std::all_of(text.begin(), text.end(), base64url) || !same(sign("", text.substr(0, lastDot)), text.substr(lastDot + 1))) {
        refusal = Refusal::Invalid;
        return std::nullopt;
    }
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
    return claims;
}

void TokenService::revoke(const std::string& tokenId, std::int64_t expiresAt) {
    store_.query("INSERT INTO auth_revocations (token_id, expires_at) VALUES (?, ?) ON CONFLICT (token_id) DO NOTHING",
                 {tokenId, expiresAt});
    std::lock_guard lock(mutex_);
    revoked_[tokenId] = expiresAt;
}

} // namespace anchang
