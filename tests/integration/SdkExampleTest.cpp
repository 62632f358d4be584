// The hello example, built out of tree against the installed SDK, in a real anchangd: its
// route, event subscription, service and migration.
#include "support/Http.h"
#include "support/KernelProcess.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <zmq_addon.hpp>

#include <cstdlib>
#include <thread>

using namespace anchang::test;

namespace {

constexpr const char* kBusSecret = "the-sdk-test-bus-secret";

std::filesystem::path helloPlugins() {
    const char* dir = std::getenv("ANCHANG_HELLO_PLUGINS");
    return dir ? dir : KernelProcess::binaryDir() / "sdk-example" / "plugins";
}

} // namespace

TEST(SdkExample, HelloRunsWithEveryPart) {
    ASSERT_TRUE(std::filesystem::exists(helloPlugins() / "hello" / "libanchang_hello.so")) << "build the example first";
    KernelProcess::Options options;
    options.pluginsDir = helloPlugins();
    options.settings = {"bus.external=true", "bus.credentials.sdk-test=" + std::string(kBusSecret)};
    KernelProcess kernel(options);

    // hello, and the Python example's approved manifest (it runs in its own process, not started here).
    auto modules = http(kernel.port(), "GET", "/api/v1/modules").json()["modules"];
    ASSERT_EQ(modules.size(), 2u);
    for (const auto& module : modules) {
        if (module["id"] == "hello") EXPECT_EQ(module["state"], "running");
        else EXPECT_TRUE(module.value("external", false)) << module.dump();
    }

    // Route (with its declared permission) and migration: the greeting is stored.
    const std::string manager = login(kernel.port(), "manager");
    EXPECT_EQ(http(kernel.port(), "POST", "/api/v1/hello/greetings", R"({"name":"王丽"})", login(kernel.port(), "consultant1"))
                  .errorCode(),
              "auth.forbidden");
    EXPECT_EQ(http(kernel.port(), "POST", "/api/v1/hello/greetings", R"({"name":""})", manager).errorCode(), "hello.name_required");
    auto created = http(kernel.port(), "POST", "/api/v1/hello/greetings", R"({"name":"王丽"})", manager);
    ASSERT_EQ(created.status, 201) << created.body;
    EXPECT_EQ(created.json()["greeting"], "你好, 王丽!");
    // Its extension point asked the Python example, which is not running: no extras, no error.
    EXPECT_TRUE(created.json()["extras"].empty()) << created.body;

    // Event subscription: the plugin counts the hello.greeted it published.
    nlohmann::json events;
    for (int i = 0; i < 100; ++i) {
        events = http(kernel.port(), "GET", "/api/v1/hello/greetings").json()["events"];
        if (!events.empty()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0]["topic"], "hello.greeted");
    EXPECT_EQ(http(kernel.port(), "GET", "/api/v1/hello/greetings").json()["greetings"][0]["name"], "王丽");

    // Service, called from outside over the tcp bus.
    zmq::context_t context;
    zmq::socket_t dealer(context, zmq::socket_type::dealer);
    dealer.set(zmq::sockopt::linger, 0);
    dealer.set(zmq::sockopt::plain_username, "sdk-test");
    dealer.set(zmq::sockopt::plain_password, kBusSecret);
    dealer.connect(kernel.bus()["request"].get<std::string>());
    const nlohmann::json header = {{"id", "t-1"}, {"type", "request"}, {"schema", 1}, {"project", 0}, {"source", "test"},
                                   {"service", "hello.greet"}, {"deadline", std::chrono::duration_cast<std::chrono::milliseconds>(
                                                                                std::chrono::system_clock::now().time_since_epoch())
                                                                                    .count() + 3000}};
    dealer.send(zmq::str_buffer("ANCH/1"), zmq::send_flags::sndmore);
    dealer.send(zmq::buffer(header.dump()), zmq::send_flags::sndmore);
    dealer.send(zmq::str_buffer(R"({"name":"陈刚"})"), zmq::send_flags::none);
    std::vector<zmq::message_t> reply;
    zmq::pollitem_t item{dealer.handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, std::chrono::milliseconds(3000));
    ASSERT_TRUE(item.revents & ZMQ_POLLIN);
    (void)zmq::recv_multipart(dealer, std::back_inserter(reply));
    ASSERT_EQ(reply.size(), 3u);
    EXPECT_EQ(nlohmann::json::parse(reply[1].to_string())["correlation_id"], "t-1");
    EXPECT_EQ(nlohmann::json::parse(reply[2].to_string())["greeting"], "你好, 陈刚!");

    // Without the Python example running, the service hello asks for is answered at once.
    auto echo = http(kernel.port(), "GET", "/api/v1/hello/echo?text=x");
    EXPECT_EQ(echo.status, 503);
    EXPECT_EQ(echo.errorCode(), "bus.no_such_service");
    dealer.close();
}
