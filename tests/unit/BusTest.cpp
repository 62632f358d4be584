#include "anchang/abi.h"
#include "bus/Bus.h"
#include "bus/BusHeader.h"
#include "bus/BusProtocol.h"

#include <gtest/gtest.h>
#include <zmq_addon.hpp>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>

using namespace anchang;

namespace {

constexpr const char* kClient = "test-client";
constexpr const char* kSecret = "a-test-secret-long-enough";

Bus::Options options(bool external = false) {
    Bus::Options o;
    o.external = external;
    if (external) o.credentials = {{kClient, kSecret}};
    // What the test client's approved manifest declares: it serves echo.*, publishes visit.*.
    o.mayOffer = [](const std::string& peer, const std::string& service) { return peer == kClient && service.starts_with("echo."); };
    o.mayPublish = [](const std::string& peer, const std::string& topic) { return peer == kClient && topic.starts_with("visit."); };
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

/// Answers with the header it was given: what the kernel stamped.
int header(void*, const anchang_bus_message* request, anchang_sink_fn reply, void* user) {
    std::string text = request->header_json;
    reply(user, text.data(), text.size());
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

/// A tcp socket of an out-of-process client: with the test's credential unless told otherwise.
zmq::socket_t outside(zmq::context_t& context, zmq::socket_type type, const std::string& endpoint,
                      const std::string& name = kClient, const std::string& secret = kSecret) {
    zmq::socket_t socket(context, type);
    socket.set(zmq::sockopt::linger, 0);
    if (!name.empty()) {
        socket.set(zmq::sockopt::plain_username, name);
        socket.set(zmq::sockopt::plain_password, secret);
    }
    if (type == zmq::socket_type::sub) socket.set(zmq::sockopt::subscribe, "");
    socket.connect(endpoint);
    return socket;
}

/// Sends a multipart message; with `wait` false it is dropped when no peer takes it (a refused
/// connection has no pipe, and a DEALER would block forever).
void sendFrames(zmq::socket_t& socket, const std::vector<std::string>& frames, bool wait = true) {
    const auto flags = wait ? zmq::send_flags::none : zmq::send_flags::dontwait;
    for (std::size_t i = 0; i < frames.size(); ++i)
        if (!socket.send(zmq::buffer(frames[i]), i + 1 < frames.size() ? flags | zmq::send_flags::sndmore : flags)) return;
}

nlohmann::json requestHeader(const std::string& service, int deadlineMs = 2000) {
    nlohmann::json header = BusProtocol::header("request", "outside", 0);
    header["service"] = service;
    header["deadline"] = BusProtocol::nowMs() + deadlineMs;
    return header;
}

/// The reply to the request with `id` arriving on `dealer` within `wait`, or no frames.
std::vector<zmq::message_t> replyTo(zmq::socket_t& dealer, const std::string& id, std::chrono::milliseconds wait) {
    const auto until = std::chrono::steady_clock::now() + wait;
    zmq::pollitem_t item{dealer.handle(), 0, ZMQ_POLLIN, 0};
    while (std::chrono::steady_clock::now() < until) {
        zmq::poll(&item, 1, std::chrono::milliseconds(50));
        if (!(item.revents & ZMQ_POLLIN)) continue;
        std::vector<zmq::message_t> frames;
        (void)zmq::recv_multipart(dealer, std::back_inserter(frames));
        if (frames.size() != 3) continue;
        const auto header = BusHeader::parse(BusProtocol::view(frames[1]));
        if (header && header->correlationId == id) return frames;
    }
    return {};
}

template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds wait = std::chrono::seconds(3)) {
    const auto until = std::chrono::steady_clock::now() + wait;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > until) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

} // namespace

TEST(BusHeader, ReadsKnownFieldsWithTheirTypesAndRefusesWrongOnes) {
    const auto ok = BusHeader::parse(R"({"id":"a-1","type":"request","schema":1,"project":3,"source":"core","ts":5,)"
                                     R"("service":"core.customer.get","deadline":99,"extra":{"kept":"alone"}})");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->project, 3);
    EXPECT_EQ(ok->service, "core.customer.get");
    EXPECT_EQ(ok->deadline, 99);
    EXPECT_TRUE(BusHeader::parse("{}"));
    EXPECT_FALSE(BusHeader::parse("{}")->deadline);
    for (const char* bad : {R"({"project":"x"})", R"({"project":-1})", R"({"project":1.5})", R"({"source":1})",
                            R"({"type":["event"]})", R"({"deadline":"soon"})", R"({"status":{}})", R"({"schema":"1"})",
                            R"({"project":18446744073709551615})", R"({"status":4294967296})", "[]", "\"x\"", "{",
                            R"({"correlation_id":false})"})
        EXPECT_FALSE(BusHeader::parse(bad)) << bad;
    EXPECT_FALSE(BusHeader::parse(R"({"id":")" + std::string(300, 'x') + R"("})"));
}

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
    auto dealer = outside(context, zmq::socket_type::dealer, endpoints["request"]);
    auto publisher = outside(context, zmq::socket_type::pub, endpoints["publish"]);
    auto subscriber = outside(context, zmq::socket_type::sub, endpoints["subscribe"]); // so the publisher has someone to send to
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
    const auto header = requestHeader("core.echo");
    sendFrames(dealer, {"ANCH/1", header.dump(), R"({"still":"serving"})"});
    const auto reply = replyTo(dealer, header["id"], std::chrono::seconds(2));
    ASSERT_EQ(reply.size(), 3u);
    EXPECT_EQ(nlohmann::json::parse(BusProtocol::view(reply[2]))["still"], "serving");
    agent->stop();
    dealer.close();
    publisher.close();
    subscriber.close();
    bus.stop();
}

