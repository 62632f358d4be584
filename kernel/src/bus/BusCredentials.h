#pragma once
/// anchang::BusCredentials — who may use the bus's tcp endpoints: ZeroMQ's authentication
/// handler (ZAP, RFC 27) for the PLAIN mechanism.
///
/// In-process plugins reach the bus over inproc://, which ZeroMQ never authenticates: only the
/// kernel's own process is there. The tcp endpoints serve out-of-process plugins, and any local
/// process can connect to a loopback port; without a check, any of them read every event (with
/// visitors' phones), called every service and offered services of their own. So every tcp
/// socket of the bus is a PLAIN server, and this handler accepts a connection only with a name
/// and secret from `bus.credentials.<name>` (docs/bus.md). An accepted connection carries the
/// name as its ZeroMQ "User-Id", so the broker knows which client sent each frame.
///
/// PLAIN sends the secret in clear, which is acceptable on loopback (the only address the bus
/// binds by default); a bus on a network needs CURVE, not offered yet.

#include <zmq.hpp>

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <thread>

namespace anchang {

class BusCredentials {
public:
    /// The ZAP domain every tcp socket of the bus sets.
    static constexpr const char* kDomain = "anchang";
    /// Secrets shorter than this are refused at start: they would be guessed.
    static constexpr std::size_t kMinSecret = 16;

    /// `secrets`: client name -> secret. Throws std::invalid_argument for an empty map, a name
    /// that is not a bus name, or a short secret.
    BusCredentials(zmq::context_t& context, std::map<std::string, std::string> secrets);
    ~BusCredentials();

    /// Binds the handler's socket; must come before any tcp endpoint is bound.
    void start();
    /// Returns once the context was shut down and the thread ended.
    void join();

    /// Makes `socket` a PLAIN server that asks this handler.
    static void protect(zmq::socket_t& socket);

    std::uint64_t accepted() const { return accepted_.load(); }
    std::uint64_t refused() const { return refused_.load(); }

private:
    void run();
    bool allows(const std::string& mechanism, const std::string& name, const std::string& secret) const;

    zmq::context_t& context_;
    std::map<std::string, std::string> secrets_;
    zmq::socket_t socket_;
    std::thread thread_;
    std::atomic<std::uint64_t> accepted_{0};
    std::atomic<std::uint64_t> refused_{0};
};

} // namespace anchang
