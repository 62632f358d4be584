#include "bus/BusClient.h"

#include "anchang/abi.h"
#include "bus/ActingUser.h"
#include "bus/BusHeader.h"
#include "bus/BusProtocol.h"

#include <zmq_addon.hpp>

namespace anchang {

namespace {
BusClient::Reply failure(int status, int httpStatus, const std::string& code, const std::string& message) {
    return {status, nlohmann::json{{"code", code}, {"message", message}, {"status", httpStatus}}.dump()};
}
} // namespace

BusClient::BusClient(zmq::context_t& context, std::string publishEndpoint, std::string requestEndpoint)
    : context_(context), publishEndpoint_(std::move(publishEndpoint)), requestEndpoint_(std::move(requestEndpoint)) {}

BusClient::~BusClient() { close(); }

std::unique_ptr<zmq::socket_t> BusClient::borrow(Pool& pool, zmq::socket_type type, const std::string& endpoint) {
    {
        std::lock_guard state(stateMutex_);
        if (closed_) return nullptr;
    }
    {
        std::lock_guard lock(pool.mutex);
        if (!pool.idle.empty()) {
            auto socket = std::move(pool.idle.back());
            pool.idle.pop_back();
            return socket;
        }
    }
    auto socket = std::make_unique<zmq::socket_t>(context_, type);
    socket->set(zmq::sockopt::linger, 0);
    socket->connect(endpoint);
    return socket;
}

void BusClient::giveBack(Pool& pool, std::unique_ptr<zmq::socket_t> socket) {
    std::lock_guard state(stateMutex_);
    if (closed_) return; // the socket closes here
    std::lock_guard lock(pool.mutex);
    pool.idle.push_back(std::move(socket));
}

void BusClient::close() {
    std::lock_guard state(stateMutex_);
    closed_ = true;
    for (Pool* pool : {&pushPool_, &dealerPool_}) {
        std::lock_guard lock(pool->mutex);
        pool->idle.clear();
    }
}

namespace {
/// A new header of `type` with the acting user, as the kernel stamps every message it sends.
nlohmann::json stamped(std::string_view type, const std::string& source, std::int64_t project) {
    nlohmann::json header = BusProtocol::header(type, source, project);
    if (const auto& user = ActingUser::current()) header["user"] = ActingUser::toJson(*user);
    return header;
}
} // namespace

bool BusClient::publish(const std::string& topic, const std::string& source, std::int64_t project, std::string_view body) {
    return publishRaw(topic, stamped("event", source, project), body);
}

bool BusClient::publishRaw(const std::string& topic, const nlohmann::json& header, std::string_view body) {
    std::unique_ptr<zmq::socket_t> socket;
    try {
        socket = borrow(pushPool_, zmq::socket_type::push, publishEndpoint_);
    } catch (const zmq::error_t&) {
        return false;
    }
    if (!socket) return false;
    std::vector<zmq::message_t> frames;
    frames.emplace_back(topic.data(), topic.size());
    frames.emplace_back(BusProtocol::kProtocol.data(), BusProtocol::kProtocol.size());
    const std::string headerText = header.dump();
    frames.emplace_back(headerText.data(), headerText.size());
    frames.emplace_back(body.data(), body.size());
    bool sent = false;
    try {
        sent = zmq::send_multipart(*socket, frames, zmq::send_flags::dontwait).has_value();
    } catch (const zmq::error_t&) {
        return false;
    }
    giveBack(pushPool_, std::move(socket));
    return sent;
}

BusClient::Reply BusClient::request(const std::string& service, const std::string& source, std::int64_t project,
                                    std::string_view body, std::chrono::milliseconds timeout, const nlohmann::json& extra) {
    if (!BusProtocol::validName(service))
        return failure(ANCHANG_E_INVALID, 400, "bus.invalid_service", "not a service name: " + service);
    std::unique_ptr<zmq::socket_t> socket;
    try {
        socket = borrow(dealerPool_, zmq::socket_type::dealer, requestEndpoint_);
    } catch (const zmq::error_t& e) {
        return failure(ANCHANG_E_UNAVAILABLE, 503, "bus.stopped", e.what());
    }
    if (!socket) return failure(ANCHANG_E_UNAVAILABLE, 503, "bus.stopped", "the bus is shutting down");

    nlohmann::json header = stamped("request", source, project);
    const std::string id = header["id"];
    const std::int64_t deadline = BusProtocol::nowMs() + timeout.count();
    header["service"] = service;
    header["deadline"] = deadline;
    header.update(extra);
    const std::string headerText = header.dump();
    try {
        socket->send(BusProtocol::frame(BusProtocol::kProtocol), zmq::send_flags::sndmore);
        socket->send(BusProtocol::frame(headerText), zmq::send_flags::sndmore);
        socket->send(zmq::message_t(body.data(), body.size()), zmq::send_flags::none);
        std::vector<zmq::message_t> frames;
        for (;;) {
            const std::int64_t remaining = deadline - BusProtocol::nowMs();
            if (remaining <= 0) break;
            zmq::pollitem_t item{socket->handle(), 0, ZMQ_POLLIN, 0};
            BusProtocol::poll(&item, 1, std::chrono::milliseconds(remaining));
            if (!(item.revents & ZMQ_POLLIN)) continue;
            frames.clear();
            if (!BusProtocol::receive(*socket, frames, zmq::recv_flags::dontwait)) continue;
            if (frames.size() != 3) continue;
            const auto replyHeader = BusHeader::parse(BusProtocol::view(frames[1]));
            // A pooled socket may still hold the late answer to an earlier, timed-out request.
            if (!replyHeader || replyHeader->correlationId != id) continue;
            Reply reply{replyHeader->status, std::string(BusProtocol::view(frames[2]))};
            giveBack(dealerPool_, std::move(socket));
            return reply;
        }
    } catch (const zmq::error_t& e) {
        return failure(ANCHANG_E_UNAVAILABLE, 503, "bus.stopped", e.what());
    }
    giveBack(dealerPool_, std::move(socket));
    return failure(ANCHANG_E_TIMEOUT, 504, "bus.timeout",
                   "service " + service + " did not answer within " + std::to_string(timeout.count()) + " ms");
}

std::vector<BusClient::Reply> BusClient::requestAll(const std::vector<std::string>& services, const std::string& source,
                                                    std::int64_t project, const std::vector<std::string>& bodies,
                                                    std::chrono::milliseconds timeout,
                                                    const nlohmann::json& extra) {
    std::vector<Reply> replies(services.size(),
                               failure(ANCHANG_E_TIMEOUT, 504, "bus.timeout", "no answer within " + std::to_string(timeout.count()) + " ms"));
    struct Pending {
        std::unique_ptr<zmq::socket_t> socket;
        std::string id;
        bool answered = false;
    };
    std::vector<Pending> pending(services.size());
    const std::int64_t deadline = BusProtocol::nowMs() + timeout.count();
    try {
        for (std::size_t i = 0; i < services.size(); ++i) {
            if (!BusProtocol::validName(services[i])) {
                replies[i] = failure(ANCHANG_E_INVALID, 400, "bus.invalid_service", "not a service name: " + services[i]);
                pending[i].answered = true;
                continue;
            }
            pending[i].socket = borrow(dealerPool_, zmq::socket_type::dealer, requestEndpoint_);
            if (!pending[i].socket) return std::vector<Reply>(services.size(), failure(ANCHANG_E_UNAVAILABLE, 503, "bus.stopped", "the bus is shutting down"));
            nlohmann::json header = stamped("request", source, project);
            pending[i].id = header["id"];
            header["service"] = services[i];
            header["deadline"] = deadline;
            header.update(extra);
            pending[i].socket->send(BusProtocol::frame(BusProtocol::kProtocol), zmq::send_flags::sndmore);
            pending[i].socket->send(BusProtocol::frame(header.dump()), zmq::send_flags::sndmore);
            pending[i].socket->send(zmq::message_t(bodies[i].data(), bodies[i].size()), zmq::send_flags::none);
        }
        std::vector<zmq::message_t> frames;
        for (;;) {
            std::vector<zmq::pollitem_t> items;
            std::vector<std::size_t> which;
            for (std::size_t i = 0; i < pending.size(); ++i)
                if (!pending[i].answered) {
                    items.push_back({pending[i].socket->handle(), 0, ZMQ_POLLIN, 0});
                    which.push_back(i);
                }
            const std::int64_t remaining = deadline - BusProtocol::nowMs();
            if (items.empty() || remaining <= 0) break;
            BusProtocol::poll(items.data(), items.size(), std::chrono::milliseconds(remaining));
            for (std::size_t k = 0; k < items.size(); ++k) {
                if (!(items[k].revents & ZMQ_POLLIN)) continue;
                Pending& p = pending[which[k]];
                frames.clear();
                if (!BusProtocol::receive(*p.socket, frames) || frames.size() != 3) continue;
                const auto replyHeader = BusHeader::parse(BusProtocol::view(frames[1]));
                if (!replyHeader || replyHeader->correlationId != p.id) continue; // a late answer to an earlier request
                replies[which[k]] = {replyHeader->status, std::string(BusProtocol::view(frames[2]))};
                p.answered = true;
            }
        }
    } catch (const zmq::error_t& e) {
        return std::vector<Reply>(services.size(), failure(ANCHANG_E_UNAVAILABLE, 503, "bus.stopped", e.what()));
    }
    // A socket still waiting may get its answer later; the next borrower skips it by id.
    for (auto& p : pending)
        if (p.socket) giveBack(dealerPool_, std::move(p.socket));
    return replies;
}

} // namespace anchang
