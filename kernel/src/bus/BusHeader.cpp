#include "bus/BusHeader.h"

#include "anchang/sdk/Json.hpp"

#include <limits>

namespace anchang {

namespace {

constexpr std::size_t kMaxText = 200;

bool readText(const nlohmann::json& header, const char* key, std::string& out) {
    const auto it = header.find(key);
    if (it == header.end() || it->is_null()) return true;
    if (!it->is_string() || it->get_ref<const std::string&>().size() > kMaxText) return false;
    out = it->get<std::string>();
    return true;
}

template <class Int>
bool readWhole(const nlohmann::json& header, const char* key, Int& out, std::int64_t min = std::numeric_limits<Int>::min()) {
    const auto it = header.find(key);
    if (it == header.end() || it->is_null()) return true;
    if (!it->is_number_integer()) return false;
    // An unsigned value above INT64_MAX is a number_integer too; it is no id or time of ours.
    if (it->is_number_unsigned() && it->get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<Int>::max()))
        return false;
    const auto value = it->get<std::int64_t>();
    if (value < min || value > static_cast<std::int64_t>(std::numeric_limits<Int>::max())) return false;
    out = static_cast<Int>(value);
    return true;
}

} // namespace

std::optional<BusHeader> BusHeader::parse(std::string_view text) {
    const nlohmann::json header = sdk::Json::parse(text);
    if (!header.is_object()) return std::nullopt;
    BusHeader out;
    std::int64_t deadline = 0;
    const bool ok = readText(header, "id", out.id) && readText(header, "type", out.type) && readText(header, "source", out.source) &&
                    readText(header, "service", out.service) && readText(header, "correlation_id", out.correlationId) &&
                    readWhole(header, "schema", out.schema) && readWhole(header, "status", out.status) &&
                    readWhole(header, "project", out.project, 0) && readWhole(header, "ts", out.ts) &&
                    readWhole(header, "deadline", deadline);
    if (!ok || !readText(header, "tx", out.tx) || !readWhole(header, "seq", out.seq, 0)) return std::nullopt;
    if (header.contains("deadline") && !header["deadline"].is_null()) out.deadline = deadline;
    if (const auto it = header.find("user"); it != header.end() && !it->is_null()) {
        if (!it->is_object()) return std::nullopt;
        ActingUser::User user;
        if (!readWhole(*it, "id", user.id, 0) || !readText(*it, "username", user.username) ||
            !readText(*it, "display_name", user.displayName) || user.id == 0)
            return std::nullopt;
        out.user = std::move(user);
    }
    return out;
}

} // namespace anchang
