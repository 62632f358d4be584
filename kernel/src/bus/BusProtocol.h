#pragma once
/// anchang::BusProtocol — frames of the Anchang bus, one definition for every socket.
///
/// Event:    [topic][ "ANCH/1" ][header JSON][body JSON]      (PUB/SUB, topic first for prefix
///                                                            matching)
/// Request:  [ "ANCH/1" ][header JSON][body JSON]             (client DEALER -> broker ROUTER)
/// To a worker: [client id][ "ANCH/1" ][header][body]         (broker -> worker DEALER)
/// Reply:    [client id][ "ANCH/1" ][header][body]            (worker -> broker -> client)
/// docs/bus.md describes the header fields and every message type.

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <zmq.hpp>

namespace anchang {

class BusProtocol {
public:
    /// Protocol id and version; a frame with another value is dropped and counted.
    static constexpr std::string_view kProtocol = "ANCH/1";
    static constexpr int kSchema = 1;

    /// Topics and services are lower-case dotted names: "visit.registered".
    static bool validName(std::string_view name);

    /// A header for a new message of `type` ("event", "request", "reply", "ready", ...).
    static nlohmann::json header(std::string_view type, std::string_view source, std::int64_t project);

    /// Milliseconds since the epoch, the unit of ts and deadline.
    static std::int64_t nowMs();

    /// A process-unique message id.
    static std::string newId();

    /// Whether a body frame is JSON within the nesting limit (sdk::Json). Headers are read
    /// with BusHeader::parse.
    static bool isJson(const zmq::message_t& frame);

    /// zmq_poll that takes an interrupted wait (EINTR: the thread got a signal) for "nothing
    /// ready yet": cppzmq throws for it, which ended the bus thread that was waiting.
    static int poll(zmq::pollitem_t* items, std::size_t count, std::chrono::milliseconds timeout);
    /// Appends a whole multipart message to `frames`; false when none was there, or the wait
    /// was interrupted (likewise).
    static bool receive(zmq::socket_t& socket, std::vector<zmq::message_t>& frames,
                        zmq::recv_flags flags = zmq::recv_flags::dontwait);

    /// The client name a tcp peer authenticated with (BusCredentials: ZeroMQ's "User-Id" of the
    /// connection `frame` came on); "" for in-process sockets, which never authenticate.
    static std::string peerOf(const zmq::message_t& frame);
    /// A header from an out-of-process client as the kernel passes it on: `source` is the name
    /// it authenticated with, and it carries no acting user and no transaction (only the kernel
    /// stamps those).
    static std::string restamp(std::string_view header, const std::string& peer);

    static zmq::message_t frame(std::string_view text) { return zmq::message_t(text.data(), text.size()); }
    static std::string_view view(const zmq::message_t& frame) {
        return {static_cast<const char*>(frame.data()), frame.size()};
    }
};

} // namespace anchang
