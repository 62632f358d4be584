#include "auth/SignInCodes.h"

#include "clock/KernelClock.h"
#include "crypto/Hmac.h"
#include "store/SecretFile.h"
#include "store/Store.h"

#include <algorithm>
#include <cstring>

namespace anchang {

namespace {

constexpr std::int64_t kHourMs = 60 * 60 * 1000;

/// Six digits, uniform: 32-bit draws above the last whole million are thrown away.
std::string sixDigits() {
    constexpr std::uint32_t kRange = 1000000;
    constexpr std::uint32_t kUsable = UINT32_MAX - UINT32_MAX % kRange;
    for (;;) {
        const std::string bytes = SecretFile::randomBytes(4);
        std::uint32_t n = 0;
        std::memcpy(&n, bytes.data(), sizeof n);
        if (n >= kUsable) continue;
        std::string code = std::to_string(n % kRange);
        return std::string(6 - code.size(), '0') + code;
    }
}

} // namespace

SignInCodes::SignInCodes(Store& store, KernelClock& clock, std::string key, Limits limits)
    : store_(store), clock_(clock), key_(std::move(key)), limits_(limits) {}

std::string SignInCodes::digest(const std::string& phone, std::int64_t project, const std::string& role, const std::string& code) const {
    // Bound to the phone, project and role: a code sent for one cannot open another.
    return Hmac::sha256Hex(key_, phone + "\n" + std::to_string(project) + "\n" + role + "\n" + code);
}

std::int64_t SignInCodes::waitFor(const char* column, const std::string& value, int perHour, std::int64_t now) {
    // `column` is one of two names written in this file, never input.
    const auto rows = store_.query(std::string("SELECT created_at FROM kernel_sign_in_codes WHERE ") + column +
                                       " = ? AND created_at > ? ORDER BY created_at DESC LIMIT ?",
                                   {value, now - kHourMs, perHour})
                          .rows;
    if (static_cast<int>(rows.size()) < perHour) return 0;
    // The oldest of the last `perHour` leaves the window first.
    return rows.back()["created_at"].get<std::int64_t>() + kHourMs - now;
}

SignInCodes::Issued SignInCodes::issue(const std::string& phone, std::int64_t project, const std::string& role, const std::string& address) {
    Issued out;
    store_.transaction([&] {
        const std::int64_t now = clock_.nowMs();
        // Forget what no limit looks at any more.
        store_.query("DELETE FROM kernel_sign_in_codes WHERE created_at < ?", {now - 24 * kHourMs});
        std::int64_t waitMs = 0;
        const auto last = store_.query("SELECT MAX(created_at) AS at FROM kernel_sign_in_codes WHERE phone = ?", {phone}).rows[0]["at"];
        if (last.is_number()) waitMs = std::max(waitMs, last.get<std::int64_t>() + limits_.resendAfterMs - now);
        waitMs = std::max(waitMs, waitFor("phone", phone, limits_.perPhonePerHour, now));
        waitMs = std::max(waitMs, waitFor("address", address, limits_.perAddressPerHour, now));
        if (waitMs > 0) {
            out.retryAfterS = (waitMs + 999) / 1000;
            return;
        }
        store_.query("UPDATE kernel_sign_in_codes SET used_at = ? WHERE phone = ? AND project_id = ? AND role = ? AND used_at IS NULL",
                     {now, phone, project, role});
        out.code = sixDigits();
        store_.query("INSERT INTO kernel_sign_in_codes (phone, project_id, role, code_hash, address, created_at, expires_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)",
                     {phone, project, role, digest(phone, project, role, out.code), address, now, now + limits_.lifetimeMs});
    });
    return out;
}

SignInCodes::Check SignInCodes::verify(const std::string& phone, std::int64_t project, const std::string& role, const std::string& code) {
    const std::int64_t now = clock_.nowMs();
    const auto rows = store_.query("SELECT id, code_hash, expires_at FROM kernel_sign_in_codes WHERE phone = ? AND project_id = ? AND role = ? "
                                   "AND used_at IS NULL ORDER BY id DESC LIMIT 1",
                                   {phone, project, role})
                          .rows;
    if (rows.empty() || rows[0]["expires_at"].get<std::int64_t>() <= now) return Check::Invalid;
    const std::int64_t id = rows[0]["id"];
    // Every check spends a try before it compares, so parallel guesses cannot exceed the limit.
    if (store_.query("UPDATE kernel_sign_in_codes SET tries = tries + 1 WHERE id = ? AND tries < ? AND used_at IS NULL", {id, limits_.tries})
            .changes == 0)
        return Check::Exhausted;
    if (!Hmac::same(rows[0]["code_hash"].get<std::string>(), digest(phone, project, role, code))) return Check::Wrong;
    // Spent once: of two checks with the right code at the same moment, one signs in.
    if (store_.query("UPDATE kernel_sign_in_codes SET used_at = ? WHERE id = ? AND used_at IS NULL", {now, id}).changes == 0)
        return Check::Invalid;
    return Check::Accepted;
}

} // namespace anchang
