#pragma once
/// anchang::Hmac — HMAC-SHA256 (OpenSSL), for the MACs the kernel makes with keys of its own:
/// bearer and device tokens, audit seals.

#include <string>
#include <string_view>

namespace anchang {

class Hmac {
public:
    /// The 32-byte MAC of `message` under `key`.
    static std::string sha256(std::string_view key, std::string_view message);
    /// The same as lower-case hex.
    static std::string sha256Hex(std::string_view key, std::string_view message);
    /// Whether two MACs (or any secrets) are equal, in time that does not depend on where they differ.
    static bool same(std::string_view a, std::string_view b);
};

} // namespace anchang
