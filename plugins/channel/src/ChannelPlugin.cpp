// channel: brokers' reports (渠道报备) and their confirmation at the desk (确客). Routes and bus
// wiring; the rules live in Companies (who may report, under which rules), Protection (how long
// a report holds its customer), HiddenPhone, ReportCode and Reports.

#include "AgencyApi.h"
#include "Analytics.h"
#include "Collisions.h"
#include "Companies.h"
#include "QrImage.h"
#include "ReportCode.h"
#include "Reports.h"
#include "Roster.h"

#include <anchang/sdk/Fields.hpp>
#include <anchang/sdk/Plugin.hpp>

#include <fstream>
#include <memory>

using namespace anchang::sdk;

namespace anchang::channel {

class ChannelPlugin : public Plugin {
public:
    void start(Host& host) override {
        host_ = &host;
        companies_ = std::make_unique<Companies>(host);
        codes_ = std::make_unique<ReportCode>(secret());
        const std::string rule = host.config().value("collision_rule", std::string("first_report"));
        if (rule != "first_report" && rule != "first_visit") throw std::runtime_error("collision_rule must be first_report or first_visit");
        collisions_ = std::make_unique<Collisions>(host, rule);
        reports_ = std::make_unique<Reports>(host, *companies_, *codes_, *collisions_);
        agency_ = std::make_unique<AgencyApi>(host, *companies_, *reports_);
        analytics_ = std::make_unique<Analytics>(host);
        roster_ = std::make_unique<Roster>(host, *companies_, *codes_);
        if (const std::string seed = host.config().value("demo_seed", std::string{}); !seed.empty()) loadDemo(seed);
        routes(host);
        host.serve("channel.customer.timeline", [this](const BusMessage& m) { return reports_->timeline(m.project(), m.body()); });
        host.serve("channel.visit.check", [this](const BusMessage& m) { return reports_->check(m.project(), m.body()); });
        host.subscribe("visit.registered", [this](const BusMessage& event) { reports_->visitRegistered(event.project(), event.body()); });
        host.subscribe("deal.subscribed", [this](const BusMessage& event) { reports_->subscribed(event.project(), event.body()); });
        host.job("reports_expire", [this](const Host::JobRun& run) { return reports_->expire(run.project); });
        host.job("confirmations_recheck", [this](const Host::JobRun& run) { return reports_->recheckHeld(run.project); });
        host.job("api_nonces_prune", [this](const Host::JobRun&) { return agency_->forgetNonces(); });
    }

private:
    /// The key report codes are signed with, made on first start and kept with the data.
    std::string secret() {
        if (auto row = host_->db().one("SELECT value FROM channel_secrets WHERE name = 'report_code'")) return (*row)["value"];
        host_->db().exec("INSERT INTO channel_secrets (name, value) VALUES ('report_code', ?) ON CONFLICT (name) DO NOTHING", {ReportCode::newSecret()});
        return (*host_->db().one("SELECT value FROM channel_secrets WHERE name = 'report_code'"))["value"];
    }

    /// The demo's companies and agents (config/demo/channel.json), once, into an empty project.
    void loadDemo(const std::string& file) {
        std::ifstream in(file);
        const auto seed = nlohmann::json::parse(in, nullptr, false);
        if (!seed.is_object()) {
            host_->warning("channel demo seed unreadable: " + file);
            return;
        }
        std::int64_t project = 0;
        const auto projects = host_->request("kernel.projects.list", nlohmann::json::object());
        for (const auto& p : projects["projects"])
            if (p["code"] == seed.value("project", "")) project = p["id"];
        if (!project || host_->db().one("SELECT id FROM channel_companies WHERE project_id = ?", {project})) return;
        nlohmann::json usernames = nlohmann::json::array();
        for (const auto& agent : seed["agents"]) usernames.push_back(agent["username"]);
        std::map<std::string, nlohmann::json> users;
        const auto found = host_->request("kernel.users.get", {{"usernames", usernames}}, project);
        for (const auto& u : found["users"]) users[u["username"]] = u;
        host_->db().transaction([&] {
            std::map<std::string, std::int64_t> ids;
            for (const auto& company : seed["companies"]) {
                const auto created = companies_->create(project, company);
                ids[company["name"]] = created["id"];
            }
            for (const auto& agent : seed["agents"]) {
                const auto& user = users.at(agent["username"].get<std::string>());
                companies_->addAgent(project, {{"company_id", ids.at(agent["company"])}, {"user_id", user["id"]}, {"name", agent["name"]},
                                               {"phone", user["phone"]}, {"store", agent.value("store", nlohmann::json(nullptr))}});
            }
        });
    }

