#include "http/AccessLog.h"

#include "http/JsonText.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace anchang {

namespace {

/// "2026-11-22T11:41:58.331Z", reformatting the seconds only when they change.
void appendTimestamp(std::string& out) {
    using namespace std::chrono;
    const auto now = system_clock::now();
    const auto seconds = time_point_cast<std::chrono::seconds>(now);
    thread_local std::int64_t cachedSecond = -1;
    thread_local char prefix[32];
    const std::int64_t second = seconds.time_since_epoch().count();
    if (second != cachedSecond) {
        const std::time_t t = static_cast<std::time_t>(second);
        std::tm utc{};
        gmtime_r(&t, &utc);
        std::strftime(prefix, sizeof prefix, "%Y-%m-%dT%H:%M:%S", &utc);
        cachedSecond = second;
    }
    char millis[8];
    std::snprintf(millis, sizeof millis, ".%03dZ", static_cast<int>(duration_cast<milliseconds>(now - seconds).count()));
    out += prefix;
    out += millis;
}

} // namespace

void AccessLog::record(std::string_view method, std::string_view path, int status, std::int64_t micros,
                       std::string_view requestId, std::string_view user) const {
    std::string line;
    line.reserve(200 + path.size());
    if (json_) {
        line += R"({"ts":")";
        appendTimestamp(line);
        line += R"(","level":"info","logger":"http.access","msg":"request","method":")";
        JsonText::appendEscaped(line, method);
        line += R"(","path":")";
        JsonText::appendEscaped(line, path);
        line += R"(","status":)";
        line += std::to_string(status);
        line += R"(,"us":)";
        line += std::to_string(micros);
        line += R"(,"request_id":")";
        JsonText::appendEscaped(line, requestId);
        line += '"';
        if (!user.empty()) {
            line += R"(,"user":")";
            JsonText::appendEscaped(line, user);
            line += '"';
        }
        line += '}';
    } else {
        appendTimestamp(line);
        line += " access: ";
        line += method;
        line += ' ';
        JsonText::appendEscaped(line, path);
        line += ' ' + std::to_string(status) + ' ' + std::to_string(micros) + "us " + std::string(requestId);
        if (!user.empty()) line += " " + std::string(user);
    }
    sink_(std::move(line));
}

} // namespace anchang