TEST(Bus, HeaderFieldsOfTheWrongTypeAreDroppedAtTheEdgeAndNobodyCrashes) {
    Bus bus(options(true));
    bus.start();
    std::atomic<int> delivered{0};
    auto agent = bus.agent("registration", 1);
    agent->serve("core.echo", &echo, nullptr);
    agent->subscribe("visit.", [](void* user, const anchang_bus_message*) { ++*static_cast<std::atomic<int>*>(user); }, &delivered);
    agent->start();
    const auto endpoints = bus.endpoints();
    zmq::context_t context;
    auto dealer = outside(context, zmq::socket_type::dealer, endpoints["request"]);
    auto publisher = outside(context, zmq::socket_type::pub, endpoints["publish"]);
    auto subscriber = outside(context, zmq::socket_type::sub, endpoints["subscribe"]);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));

    // Each of these once ended the process: the agent, the push hub or the monitor read a field
    // of the wrong type outside any try.
    auto badRequest = requestHeader("core.echo");
    badRequest["project"] = "x";
    sendFrames(dealer, {"ANCH/1", badRequest.dump(), "{}"});
    auto badDeadline = requestHeader("core.echo");
    badDeadline["deadline"] = "soon";
    sendFrames(dealer, {"ANCH/1", badDeadline.dump(), "{}"});
    // A publisher's first messages are lost until its connection is up (ZeroMQ's slow joiner),
    // later on a loaded machine than the sleep above allows: send them until they arrive.
    const auto sendBadEvents = [&] {
        for (const auto& [topic, field, value] : std::vector<std::tuple<std::string, std::string, nlohmann::json>>{
                 {"push.registration.assigned", "project", "x"}, {"visit.registered", "source", 1}, {"visit.registered", "ts", "now"}}) {
            auto event = BusProtocol::header("event", "outside", 1);
            event[field] = value;
            sendFrames(publisher, {topic, "ANCH/1", event.dump(), "{}"});
        }
    };
    EXPECT_TRUE(eventually([&] {
        if (bus.counters()["events_dropped"] < 3) sendBadEvents();
        return bus.counters()["requests_dropped"] >= 2 && bus.counters()["events_dropped"] >= 3;
    }));
    EXPECT_TRUE(replyTo(dealer, badRequest["id"], std::chrono::milliseconds(200)).empty());

    // The same messages with the right types go through.
    const auto good = requestHeader("core.echo");
    sendFrames(dealer, {"ANCH/1", good.dump(), R"({"ok":1})"});
    EXPECT_EQ(replyTo(dealer, good["id"], std::chrono::seconds(2)).size(), 3u);
    sendFrames(publisher, {"visit.registered", "ANCH/1", BusProtocol::header("event", "outside", 1).dump(), "{}"});
    EXPECT_TRUE(eventually([&] { return delivered.load() == 1; }));
    const auto recent = bus.monitor().snapshot()["recent"];
    ASSERT_FALSE(recent.empty());
    EXPECT_EQ(recent[0]["source"], kClient); // the kernel says who sent it, not the sender
    agent->stop();
    dealer.close();
    publisher.close();
    subscriber.close();
    bus.stop();
}

