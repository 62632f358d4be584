// The SDK example plugin: everything a plugin does, in one short file.
//
//   route        POST /api/v1/hello/greetings  stores a greeting and publishes hello.greeted in one
//                                              commit, with the extras its extension point gathered
//                GET  /api/v1/hello/greetings  lists them, with the events this plugin saw
//                GET  /api/v1/hello/echo?text= asks the "echo.say" service, which the Python
//                                              example offers from its own process
//   subscription hello.*                       counts every hello event, in its own table
//   service      hello.greet                   {"name"} -> {"greeting"}
//   extension    hello.greeting.extras         every running contributor adds a line to a greeting
//                                              (the Python example contributes echo.greeting_extra)
//   migration    migrations/001_create_greetings.sql

#include <anchang/sdk/Plugin.hpp>


using anchang::sdk::BusMessage;
using anchang::sdk::Error;
using anchang::sdk::Host;
using anchang::sdk::Request;
using anchang::sdk::Response;

class Hello : public anchang::sdk::Plugin {
public:
    void start(Host& host) override {
        host_ = &host;
        salutation_ = host.config().value("salutation", std::string("Hello"));

        host.route("hello.greetings.post", [this](const Request& request) {
            const auto body = request.json();
            if (!body.contains("name") || !body["name"].is_string() || body["name"].get<std::string>().empty())
                throw Error::invalid("hello.name_required", request.english() ? "name is required" : "需要填写名字");
            const std::string name = body["name"];
            std::string greeting = greet(name);
            // Whatever other plugins add: none running is simply no extras.
            nlohmann::json extras = nlohmann::json::array();
            for (const auto& extra : host_->extend("hello.greeting.extras", 0, {{"name", name}}))
                if (extra.ok()) extras.push_back({{"plugin", extra.plugin}, {"text", extra.output["text"]}});
            std::int64_t id = 0;
            // The row and its durable event commit together: a crash cannot keep one without the other.
            host_->db().transaction([&] {
                id = host_->db().run("INSERT INTO hello_greetings (name, greeting, created_by, created_at) VALUES (?, ?, ?, ?) RETURNING id",
                                     {name, greeting, request.username(), host_->now()}).rows.at(0).at("id").get<std::int64_t>();
                host_->publish("hello.greeted", {{"id", id}, {"name", name}});
            });
            return Response::created({{"id", id}, {"greeting", greeting}, {"extras", extras}});
        });

        host.route("hello.greetings.get", [this](const Request&) {
            return Response::json({{"greetings", host_->db().query("SELECT id, name, greeting FROM hello_greetings ORDER BY id")},
                                   {"events", host_->db().query("SELECT topic, seen FROM hello_events ORDER BY topic")}});
        });

        host.route("hello.echo.get", [this](const Request& request) {
            // Another process offers echo.say; if it is not running, the bus says so at once.
            return Response::json(host_->request("echo.say", {{"text", request.query("text").value_or("")}}));
        });

        host.subscribe("hello.", [this](const BusMessage& event) {
            host_->db().exec("INSERT INTO hello_events (topic, seen) VALUES (?, 1) "
                             "ON CONFLICT (topic) DO UPDATE SET seen = hello_events.seen + 1",
                             {event.topic()});
        });

        host.serve("hello.greet", [this](const BusMessage& request) {
            const auto& body = request.body();
            if (!body.is_object() || !body.contains("name") || !body["name"].is_string())
                throw Error::invalid("hello.name_required", "name is required");
            return nlohmann::json{{"greeting", greet(body["name"])}};
        });
    }

private:
    std::string greet(const std::string& name) const { return salutation_ + ", " + name + "!"; }

    Host* host_ = nullptr;
    std::string salutation_;
};

ANCHANG_PLUGIN(Hello)
