#include "bus/BusProtocol.h"

#include "anchang/sdk/Json.hpp"

#include <zmq_addon.hpp>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <random>

namespace anchang {

bool BusProtocol::validName(std::string_view name) {
    if (name.empty() || name.size() > 200) return false;
    for (char c : name) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        if (!ok) return false;
    }
    return name.front() != '.' && name.back() != '.';
}

nlohmann::json BusProtocol::header(std::string_view type, std::string_view source, std::int64_t project) {
    return {{"id", newId()}, {"type", type}, {"schema", kSchema}, {"project", project},
            {"source", source}, {"ts", nowMs()}};
}

std::int64_t BusProtocol::nowMs() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string BusProtocol::newId() {
    // A random prefix per process and a counter: unique without a syscall per message.
    static const std::string prefix = [] {
        std::random_device device;
        char text[17];
        std::snprintf(text, sizeof text, "%016llx",
                      (static_cast<unsigned long long>(device()) << 32) ^ device());
        return std::string(text, 12);
    }();
    static std::atomic<std::uint64_t> counter{0};
    return prefix + "-" + std::to_string(counter.fetch_add(1, std::memory_order_relaxed) + 1);
}

int BusProtocol::poll(zmq::pollitem_t* items, std::size_t count, std::chrono::milliseconds timeout) {
    try {
        return zmq::poll(items, count, timeout);
    } catch (const zmq::error_t& e) {
        if (e.num() != EINTR) throw;
        for (std::size_t i = 0; i < count; ++i) items[i].revents = 0;
        return 0;
    }
}

bool BusProtocol::receive(zmq::socket_t& socket, std::vector<zmq::message_t>& frames, zmq::recv_flags flags) {
    try {
        return zmq::recv_multipart(socket, std::back_inserter(frames), flags).has_value();
    } catch (const zmq::error_t& e) {
        if (e.num() != EINTR) throw;
        return false;
    }
}

std::string BusProtocol::peerOf(const zmq::message_t& frame) {
    const char* user = zmq_msg_gets(frame.handle(), "User-Id");
    return user ? user : "";
}

std::string BusProtocol::restamp(std::string_view text, const std::string& peer) {
    nlohmann::json header = sdk::Json::parse(text);
    header["source"] = peer;
    header.erase("user");
    header.erase("tx");
    header.erase("seq");
    return header.dump();
}

bool BusProtocol::isJson(const zmq::message_t& frame) {
    return sdk::Json::accept(view(frame));
}

} // namespace anchang
