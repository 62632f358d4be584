#pragma once
/// anchang::BusHeader — a bus message's header, read once where the frame arrives, with the
/// type of every field it knows checked.
///
/// A header is a JSON object (docs/bus.md). Its fields reach code that trusts their types (a
/// project id compared with integers, a source printed as text); one `"project":"x"` read with
/// nlohmann's value() used to throw outside any try and end the process. So every socket that
/// receives frames parses the header here and drops (and counts) a message whose header is not
/// an object or has a known field of the wrong type. Fields it does not know are left alone.

#include "bus/ActingUser.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace anchang {

class BusHeader {
public:
    /// The header in `text`, or nullopt when it is not a JSON object or a known field has the
    /// wrong type: id, type, source, service, correlation_id (strings of at most 200 bytes);
    /// schema, status (integers); project (a whole number >= 0), ts, deadline (whole numbers);
    /// user ({"id","username","display_name"}), tx (a string).
    static std::optional<BusHeader> parse(std::string_view text);

    std::string id;
    std::string type;
    int schema = 0;
    std::int64_t project = 0;
    std::string source;
    std::int64_t ts = 0;
    std::string service;
    std::string correlationId;
    std::optional<std::int64_t> deadline;
    int status = 0;
    /// The user the sender acted for (ActingUser), stamped by the kernel.
    std::optional<ActingUser::User> user;
    /// The store transaction an in-process caller lends the service (Store), or "".
    std::string tx;
    /// A durable event's place in the outbox (Outbox), 0 for any other message.
    std::int64_t seq = 0;
};

} // namespace anchang
