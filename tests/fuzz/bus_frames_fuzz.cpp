// Bus frames from outside, through the real broker and event proxy: a multipart message of the
// fuzzer's choosing goes to the broker (as a client or a worker would send it) or to the event
// proxy (as an authenticated out-of-process publisher would), and then the bus must still
// answer: the broker a request, the proxy an event to a plugin's subscription.
//
// Input: the first byte picks the side (even: broker, odd: proxy); the rest is the frames,
// separated by 0xFF bytes (which UTF-8 text never holds).
#include "bus/Bus.h"
#include "bus/BusProtocol.h"

#include <zmq_addon.hpp>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

/// A signal (libFuzzer's own timers) can interrupt a send or a receive: that is no finding, so
/// the call is made again; any other error still ends the run.
template <class Call>
auto againIfInterrupted(Call call) {
    for (;;) {
        try {
            return call();
        } catch (const zmq::error_t& e) {
            if (e.num() != EINTR) throw;
        }
    }
}

constexpr const char* kClient = "fuzzer";
constexpr const char* kSecret = "the-fuzzer-bus-secret";

int echo(void*, const anchang_bus_message* request, anchang_sink_fn reply, void* user) {
    reply(user, request->body_json, std::strlen(request->body_json));
    return ANCHANG_OK;
}

struct Harness {
    Harness() : bus(options()) {
        bus.start();
        agent = bus.agent("fuzz", 1);
        agent->serve("fuzz.echo", &echo, nullptr);
        agent->subscribe("", [](void* user, const anchang_bus_message* event) {
            if (std::strcmp(event->topic, "fuzz.sentinel") == 0) static_cast<Harness*>(user)->sentinel = std::atoll(event->body_json);
        }, this);
        agent->start();
        dealer.set(zmq::sockopt::linger, 0);
        dealer.connect(anchang::Bus::kRequestInproc);
        checker.set(zmq::sockopt::linger, 0);
        checker.connect(anchang::Bus::kRequestInproc);
        publisher.set(zmq::sockopt::linger, 0);
        publisher.set(zmq::sockopt::plain_username, kClient);
        publisher.set(zmq::sockopt::plain_password, kSecret);
        publisher.connect(bus.endpoints()["publish"].get<std::string>());
        std::this_thread::sleep_for(std::chrono::milliseconds(300)); // the tcp handshake
    }

    static anchang::Bus::Options options() {
        anchang::Bus::Options o;
        o.external = true;
        o.credentials = {{kClient, kSecret}};
        o.requestPort = o.subscribePort = o.publishPort = 0;
        // As an installed external manifest would: the fuzzing client may publish and offer under
        // fuzz.* only, so the checks of what it declared are fuzzed too.
        o.mayPublish = [](const std::string&, const std::string& topic) { return topic.rfind("fuzz.", 0) == 0; };
        o.mayOffer = [](const std::string&, const std::string& service) { return service.rfind("fuzz.", 0) == 0; };
        return o;
    }

    /// The broker still answers: a request for a name nobody offers comes back at once.
    bool brokerAnswers() {
        nlohmann::json header = anchang::BusProtocol::header("request", "fuzzer", 0);
        const std::string id = header["id"];
        header["service"] = "liveness.n" + std::to_string(++checks);
        header["deadline"] = anchang::BusProtocol::nowMs() + 2000;
        againIfInterrupted([&] { return checker.send(zmq::str_buffer("ANCH/1"), zmq::send_flags::sndmore); });
        againIfInterrupted([&] { return checker.send(zmq::buffer(header.dump()), zmq::send_flags::sndmore); });
        againIfInterrupted([&] { return checker.send(zmq::str_buffer("{}"), zmq::send_flags::none); });
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        while (std::chrono::steady_clock::now() < until) {
            zmq::pollitem_t item{checker.handle(), 0, ZMQ_POLLIN, 0};
            anchang::BusProtocol::poll(&item, 1, std::chrono::milliseconds(100));
            if (!(item.revents & ZMQ_POLLIN)) continue;
            std::vector<zmq::message_t> frames;
            if (!anchang::BusProtocol::receive(checker, frames)) continue;
            if (frames.size() == 3 && frames[1].to_string().find(id) != std::string::npos) return true;
        }
        return false;
    }

    /// The proxy still forwards: a sentinel published after the fuzzed frames reaches the plugin.
    bool proxyForwards() {
        const long long mark = ++checks;
        nlohmann::json header = anchang::BusProtocol::header("event", "fuzzer", 0);
        againIfInterrupted([&] { return publisher.send(zmq::str_buffer("fuzz.sentinel"), zmq::send_flags::sndmore); });
        againIfInterrupted([&] { return publisher.send(zmq::str_buffer("ANCH/1"), zmq::send_flags::sndmore); });
        againIfInterrupted([&] { return publisher.send(zmq::buffer(header.dump()), zmq::send_flags::sndmore); });
        againIfInterrupted([&] { return publisher.send(zmq::buffer(std::to_string(mark)), zmq::send_flags::none); });
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        while (sentinel.load() != mark)
            if (std::chrono::steady_clock::now() > until) return false;
            else std::this_thread::sleep_for(std::chrono::microseconds(50));
        return true;
    }

    anchang::Bus bus;
    std::unique_ptr<anchang::PluginBusAgent> agent;
    // inproc:// endpoints exist only within the bus's own context.
    zmq::socket_t dealer{bus.context(), zmq::socket_type::dealer};
    zmq::socket_t checker{bus.context(), zmq::socket_type::dealer};
    zmq::socket_t publisher{bus.context(), zmq::socket_type::pub};
    std::atomic<long long> sentinel{0};
    long long checks = 0;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Harness harness; // one bus for the whole run: starting one per input would be all the fuzzer did
    if (size == 0) return 0;
    const bool toProxy = data[0] & 1;
    std::vector<std::string> frames(1);
    for (std::size_t i = 1; i < size && frames.size() <= 8; ++i) {
        if (data[i] == 0xFF) frames.emplace_back();
        else frames.back() += static_cast<char>(data[i]);
    }
    // The dealer is the inproc socket's, shared with the kernel: it must never block.
    zmq::socket_t& socket = toProxy ? harness.publisher : harness.dealer;
    for (std::size_t i = 0; i < frames.size(); ++i)
        if (!againIfInterrupted([&] {
                return socket.send(zmq::buffer(frames[i]),
                                   (i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none) | zmq::send_flags::dontwait);
            }))
            break;
    if (!(toProxy ? harness.proxyForwards() : harness.brokerAnswers())) std::abort();
    // Replies the broker sent back for fuzzed requests: read and forget them.
    for (zmq::message_t frame; againIfInterrupted([&] { return harness.dealer.recv(frame, zmq::recv_flags::dontwait); });) {
    }
    return 0;
}