TEST(Bus, MadeUpNamesDoNotGrowTheStatistics) {
    Bus bus(options());
    bus.start();
    auto agent = bus.agent("core", 1);
    agent->serve("core.echo", &echo, nullptr);
    agent->start();
    for (int i = 0; i < 3000; ++i) {
        const std::string name = "made.up" + std::to_string(i);
        EXPECT_EQ(bus.client().request(name, "x", 0, "{}", std::chrono::seconds(1)).status, ANCHANG_E_UNAVAILABLE);
        bus.client().publish("made.up" + std::to_string(i), "x", 0, "{}");
    }
    const auto stats = bus.broker().stats();
    EXPECT_LE(stats.size(), 2u) << stats.dump();
    const auto unoffered = std::find_if(stats.begin(), stats.end(), [](const auto& s) { return s["service"] == ServiceBroker::kUnoffered; });
    ASSERT_NE(unoffered, stats.end());
    EXPECT_EQ((*unoffered)["requests"], 3000);
    EXPECT_TRUE(eventually([&] { return bus.monitor().snapshot()["topics"].size() > 1000; }));
    const auto topics = bus.monitor().snapshot()["topics"];
    EXPECT_LE(topics.size(), 1001u);
    const auto other = std::find_if(topics.begin(), topics.end(), [](const auto& t) { return t["topic"] == "*"; });
    ASSERT_NE(other, topics.end());
    agent->stop();
    bus.stop();
}

TEST(Bus, TheTcpEndpointsAreClosedByDefaultAndNeedACredentialWhenOpen) {
    {
        Bus closed(options());
        closed.start();
        EXPECT_TRUE(closed.endpoints().empty());
        closed.stop();
    }
    Bus::Options noSecrets = options(true);
    noSecrets.credentials.clear();
    EXPECT_THROW(Bus(noSecrets).start(), std::invalid_argument);
    Bus::Options shortSecret = options(true);
    shortSecret.credentials = {{"echo", "short"}};
    EXPECT_THROW(Bus(shortSecret).start(), std::invalid_argument);

    Bus bus(options(true));
    bus.start();
    auto agent = bus.agent("core", 1);
    agent->serve("core.echo", &echo, nullptr);
    agent->start();
    const auto endpoints = bus.endpoints();
    zmq::context_t context;
    auto anonymous = outside(context, zmq::socket_type::dealer, endpoints["request"], "");
    auto wrongSecret = outside(context, zmq::socket_type::dealer, endpoints["request"], kClient, "not-the-secret-at-all");
    auto unknown = outside(context, zmq::socket_type::dealer, endpoints["request"], "stranger", kSecret);
    auto eavesdropper = outside(context, zmq::socket_type::sub, endpoints["subscribe"], "");
    auto listener = outside(context, zmq::socket_type::sub, endpoints["subscribe"]);
    auto allowed = outside(context, zmq::socket_type::dealer, endpoints["request"]);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));

    for (auto* socket : {&anonymous, &wrongSecret, &unknown, &allowed}) {
        const auto header = requestHeader("core.echo");
        sendFrames(*socket, {"ANCH/1", header.dump(), "{}"}, false);
        const bool answered = !replyTo(*socket, header["id"], std::chrono::milliseconds(socket == &allowed ? 2000 : 300)).empty();
        EXPECT_EQ(answered, socket == &allowed);
    }
    // The wrong secret and the unknown name reach the handler; the anonymous peer fails the
    // handshake before it, for speaking no mechanism at all.
    EXPECT_GE(bus.counters()["connections_refused"], 2);

    // Events with a visitor's phone reach only the subscriber with a credential.
    bus.client().publish("visit.registered", "registration", 1, R"({"phone":"13800000000"})");
    zmq::message_t frame;
    EXPECT_TRUE(eventually([&] { return listener.recv(frame, zmq::recv_flags::dontwait).has_value(); }));
    EXPECT_FALSE(eavesdropper.recv(frame, zmq::recv_flags::dontwait).has_value());
    agent->stop();
    for (auto* socket : {&anonymous, &wrongSecret, &unknown, &eavesdropper, &listener, &allowed}) socket->close();
    bus.stop();
}

