#pragma once
/// anchang::TokenService — bearer tokens: HS256 JSON Web Tokens (Poco::JWT) with an expiry, an
/// id that logout can revoke, and the user's token generation (a password change or a disable
/// ends every token of the generation before).
///
/// The signing key is 32 random bytes in the data folder (created 0600 on first start), not in
/// the database, so a leaked database backup cannot mint tokens. Revoked ids are kept in the
/// store until the token would have expired anyway, and cached in memory. A token is read
/// strictly: each part canonical unpadded base64url, the signature exactly the one the key
/// makes (Poco alone also took a signature with a trailing '=').

#include <Poco/Crypto/OpenSSLInitializer.h>

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace anchang {

class Store;

class TokenService {
public:
    struct Claims {
        std::int64_t userId = 0;
        std::string tokenId;
        std::int64_t expiresAt = 0; ///< seconds since the epoch
        std::int64_t generation = 0;
    };
    struct Issued {
        std::string token;
        std::string tokenId;
        std::int64_t expiresAt = 0;
    };
    /// Why a token was refused: its code is the API error code.
    enum class Refusal { Invalid, Expired, Revoked };

    TokenService(Store& store, const std::string& keyFile, std::int64_t ttlSeconds);

    Issued issue(std::int64_t userId, const std::string& username, std::int64_t generation) const;
    /// The claims of a valid token, or why it is refused.
    std::optional<Claims> verify(std::string_view token, Refusal& refusal) const;
    void revoke(const std::string& tokenId, std::int64_t expiresAt);

    /// HMAC-SHA256 of `text` with the token key, unpadded base64url; `purpose` keeps the MACs
    /// made for different uses (bearer tokens, device tokens) apart.
    std::string sign(const std::string& purpose, const std::string& text) const;

private:
    /// Poco::Crypto counts its users and tears OpenSSL's locks down when the count reaches
    /// zero; with every token check making and dropping a digest engine, concurrent requests
    /// raced that teardown and crashed (seen under load). Holding one reference for the
    /// service's whole life keeps the count above zero.
    Poco::Crypto::OpenSSLInitializer openssl_;
    Store& store_;
    std::string key_;
    std::int64_t ttlSeconds_;
    /// Every request reads verified_ (shared); a new token, a logout write.
    mutable std::shared_mutex mutex_;
    std::unordered_map<std::string, std::int64_t> revoked_;
    /// Tokens whose signature was checked, with their claims: a token's text decides its claims,
    /// so a second request with it skips two HMACs and Poco's JWT parse (a tenth of an opening
    /// storm's CPU). Expiry and revocation are still checked every time. Emptied when full.
    /// Looked up by the header's own bytes (a token is ~300 of them), without a copy.
    struct TextHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
    };
    mutable std::unordered_map<std::string, Claims, TextHash, std::equal_to<>> verified_;
    static constexpr std::size_t kVerifiedTokens = 50000;
};

} // namespace anchang
