#pragma once
/// anchang::Ed25519 — signing and verifying licences.
///
/// Ed25519 rather than RSA: 32-byte keys that fit in a config file, deterministic signatures,
/// no padding choices to get wrong. Poco::Crypto (1.11) has no Ed25519, so this calls
/// OpenSSL's EVP interface directly, the library Poco::Crypto itself wraps. Keys are PEM text.

#include <string>

namespace anchang {

class Ed25519 {
public:
    struct KeyPair {
        std::string privatePem;
        std::string publicPem;
    };

    static KeyPair generate();
    /// Base64 signature of `message`. Throws std::runtime_error on a bad key.
    static std::string sign(const std::string& privatePem, const std::string& message);
    /// False for a wrong signature, a malformed signature or a key that is not Ed25519.
    static bool verify(const std::string& publicPem, const std::string& message, const std::string& signatureBase64);
};

} // namespace anchang
