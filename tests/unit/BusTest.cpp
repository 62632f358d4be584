#include "anchang/abi.h"
#include "bus/Bus.h"
#include "bus/BusProtocol.h"

#include <gtest/gtest.h>
#include <zmq_addon.hpp>

#include <atomic>
#include <thread>

using namespace anchang;

namespace {

Bus::Options options(bool external = false) {
    Bus::Options o;
    o.external = external;
    o.requestPort = 0;
    o.subscribePort = 0;
    o.publishPort = 0;
    o.explain = [](const std::string& service) {
        return service.starts_with("channel.") ? "module channel is not licensed" : "";
    };
    return o;
}

int echo(void*, const anchang_bus_message* request, anchang_sink_fn reply, void* user) {
    std::string body = request->body_json;
    reply(user, body.data(), body.size());
    return ANCHANG_OK;
}

int slow(void*, const anchang_bus_message*, anchang_sink_fn reply, void* user) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    reply(user, "{}", 2);
    return ANCHANG_OK;
}

int refuse(void*, const anchang_bus_message*, anchang_sink_fn reply, void* user) {
    const std::string body = R"({"code":"visit.phone_invalid","message":"bad phone","status":400})";
    reply(user, body.data(), body.size());
    return ANCHANG_E_INVALID;
}

} // namespace

TEST(BusProtocol, Names) {
    EXPECT_TRUE(BusProtocol::validName("visit.registered"));
    EXPECT_TRUE(BusProtocol::validName("core.customer.get"));
    for (const char* name : {"", ".x", "x.", "Visit", "a b", "$sync", "x/y"}) EXPECT_FALSE(BusProtocol::validName(name)) << name;
    EXPECT_NE(BusProtocol::newId(), BusProtocol::newId());
}

