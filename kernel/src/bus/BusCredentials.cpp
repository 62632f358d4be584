#include "bus/BusCredentials.h"

#include "bus/BusProtocol.h"

#include <Poco/Logger.h>

#include <openssl/crypto.h>
#include <zmq_addon.hpp>

#include <stdexcept>
#include <vector>

namespace anchang {

BusCredentials::BusCredentials(zmq::context_t& context, std::map<std::string, std::string> secrets)
    : context_(context), secrets_(std::move(secrets)) {
    if (secrets_.empty())
        throw std::invalid_argument("bus.external is on but no bus.credentials.<name> is set: the tcp bus would be open to "
                                    "every local process");
    for (const auto& [name, secret] : secrets_) {
        if (!BusProtocol::validName(name)) throw std::invalid_argument("bus.credentials." + name + ": not a client name");
        if (secret.size() < kMinSecret)
            throw std::invalid_argument("bus.credentials." + name + ": the secret needs at least " + std::to_string(kMinSecret) +
                                        " characters");
    }
}

BusCredentials::~BusCredentials() { join(); }

void BusCredentials::start() {
    socket_ = zmq::socket_t(context_, zmq::socket_type::rep);
    socket_.set(zmq::sockopt::linger, 0);
    socket_.bind("inproc://zeromq.zap.01");
    thread_ = std::thread([this] { run(); });
}

void BusCredentials::join() {
    if (thread_.joinable()) thread_.join();
}

void BusCredentials::protect(zmq::socket_t& socket) {
    socket.set(zmq::sockopt::plain_server, 1);
    socket.set(zmq::sockopt::zap_domain, kDomain);
}

bool BusCredentials::allows(const std::string& mechanism, const std::string& name, const std::string& secret) const {
    if (mechanism != "PLAIN") return false;
    const auto it = secrets_.find(name);
    // Compare in constant time, so the answer's timing does not spell out the secret.
    return it != secrets_.end() && it->second.size() == secret.size() &&
           CRYPTO_memcmp(it->second.data(), secret.data(), secret.size()) == 0;
}

void BusCredentials::run() {
    auto& log = Poco::Logger::get("bus");
    std::vector<zmq::message_t> frames;
    try {
        for (;;) {
            frames.clear();
            if (!BusProtocol::receive(socket_, frames, zmq::recv_flags::none)) continue;
            // [version][request id][domain][address][routing id][mechanism][credentials...]
            if (frames.size() < 6) continue; // no request id to answer to: nothing valid to say
            const std::string mechanism = frames[5].to_string();
            const std::string name = frames.size() > 6 ? frames[6].to_string() : std::string{};
            const std::string secret = frames.size() > 7 ? frames[7].to_string() : std::string{};
            const bool ok = frames[0].to_string() == "1.0" && frames[2].to_string() == kDomain && allows(mechanism, name, secret);
            if (ok) accepted_.fetch_add(1);
            else if (refused_.fetch_add(1) % 100 == 0)
                log.warning("refused a bus connection from %s (%s, client \"%s\"; %z refused so far)", frames[3].to_string(),
                            mechanism, name.substr(0, 64), static_cast<std::size_t>(refused_.load()));
            std::vector<zmq::message_t> reply;
            reply.emplace_back(std::string_view("1.0"));
            reply.push_back(std::move(frames[1]));
            reply.emplace_back(std::string_view(ok ? "200" : "400"));
            reply.emplace_back(std::string_view(ok ? "OK" : "unknown client or wrong secret"));
            reply.emplace_back(ok ? std::string_view(name) : std::string_view());
            reply.emplace_back(); // no metadata
            zmq::send_multipart(socket_, reply);
        }
    } catch (const zmq::error_t& e) {
        if (e.num() != ETERM) log.error("bus authentication stopped: %s", std::string(e.what()));
    }
    socket_.close();
}

} // namespace anchang
