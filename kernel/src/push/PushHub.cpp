#include "push/PushHub.h"

#include "anchang/sdk/Json.hpp"
#include "bus/Bus.h"
#include "bus/BusHeader.h"
#include "bus/BusProtocol.h"

#include <Poco/Logger.h>
#include <Poco/Net/NetException.h>

#include <zmq_addon.hpp>

#include <algorithm>
#include <chrono>

namespace anchang {

namespace {
constexpr std::size_t kMaxPending = 256 * 1024;
constexpr auto kHeartbeat = std::chrono::seconds(15);
constexpr std::string_view kPrefix = "push.";
} // namespace

PushHub::PushHub(Bus& bus, Allows allows) : bus_(bus), allows_(std::move(allows)) {}

PushHub::~PushHub() { stop(); }

void PushHub::start() {
    thread_ = std::thread([this] { run(); });
}

void PushHub::stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
}

void PushHub::attach(Poco::Net::StreamSocket socket, Principal principal, std::int64_t project, std::vector<std::string> events,
                     std::string head) {
    socket.setBlocking(false);
    std::lock_guard lock(incomingMutex_);
    incoming_.push_back({std::move(socket), std::move(principal), project, std::move(events), std::move(head)});
}

bool PushHub::flush(Stream& stream) {
    while (!stream.pending.empty()) {
        int sent = 0;
        try {
            sent = stream.socket.sendBytes(stream.pending.data(), static_cast<int>(std::min<std::size_t>(stream.pending.size(), 65536)));
        } catch (const Poco::TimeoutException&) {
            return stream.pending.size() <= kMaxPending; // EAGAIN: the reader is slow
        } catch (const Poco::Exception&) {
            return false; // the browser went away
        }
        if (sent < 0) return stream.pending.size() <= kMaxPending;
        if (sent == 0) return false;
        stream.pending.erase(0, static_cast<std::size_t>(sent));
    }
    return true;
}

void PushHub::deliver(const std::string& event, std::int64_t project, const std::string& body) {
    nlohmann::json parsed = sdk::Json::parse(body);
    if (!parsed.is_object()) return;
    const nlohmann::json audience = parsed.value("audience", nlohmann::json::object());
    const std::string frame = "event: " + event + "\ndata: " +
                              parsed.value("data", nlohmann::json::object()).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
                              "\n\n";
    for (auto& stream : streams_) {
        if (stream.project != project) continue;
        if (std::find(stream.events.begin(), stream.events.end(), event) == stream.events.end()) continue;
        bool allowed = false;
        if (audience.contains("users") && audience["users"].is_array())
            for (const auto& user : audience["users"]) allowed = allowed || (user.is_number_integer() && user == stream.principal.userId);
        if (!allowed && audience.contains("permission") && audience["permission"].is_string())
            allowed = allows_(stream.principal, audience["permission"], project);
        if (allowed) stream.pending += frame;
    }
}

void PushHub::run() {
    auto& log = Poco::Logger::get("push");
    try {
        zmq::socket_t sub(bus_.context(), zmq::socket_type::sub);
        sub.set(zmq::sockopt::linger, 0);
        sub.set(zmq::sockopt::subscribe, std::string(kPrefix));
        sub.connect(Bus::kSubscribeInproc);
        auto nextBeat = std::chrono::steady_clock::now() + kHeartbeat;
        std::vector<zmq::message_t> frames;
        while (!stopping_) {
            {
                std::lock_guard lock(incomingMutex_);
                for (auto& stream : incoming_) streams_.push_back(std::move(stream));
                incoming_.clear();
            }
            zmq::pollitem_t item{sub.handle(), 0, ZMQ_POLLIN, 0};
            // Short polls while something waits to be written; a slow reader should not wait long.
            // Idle, 50 ms: stop() waits for this poll to end.
            const bool backlog = std::any_of(streams_.begin(), streams_.end(), [](const Stream& s) { return !s.pending.empty(); });
            BusProtocol::poll(&item, 1, std::chrono::milliseconds(backlog ? 20 : 50));
            while (item.revents & ZMQ_POLLIN) {
                frames.clear();
                if (!BusProtocol::receive(sub, frames, zmq::recv_flags::dontwait)) break;
                if (frames.size() != 4) continue;
                const std::string topic(BusProtocol::view(frames[0]));
                const auto header = BusHeader::parse(BusProtocol::view(frames[2]));
                if (!header) continue;
                deliver(topic.substr(kPrefix.size()), header->project, std::string(BusProtocol::view(frames[3])));
            }
            if (std::chrono::steady_clock::now() >= nextBeat) {
                for (auto& stream : streams_) stream.pending += ": keep-alive\n\n";
                nextBeat = std::chrono::steady_clock::now() + kHeartbeat;
            }
            std::erase_if(streams_, [](Stream& stream) {
                if (flush(stream)) return false;
                try {
                    stream.socket.close();
                } catch (...) {
                }
                return true;
            });
        }
    } catch (const zmq::error_t& e) {
        if (e.num() != ETERM) log.error("push hub stopped: %s", std::string(e.what()));
    }
    for (auto& stream : streams_) {
        try {
            stream.socket.close();
        } catch (...) {
        }
    }
    streams_.clear();
}

} // namespace anchang
