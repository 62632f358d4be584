#include "auth/PasswordHasher.h"

#include <Poco/RandomStream.h>

#include <argon2.h>

#include <stdexcept>
#include <vector>

namespace anchang {

std::string PasswordHasher::hash(const std::string& password) const {
    unsigned char salt[16];
    Poco::RandomInputStream random;
    random.read(reinterpret_cast<char*>(salt), sizeof salt);
    const std::size_t length = argon2_encodedlen(cost_.passes, cost_.memoryKiB, cost_.lanes, sizeof salt, 32, Argon2_id);
    std::vector<char> encoded(length);
    int rc = argon2id_hash_encoded(cost_.passes, cost_.memoryKiB, cost_.lanes, password.data(), password.size(), salt,
                                   sizeof salt, 32, encoded.data(), encoded.size());
    if (rc != ARGON2_OK) throw std::runtime_error(std::string("argon2: ") + argon2_error_message(rc));
    return std::string(encoded.data());
}

bool PasswordHasher::verify(const std::string& encoded, const std::string& password) const {
    if (!encoded.starts_with("$argon2id$")) return false;
    return argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
}

std::string PasswordHasher::weakness(const std::string& password) {
    if (password.size() < 8) return "a password needs at least 8 characters";
    if (password.size() > 256) return "a password may have at most 256 characters";
    return {};
}

} // namespace anchang
