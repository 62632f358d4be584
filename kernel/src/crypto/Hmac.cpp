#include "crypto/Hmac.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace anchang {

std::string Hmac::sha256(std::string_view key, std::string_view message) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(message.data()), message.size(),
         digest, &length);
    return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string Hmac::sha256Hex(std::string_view key, std::string_view message) {
    static const char* digits = "0123456789abcdef";
    std::string hex;
    for (unsigned char byte : sha256(key, message)) {
        hex += digits[byte >> 4];
        hex += digits[byte & 15];
    }
    return hex;
}

bool Hmac::same(std::string_view a, std::string_view b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace anchang
