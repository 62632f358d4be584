#pragma once
/// anchang::AccessLog — one line per HTTP request, formatted on the request's thread.
///
/// The access log is on by default, so its cost is paid by every request: it is formatted here
/// directly (no Poco::Message with its parameter map, pid and thread lookups, no JSON object)
/// and handed to the log channel's buffer as a finished line. The JSON shape is the same as
/// every other log line: {"ts","level","logger","msg","method","path","status","us",
/// "request_id","user"}.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace anchang {

class AccessLog {
public:
    using Sink = std::function<void(std::string&& line)>;

    AccessLog(Sink sink, bool json) : sink_(std::move(sink)), json_(json) {}

    void record(std::string_view method, std::string_view path, int status, std::int64_t micros,
                std::string_view requestId, std::string_view user) const;

private:
    Sink sink_;
    bool json_;
};

} // namespace anchang
