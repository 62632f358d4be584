// Bus request round trip, Anchang beside raw libzmq on the same machine, same message sizes.
//
//   raw inproc    DEALER -> ROUTER echo on inproc://            (the floor: one hop each way)
//   raw tcp       the same over loopback tcp
//   anchang inproc BusClient::request -> ServiceBroker -> PluginBusAgent worker -> back
//                  (two hops each way, JSON header parsed by the broker and the worker)
//   anchang tcp    an external DEALER speaking docs/bus.md to the broker's tcp endpoint
//
// Prints one line per case: p50, p90, p99 in microseconds over --iterations round trips, after
// a warm-up. Run: build/bin/anchang_bus_bench [--iterations N]

#include "anchang/abi.h"
#include "bus/Bus.h"
#include "bus/BusProtocol.h"

#include <zmq_addon.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

using Clock = std::chrono::steady_clock;

namespace {

const std::string kBody = R"({"project":1,"phone":"13800000000","name":"张伟"})";

struct Stats {
    double p50, p90, p99;
};

Stats measure(int iterations, const std::function<void()>& roundTrip) {
    for (int i = 0; i < iterations / 10; ++i) roundTrip();
    std::vector<double> micros;
    micros.reserve(static_cast<std::size_t>(iterations));
    for (int i = 0; i < iterations; ++i) {
        auto start = Clock::now();
        roundTrip();
        micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    }
    std::sort(micros.begin(), micros.end());
    auto at = [&](double q) { return micros[static_cast<std::size_t>(q * (micros.size() - 1))]; };
    return {at(0.5), at(0.9), at(0.99)};
}

void print(const char* name, Stats s) { std::printf("%-16s p50 %7.1f us   p90 %7.1f us   p99 %7.1f us\n", name, s.p50, s.p90, s.p99); }

Stats rawZmq(const std::string& endpoint, int iterations) {
    zmq::context_t context(1);
    zmq::socket_t router(context, zmq::socket_type::router);
    router.bind(endpoint);
    const std::string bound = router.get(zmq::sockopt::last_endpoint);
    std::atomic<bool> stop{false};
    std::thread echo([&] {
        std::vector<zmq::message_t> frames;
        while (!stop) {
            zmq::pollitem_t item{router.handle(), 0, ZMQ_POLLIN, 0};
            zmq::poll(&item, 1, std::chrono::milliseconds(50));
            if (!(item.revents & ZMQ_POLLIN)) continue;
            frames.clear();
            (void)zmq::recv_multipart(router, std::back_inserter(frames));
            zmq::send_multipart(router, frames);
        }
    });
    zmq::socket_t dealer(context, zmq::socket_type::dealer);
    dealer.connect(bound);
    Stats stats = measure(iterations, [&] {
        dealer.send(zmq::buffer(kBody), zmq::send_flags::none);
        zmq::message_t reply;
        (void)dealer.recv(reply);
    });
    stop = true;
    echo.join();
    return stats;
}

int echoService(void*, const anchang_bus_message* request, anchang_sink_fn reply, void* user) {
    reply(user, request->body_json, std::strlen(request->body_json));
    return ANCHANG_OK;
}

} // namespace

int main(int argc, char** argv) {
    int iterations = 20000;
    for (int i = 1; i + 1 < argc; ++i)
        if (std::string(argv[i]) == "--iterations") iterations = std::stoi(argv[i + 1]);

    print("raw inproc", rawZmq("inproc://bench", iterations));
    print("raw tcp", rawZmq("tcp://127.0.0.1:*", iterations));

    anchang::Bus::Options options;
    options.requestPort = 0;
    options.subscribePort = 0;
    options.publishPort = 0;
    anchang::Bus bus(options);
    bus.start();
    auto agent = bus.agent("bench", 1);
    agent->serve("bench.echo", &echoService, nullptr);
    agent->start();
    while (bus.client().request("bench.echo", "bench", 1, kBody, std::chrono::seconds(1)).status != ANCHANG_OK)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));

    print("anchang inproc", measure(iterations, [&] {
        auto reply = bus.client().request("bench.echo", "bench", 1, kBody, std::chrono::seconds(5));
        if (reply.status != ANCHANG_OK) std::abort();
    }));

    zmq::context_t context(1);
    zmq::socket_t dealer(context, zmq::socket_type::dealer);
    dealer.set(zmq::sockopt::linger, 0);
    dealer.connect(bus.endpoints()["request"].get<std::string>());
    std::vector<zmq::message_t> frames;
    print("anchang tcp", measure(iterations, [&] {
        nlohmann::json header = anchang::BusProtocol::header("request", "bench", 1);
        header["service"] = "bench.echo";
        header["deadline"] = anchang::BusProtocol::nowMs() + 5000;
        dealer.send(zmq::str_buffer("ANCH/1"), zmq::send_flags::sndmore);
        dealer.send(zmq::buffer(header.dump()), zmq::send_flags::sndmore);
        dealer.send(zmq::buffer(kBody), zmq::send_flags::none);
        frames.clear();
        (void)zmq::recv_multipart(dealer, std::back_inserter(frames));
    }));
    dealer.close();
    agent->stop();
    bus.stop();
    return 0;
}