    void routes(Host& host) {
        host.route("companies.list", [this](const Request& r) { return Response::json({{"companies", companies_->list(r.idParam("project"))}}); });
        host.route("companies.create", [this](const Request& r) {
            nlohmann::json company;
            host_->db().transaction([&] {
                company = companies_->create(r.idParam("project"), r.json());
                host_->audit({{"actor_id", r.userId()}, {"actor_name", r.username()}, {"project_id", r.idParam("project")},
                              {"action", "channel.company.create"}, {"target", "channel_company:" + company["id"].dump()}, {"detail", company}});
            });
            return Response::created(company);
        });
        host.route("companies.update", [this](const Request& r) {
            nlohmann::json company;
            host_->db().transaction([&] {
                const auto id = r.idParam("id", "channel.company_not_found");
                const auto before = companies_->get(r.idParam("project"), id);
                company = companies_->update(r.idParam("project"), id, r.json());
                host_->audit({{"actor_id", r.userId()}, {"actor_name", r.username()}, {"project_id", r.idParam("project")},
                              {"action", "channel.company.update"}, {"target", "channel_company:" + std::to_string(id)},
                              {"detail", {{"before", before}, {"after", company}}}});
            });
            return Response::json(company);
        });
        host.route("agents.list", [this](const Request& r) {
            return Response::json({{"agents", companies_->agents(r.idParam("project"), r.numberQuery("company"))}});
        });
        host.route("agents.add", [this](const Request& r) {
            auto body = r.json();
            // The manager names the agent's login; the kernel knows who that is.
            if (body.is_object() && body.contains("username") && body["username"].is_string()) {
                const auto found = host_->request("kernel.users.get", {{"usernames", {body["username"]}}}, r.idParam("project"));
                if (found["users"].empty()) throw Error::invalid("channel.invalid", "no user with this login");
                const auto& user = found["users"][0];
                body["user_id"] = user["id"];
                if (!body.contains("name")) body["name"] = user["display_name"];
                if (!body.contains("phone")) body["phone"] = user["phone"];
            }
            return Response::created({{"agents", companies_->addAgent(r.idParam("project"), body)}});
        });
        host.route("reports.submit", [this](const Request& r) {
            auto [status, body] = reports_->submit(r.idParam("project"), r.userId(), r.json(), r.english());
            return Response::json(body, status);
        });
        host.route("reports.sms_code", [this](const Request& r) {
            return Response::json(reports_->sendSmsCheck(r.idParam("project"), r.userId(), r.json(), r.header("x-client-address").value_or(""), r.english()),
                                  202);
        });
        host.route("agency.sms_code", [this](const Request& r) { return Response::json(agency_->sendSmsCheck(r.idParam("project"), r), 202); });
        host.route("agents.enrol", [this](const Request& r) {
            const auto body = r.json();
            // Through a company's link: a broker it named, or anyone for an everyone-broker company.
            if (body.is_object() && body.contains("join") && body["join"].is_string()) {
                if (!r.hasRole("everyone_broker") && !r.hasRole("agency_broker"))
                    throw Error::forbidden("channel.not_phone_broker", "a company's link is for brokers who signed in with their phone");
                const auto agent = roster_->join(r.idParam("project"), r.userId(), r.username(), r.displayName(), body["join"]);
                return Response::json({{"agent", {{"id", agent.id}, {"name", agent.name}, {"active", agent.active}}}});
            }
            if (!r.hasRole("everyone_broker"))
                throw Error::forbidden("channel.not_everyone_broker", "only an everyone-broker who signed in with their phone joins by themselves");
            // The consultant whose recruiting link brought them, if the link named one.
            const auto ref = body.is_object() ? body.value("ref", nlohmann::json(nullptr)) : nlohmann::json(nullptr);
            const auto agent = companies_->enrol(r.idParam("project"), r.userId(), r.username(), r.displayName(), ref.is_number_integer() ? ref : nlohmann::json(nullptr));
            return Response::json({{"agent", {{"id", agent.id}, {"name", agent.name}, {"active", agent.active}}}});
        });
        host.route("recruit.get", [this](const Request& r) {
            return Response::json({{"consultant_id", r.userId()}, {"recruited", companies_->recruitedBy(r.idParam("project"), r.userId())}});
        });
        host.route("qr.draw", [](const Request& r) {
            // A link a page made (a recruiting link, a company's link): only a web address, of a reasonable length.
            const std::string text = r.query("text").value_or("");
            if (text.size() > 500 || (text.rfind("http://", 0) != 0 && text.rfind("https://", 0) != 0))
                throw Error::invalid("channel.invalid", "text must be a web address of at most 500 characters");
            return Response::text(QrImage::svg(text), "image/svg+xml");
        });
        host.route("agents.update", [this](const Request& r) {
            nlohmann::json agent;
            host_->db().transaction([&] {
                agent = companies_->updateAgent(r.idParam("project"), r.idParam("id", "channel.agent_not_found"), r.json());
                host_->audit({{"actor_id", r.userId()}, {"actor_name", r.username()}, {"project_id", r.idParam("project")},
                              {"action", "channel.agent.update"}, {"target", "channel_agent:" + agent["id"].dump()}, {"detail", r.json()}});
            });
            return Response::json(agent);
        });
        host.route("companies.link", [this](const Request& r) {
            const auto company = companies_->get(r.idParam("project"), r.idParam("id", "channel.company_not_found"));
            return Response::json({{"company_id", company["id"]}, {"link", roster_->link(r.idParam("project"), company["id"])},
                                   {"role", company["kind"] == "everyone" ? "everyone_broker" : "agency_broker"}});
        });
        host.route("company.view", [this](const Request& r) { return Response::json(roster_->view(r.idParam("project"), r.userId())); });
        host.route("company.roster_add", [this](const Request& r) {
            nlohmann::json named;
            host_->db().transaction([&] {
                named = roster_->add(r.idParam("project"), r.userId(), r.json());
                host_->audit({{"actor_id", r.userId()}, {"actor_name", r.username()}, {"project_id", r.idParam("project")},
                              {"action", "channel.roster.add"}, {"target", "channel_company:" + named["company_id"].dump()}, {"detail", named}});
            });
            return Response::created(named);
        });
        host.route("company.roster_remove", [this](const Request& r) {
            host_->db().transaction([&] {
                roster_->remove(r.idParam("project"), r.userId(), r.param("phone"));
                host_->audit({{"actor_id", r.userId()}, {"actor_name", r.username()}, {"project_id", r.idParam("project")},
                              {"action", "channel.roster.remove"}, {"target", "channel_roster:" + r.param("phone")}, {"detail", nlohmann::json::object()}});
            });
            return Response::noContent();
        });
        host.route("company.agent_update", [this](const Request& r) {
            nlohmann::json agent;
            host_->db().transaction([&] {
                agent = roster_->setActive(r.idParam("project"), r.userId(), r.idParam("id", "channel.agent_not_found"), r.json());
                host_->audit({{"actor_id", r.userId()}, {"actor_name", r.username()}, {"project_id", r.idParam("project")},
                              {"action", "channel.agent.update"}, {"target", "channel_agent:" + agent["id"].dump()}, {"detail", r.json()}});
            });
            return Response::json(agent);
        });
        host.route("company.statement", [this](const Request& r) {
            const auto from = r.numberQuery("from"), to = r.numberQuery("to");
            if (!from || !to) throw Error::invalid("channel.invalid", "give the period as from and to, in milliseconds");
            const auto project = r.idParam("project");
            const auto companies = roster_->administered(project, r.userId());
            const auto rows = analytics_->statement(project, companies, *from, *to);
            if (r.query("format") == "csv") return Response::text(analytics_->statementCsv(project, rows, r.english()), "text/csv; charset=utf-8");
            // Beside the confirmed rows, what each of the admin's companies and agents brought in the period.
            nlohmann::json totals = nlohmann::json::array();
            for (auto& company : analytics_->byCompany(project, *from, *to))
                if (std::find(companies.begin(), companies.end(), company["company_id"].get<std::int64_t>()) != companies.end())
                    totals.push_back(std::move(company));
            return Response::json({{"from", *from}, {"to", *to}, {"confirmed", rows}, {"companies", totals}});
        });
        host.route("reports.mine", [this](const Request& r) { return Response::json(reports_->mine(r.idParam("project"), r.userId())); });
        host.route("reports.qr", [this](const Request& r) {
            // Only the report's own agent gets its code, as a picture too.
            const auto code = reports_->codeOf(r.idParam("project"), r.idParam("id", "channel.report_not_found"), r.userId());
            return Response::text(QrImage::svg(code), "image/svg+xml");
        });
        host.route("agency.reports", [this](const Request& r) {
            auto [status, body] = agency_->submit(r.idParam("project"), r);
            return Response::json(body, status);
        });
        host.route("keys.list", [this](const Request& r) {
            return Response::json({{"keys", agency_->keys(r.idParam("project"), r.idParam("id", "channel.company_not_found"))}});
        });
        host.route("keys.create", [this](const Request& r) {
            nlohmann::json key;
            host_->db().transaction([&] {
                key = agency_->createKey(r.idParam("project"), r.idParam("id", "channel.company_not_found"));
                host_->audit({{"actor_id", r.userId()}, {"actor_name", r.username()}, {"project_id", r.idParam("project")},
                              {"action", "channel.api_key.create"}, {"target", "channel_company:" + key["company_id"].dump()},
                              {"detail", {{"key_id", key["key_id"]}}}});
            });
            return Response::created(key);
        });
        host.route("keys.revoke", [this](const Request& r) {
            host_->db().transaction([&] {
                agency_->revokeKey(r.idParam("project"), r.idParam("id", "channel.company_not_found"), r.param("key"));
                host_->audit({{"actor_id", r.userId()}, {"actor_name", r.username()}, {"project_id", r.idParam("project")},
                              {"action", "channel.api_key.revoke"}, {"target", "channel_company:" + std::to_string(r.idParam("id"))},
                              {"detail", {{"key_id", r.param("key")}}}});
            });
            return Response::noContent();
        });
        host.route("collisions.list", [this](const Request& r) {
            return Response::json({{"collisions", collisions_->list(r.idParam("project"), r.query("status"))}});
        });
        host.route("collisions.appeal", [this](const Request& r) {
            const auto project = r.idParam("project");
            const auto agent = companies_->agentOf(project, r.userId());
            if (!agent) throw Error::forbidden("channel.not_agent", "you are not an agent of a channel company in this project");
            const std::string reason = Fields::text(r.json(), "reason", 500, true, "channel.invalid");
            return Response::json(collisions_->appeal(project, r.idParam("id", "channel.collision_not_found"), agent->id, reason));
        });
        host.route("collisions.decide", [this](const Request& r) {
            const auto body = r.json();
            if (!body.is_object() || !body.contains("winner_report_id") || (!body["winner_report_id"].is_null() && !body["winner_report_id"].is_number_integer()))
                throw Error::invalid("channel.invalid", "winner_report_id must be one of the collision's reports, or null for the site");
            const std::string note = Fields::text(body, "note", 500, true, "channel.invalid");
            return Response::json(collisions_->decide(r.idParam("project"), r.idParam("id", "channel.collision_not_found"), body["winner_report_id"], note,
                                                      r.userId(), r.displayName().empty() ? r.username() : r.displayName()));
        });
        host.route("analytics.get", [this](const Request& r) {
            const auto from = r.numberQuery("from"), to = r.numberQuery("to");
            if (!from || !to) throw Error::invalid("channel.invalid", "give the period as from and to, in milliseconds");
            const auto companies = analytics_->byCompany(r.idParam("project"), *from, *to);
            if (r.query("format") == "csv") return Response::text(analytics_->csv(companies, r.english()), "text/csv; charset=utf-8");
            return Response::json({{"from", *from}, {"to", *to}, {"companies", companies}});
        });
        host.route("expected.get", [this](const Request& r) {
            const auto from = r.numberQuery("from"), to = r.numberQuery("to");
            if (!from || !to) throw Error::invalid("channel.invalid", "give the period as from and to, in milliseconds");
            return Response::json({{"reports", analytics_->expected(r.idParam("project"), *from, *to)}});
        });
        host.route("reports.list", [this](const Request& r) {
            return Response::json({{"reports", reports_->list(r.idParam("project"), r.query("status"), static_cast<int>(r.numberQuery("limit").value_or(200)))}});
        });
    }

    Host* host_ = nullptr;
    std::unique_ptr<Companies> companies_;
    std::unique_ptr<ReportCode> codes_;
    std::unique_ptr<Collisions> collisions_;
    std::unique_ptr<Reports> reports_;
    std::unique_ptr<AgencyApi> agency_;
    std::unique_ptr<Analytics> analytics_;
    std::unique_ptr<Roster> roster_;
};

} // namespace anchang::channel

ANCHANG_PLUGIN(anchang::channel::ChannelPlugin)
