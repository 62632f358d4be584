#include "bus/EventProxy.h"

#include "bus/BusCredentials.h"
#include "bus/BusHeader.h"
#include "bus/BusProtocol.h"

#include <Poco/Logger.h>

#include <zmq_addon.hpp>

namespace anchang {

EventProxy::EventProxy(zmq::context_t& context, Endpoints endpoints)
    : context_(context), endpoints_(std::move(endpoints)) {}

EventProxy::~EventProxy() { join(); }

void EventProxy::start() {
    xsub_ = zmq::socket_t(context_, zmq::socket_type::xsub);
    xpub_ = zmq::socket_t(context_, zmq::socket_type::xpub);
    pull_ = zmq::socket_t(context_, zmq::socket_type::pull);
    capture_ = zmq::socket_t(context_, zmq::socket_type::pub);
    for (auto* socket : {&xsub_, &xpub_, &pull_, &capture_}) socket->set(zmq::sockopt::linger, 0);
    if (endpoints_.authenticate) {
        BusCredentials::protect(xsub_);
        BusCredentials::protect(xpub_);
        // Only tcp peers are decoded, so only they meet the limit; a plugin's photo goes inproc.
        xsub_.set(zmq::sockopt::maxmsgsize, kMaxExternalMessage);
        xpub_.set(zmq::sockopt::maxmsgsize, std::int64_t{1024});
    }
    for (const auto& endpoint : endpoints_.publish) {
        xsub_.bind(endpoint);
        boundPublish_.push_back(xsub_.get(zmq::sockopt::last_endpoint));
    }
    for (const auto& endpoint : endpoints_.subscribe) {
        xpub_.bind(endpoint);
        boundSubscribe_.push_back(xpub_.get(zmq::sockopt::last_endpoint));
    }
    pull_.bind(endpoints_.internal);
    capture_.bind(endpoints_.capture);
    thread_ = std::thread([this] { run(); });
}

void EventProxy::join() {
    if (thread_.joinable()) thread_.join();
}

bool EventProxy::valid(const std::vector<zmq::message_t>& frames) const {
    if (frames.size() != 4) return false;
    if (!BusProtocol::validName(BusProtocol::view(frames[0]))) return false;
    if (BusProtocol::view(frames[1]) != BusProtocol::kProtocol) return false;
    const auto header = BusHeader::parse(BusProtocol::view(frames[2]));
    if (!header || header->type != "event") return false;
    return BusProtocol::isJson(frames[3]);
}

void EventProxy::forward(std::vector<zmq::message_t>& frames) {
    const bool internal = BusProtocol::view(frames[0]).substr(0, 1) == "$";
    if (!internal) {
        for (std::size_t i = 0; i < frames.size(); ++i) {
            zmq::message_t copy;
            copy.copy(frames[i]);
            capture_.send(copy, i + 1 < frames.size() ? zmq::send_flags::sndmore | zmq::send_flags::dontwait
                                                      : zmq::send_flags::dontwait);
        }
    }
    zmq::send_multipart(xpub_, frames, zmq::send_flags::dontwait);
    forwarded_.fetch_add(1, std::memory_order_relaxed);
}

void EventProxy::run() {
    auto& log = Poco::Logger::get("bus");
    std::vector<zmq::pollitem_t> items = {
        {xpub_.handle(), 0, ZMQ_POLLIN, 0},
        {xsub_.handle(), 0, ZMQ_POLLIN, 0},
        {pull_.handle(), 0, ZMQ_POLLIN, 0},
    };
    std::vector<zmq::message_t> frames;
    try {
        for (;;) {
            BusProtocol::poll(items.data(), items.size(), std::chrono::milliseconds(-1));
            if (items[0].revents & ZMQ_POLLIN) {
                // A subscription change from a subscriber: pass it upstream so that external
                // publishers send what someone wants.
                std::vector<zmq::message_t> change;
                if (BusProtocol::receive(xpub_, change) && change.size() == 1) xsub_.send(change[0], zmq::send_flags::dontwait);
            }
            if (items[1].revents & ZMQ_POLLIN) {
                frames.clear();
                if (BusProtocol::receive(xsub_, frames, zmq::recv_flags::dontwait)) {
                    // Only tcp clients publish here: each may publish what its manifest declares,
                    // under its own name, for no acting user.
                    const std::string peer = frames.empty() ? std::string{} : BusProtocol::peerOf(frames[0]);
                    if (valid(frames) && BusProtocol::view(frames[0]).substr(0, 1) != "$" && endpoints_.mayPublish &&
                        endpoints_.mayPublish(peer, std::string(BusProtocol::view(frames[0])))) {
                        frames[2] = BusProtocol::frame(BusProtocol::restamp(BusProtocol::view(frames[2]), peer));
                        forward(frames);
                    } else if (dropped_.fetch_add(1) % 1000 == 0) {
                        log.warning("dropped an event from an external publisher: malformed, or a topic its manifest does not "
                                    "declare (%z dropped so far)",
                                    static_cast<std::size_t>(dropped_.load()));
                    }
                }
            }
            if (items[2].revents & ZMQ_POLLIN) {
                frames.clear();
                if (BusProtocol::receive(pull_, frames, zmq::recv_flags::dontwait)) forward(frames);
            }
        }
    } catch (const zmq::error_t& e) {
        if (e.num() != ETERM) log.error("event proxy stopped: %s", std::string(e.what()));
    }
    for (auto* socket : {&xsub_, &xpub_, &pull_, &capture_}) socket->close();
}

} // namespace anchang