TEST(Bus, ASignalToABusThreadDoesNotEndIt) {
    // Any handled signal (a profiler's, a debugger's) interrupts the thread's wait with EINTR,
    // for which cppzmq throws: the broker, the proxy and the plugin threads once ended there.
    struct sigaction action{};
    action.sa_handler = [](int) {};
    sigemptyset(&action.sa_mask);
    struct sigaction previous{};
    ASSERT_EQ(sigaction(SIGUSR1, &action, &previous), 0);
    Bus bus(options(true));
    bus.start();
    std::atomic<int> delivered{0};
    auto agent = bus.agent("core", 1);
    agent->serve("core.echo", &echo, nullptr);
    agent->subscribe("visit.", [](void* user, const anchang_bus_message*) { ++*static_cast<std::atomic<int>*>(user); }, &delivered);
    agent->start();
    for (int round = 0; round < 20; ++round) {
        for (const auto& task : std::filesystem::directory_iterator("/proc/self/task"))
            syscall(SYS_tgkill, getpid(), std::stoi(task.path().filename().string()), SIGUSR1);
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    const auto reply = bus.client().request("core.echo", "t", 0, R"({"still":1})", std::chrono::seconds(2));
    EXPECT_EQ(reply.status, ANCHANG_OK) << reply.body;
    bus.client().publish("visit.registered", "registration", 1, "{}");
    EXPECT_TRUE(eventually([&] { return delivered.load() == 1; }));
    EXPECT_EQ(bus.client().request("no.such", "t", 0, "{}", std::chrono::seconds(2)).status, ANCHANG_E_UNAVAILABLE);
    agent->stop();
    bus.stop();
    sigaction(SIGUSR1, &previous, nullptr);
}

TEST(Bus, AnOutsideClientOffersAndPublishesOnlyWhatItDeclaredAndCannotNameAUser) {
    Bus bus(options(true));
    bus.start();
    std::atomic<int> delivered{0};
    auto agent = bus.agent("core", 1);
    agent->serve("core.whoami", &header, nullptr);
    agent->subscribe("customer.", [](void* user, const anchang_bus_message*) { ++*static_cast<std::atomic<int>*>(user); }, &delivered);
    agent->start();
    const auto endpoints = bus.endpoints();
    zmq::context_t context;
    auto impostor = outside(context, zmq::socket_type::dealer, endpoints["request"]);
    auto publisher = outside(context, zmq::socket_type::pub, endpoints["publish"]);
    auto caller = outside(context, zmq::socket_type::dealer, endpoints["request"]);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));

    // Offering core's service is refused and counted; core still serves it.
    sendFrames(impostor, {"ANCH/1", BusProtocol::header("ready", kClient, 0).dump(), R"({"services":["core.whoami"],"capacity":1})"});
    EXPECT_TRUE(eventually([&] { return bus.counters()["offers_refused"] == 1; }));
    // Publishing a topic it did not declare goes nowhere.
    sendFrames(publisher, {"customer.owner_changed", "ANCH/1", BusProtocol::header("event", kClient, 1).dump(), R"({"customer_id":1})"});
    // A request naming a user, a transaction and another source: the kernel keeps only who it is.
    auto forged = requestHeader("core.whoami");
    forged["user"] = {{"id", 1}, {"name", "admin"}};
    forged["tx"] = "stolen";
    forged["source"] = "core";
    sendFrames(caller, {"ANCH/1", forged.dump(), "{}"});
    const auto reply = replyTo(caller, forged["id"], std::chrono::seconds(2));
    ASSERT_EQ(reply.size(), 3u);
    const auto seen = nlohmann::json::parse(BusProtocol::view(reply[2]));
    EXPECT_EQ(seen["source"], kClient);
    EXPECT_FALSE(seen.contains("user"));
    EXPECT_FALSE(seen.contains("tx"));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_EQ(delivered.load(), 0);
    agent->stop();
    for (auto* socket : {&impostor, &publisher, &caller}) socket->close();
    bus.stop();
}
