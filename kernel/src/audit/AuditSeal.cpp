#include "audit/AuditSeal.h"

#include "crypto/Hmac.h"

namespace anchang {

std::string AuditSeal::of(std::string_view purpose, std::int64_t seq, std::string_view hash) const {
    std::string message(purpose);
    message += '\0';
    message += std::to_string(seq);
    message += '\0';
    message += hash;
    return Hmac::sha256Hex(key_, message);
}

bool AuditSeal::matches(std::string_view purpose, std::int64_t seq, std::string_view hash, std::string_view seal) const {
    return Hmac::same(of(purpose, seq, hash), seal);
}

} // namespace anchang