TEST(Bus, RequestReplyThroughThePluginAgent) {
    Bus bus(options());
    bus.start();
    auto agent = bus.agent("core", 2);
    agent->serve("core.echo", &echo, nullptr);
    agent->serve("core.refuse", &refuse, nullptr);
    agent->start();
    // The worker's ready message races the first request; the broker answers "no such
    // service" until it arrives, so wait for it the way a plugin starting later would.
    BusClient::Reply reply;
    for (int i = 0; i < 100; ++i) {
        reply = bus.client().request("core.echo", "test", 1, R"({"phone":"13800000000"})", std::chrono::seconds(2));
        if (reply.status == ANCHANG_OK) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(reply.status, ANCHANG_OK);
    EXPECT_EQ(nlohmann::json::parse(reply.body)["phone"], "13800000000");

    auto refused = bus.client().request("core.refuse", "test", 1, "{}", std::chrono::seconds(2));
    EXPECT_EQ(refused.status, ANCHANG_E_INVALID);
    EXPECT_EQ(nlohmann::json::parse(refused.body)["code"], "visit.phone_invalid");
    agent->stop();
    bus.stop();
}

TEST(Bus, AMissingServiceIsAnsweredAtOnceWithTheReason) {
    Bus bus(options());
    bus.start();
    // A 30 s deadline: only an immediate answer lets this test finish quickly.
    auto reply = bus.client().request("channel.report.verify", "registration", 1, "{}", std::chrono::seconds(30));
    EXPECT_EQ(reply.status, ANCHANG_E_UNAVAILABLE);
    auto body = nlohmann::json::parse(reply.body);
    EXPECT_EQ(body["code"], "bus.no_such_service");
    EXPECT_NE(body["message"].get<std::string>().find("module channel is not licensed"), std::string::npos);
    EXPECT_EQ(bus.client().request("Not A Service", "x", 0, "{}", std::chrono::seconds(1)).status, ANCHANG_E_INVALID);
    bus.stop();
}

TEST(Bus, ASlowServiceTimesOutAndTheLateReplyIsNotMistakenForTheNext) {
    Bus bus(options());
    bus.start();
    auto agent = bus.agent("slowpoke", 1);
    agent->serve("slow.op", &slow, nullptr);
    agent->serve("slow.echo", &echo, nullptr);
    agent->start();
    BusClient::Reply reply;
    for (int i = 0; i < 100 && reply.status != ANCHANG_E_TIMEOUT; ++i)
        reply = bus.client().request("slow.op", "t", 0, "{}", std::chrono::milliseconds(50));
    EXPECT_EQ(reply.status, ANCHANG_E_TIMEOUT);
    EXPECT_EQ(nlohmann::json::parse(reply.body)["code"], "bus.timeout");
    auto next = bus.client().request("slow.echo", "t", 0, R"({"n":2})", std::chrono::seconds(3));
    ASSERT_EQ(next.status, ANCHANG_OK);
    EXPECT_EQ(nlohmann::json::parse(next.body)["n"], 2);
    agent->stop();
    bus.stop();
}

TEST(Bus, SubscribersGetEveryEventPublishedAfterStartInOrder) {
    Bus bus(options());
    bus.start();
    auto agent = bus.agent("follower", 1);
    static std::vector<int> seen;
    static std::mutex mutex;
    seen.clear();
    agent->subscribe("visit.", [](void*, const anchang_bus_message* event) {
        std::lock_guard lock(mutex);
        seen.push_back(nlohmann::json::parse(event->body_json)["n"]);
    }, nullptr);
    agent->start();
    for (int n = 0; n < 200; ++n) bus.client().publish("visit.registered", "registration", 1, nlohmann::json{{"n", n}}.dump());
    bus.client().publish("customer.assigned", "registration", 1, "{}");
    for (int i = 0; i < 200; ++i) {
        {
            std::lock_guard lock(mutex);
            if (seen.size() == 200) break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::lock_guard lock(mutex);
    ASSERT_EQ(seen.size(), 200u);
    for (int n = 0; n < 200; ++n) EXPECT_EQ(seen[static_cast<std::size_t>(n)], n);
    agent->stop();
    bus.stop();
}

TEST(Bus, GarbageFromOutsideIsDroppedCountedAndServiceGoesOn) {
    Bus bus(options(true));
    bus.start();
    auto agent = bus.agent("core", 1);
    agent->serve("core.echo", &echo, nullptr);
    agent->start();
    const auto endpoints = bus.endpoints();
    zmq::context_t context;
    zmq::socket_t dealer(context, zmq::socket_type::dealer);
    dealer.set(zmq::sockopt::linger, 0);
    dealer.connect(endpoints["request"].get<std::string>());
    zmq::socket_t publisher(context, zmq::socket_type::pub);
    publisher.set(zmq::sockopt::linger, 0);
    publisher.connect(endpoints["publish"].get<std::string>());
    zmq::socket_t subscriber(context, zmq::socket_type::sub); // so the publisher has someone to send to
    subscriber.set(zmq::sockopt::subscribe, "");
    subscriber.connect(endpoints["subscribe"].get<std::string>());
    std::this_thread::sleep_for(std::chrono::milliseconds(300));

    dealer.send(zmq::str_buffer("hello?"), zmq::send_flags::none);
    dealer.send(zmq::str_buffer("ANCH/1"), zmq::send_flags::sndmore);
    dealer.send(zmq::str_buffer("{not json"), zmq::send_flags::sndmore);
    dealer.send(zmq::str_buffer("{}"), zmq::send_flags::none);
    dealer.send(zmq::str_buffer("ANCH/9"), zmq::send_flags::sndmore);
    dealer.send(zmq::str_buffer("{}"), zmq::send_flags::sndmore);
    dealer.send(zmq::str_buffer("{}"), zmq::send_flags::none);
    for (const char* topic : {"visit.registered", "Bad Topic"}) {
        publisher.send(zmq::buffer(std::string(topic)), zmq::send_flags::sndmore);
        publisher.send(zmq::str_buffer("ANCH/1"), zmq::send_flags::sndmore);
        publisher.send(zmq::str_buffer("[1,2"), zmq::send_flags::sndmore);
        publisher.send(zmq::str_buffer("{}"), zmq::send_flags::none);
    }
    for (int i = 0; i < 100 && (bus.counters()["requests_dropped"] < 2 || bus.counters()["events_dropped"] < 2); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_GE(bus.counters()["requests_dropped"], 2);
    EXPECT_GE(bus.counters()["events_dropped"], 2);

    // A well-formed request on the same socket is still served.
    nlohmann::json header = BusProtocol::header("request", "outside", 0);
    header["service"] = "core.echo";
    header["deadline"] = BusProtocol::nowMs() + 2000;
    dealer.send(zmq::str_buffer("ANCH/1"), zmq::send_flags::sndmore);
    dealer.send(zmq::buffer(header.dump()), zmq::send_flags::sndmore);
    dealer.send(zmq::str_buffer(R"({"still":"serving"})"), zmq::send_flags::none);
    std::vector<zmq::message_t> reply;
    zmq::pollitem_t item{dealer.handle(), 0, ZMQ_POLLIN, 0};
    for (int i = 0; i < 20 && reply.empty(); ++i) {
        zmq::poll(&item, 1, std::chrono::milliseconds(100));
        if (item.revents & ZMQ_POLLIN) {
            std::vector<zmq::message_t> frames;
            (void)zmq::recv_multipart(dealer, std::back_inserter(frames));
            auto replyHeader = BusProtocol::parseHeader(frames.at(1));
            if (replyHeader && (*replyHeader)["correlation_id"] == header["id"]) reply = std::move(frames);
        }
    }
    ASSERT_EQ(reply.size(), 3u);
    EXPECT_EQ(nlohmann::json::parse(BusProtocol::view(reply[2]))["still"], "serving");
    agent->stop();
    dealer.close();
    publisher.close();
    subscriber.close();
    bus.stop();
}
