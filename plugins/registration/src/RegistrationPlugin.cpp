// registration: the front desk. Routes and bus wiring; the rules live in Assignment (who
// receives and owns a visitor), Register (the numbered visit register), VisitDesk (the
// registration itself), CallLog and Board.

#include "Assignment.h"
#include "Board.h"
#include "CallLog.h"
#include "LocalDay.h"
#include "Register.h"
#include "VisitDesk.h"

#include <anchang/sdk/Plugin.hpp>

#include <memory>

using namespace anchang::sdk;

namespace anchang::registration {

namespace {

/// A void or a manual assignment says why, before anything is changed.
std::string reasonOf(const nlohmann::json& body) { return Fields::text(body, "reason", 500, true, "visit.reason_required"); }

/// Without registration.visit.read_all (consultants, by default) a caller sees only the visitors they received.
bool onlyOwnVisits(const Request& r) { return !r.can("registration.visit.read_all"); }

/// A questionnaire choice as the desk shows it: {value, label: {zh-CN, en}}. The value is the
/// Chinese text, which the register stores and reports group by; the configuration gives a
/// choice as that text alone or as {"zh-CN", "en"}.
nlohmann::json option(const nlohmann::json& choice) {
    if (choice.is_object() && choice.contains("zh-CN") && choice["zh-CN"].is_string())
        return {{"value", choice["zh-CN"]}, {"label", {{"zh-CN", choice["zh-CN"]}, {"en", choice.value("en", choice["zh-CN"].get<std::string>())}}}};
    const std::string text = choice.is_string() ? choice.get<std::string>() : choice.dump();
    return {{"value", text}, {"label", {{"zh-CN", text}, {"en", text}}}};
}

Response csv(std::string body) { return Response::text(std::move(body), "text/csv; charset=utf-8"); }

} // namespace

class RegistrationPlugin : public Plugin {
public:
    void start(Host& host) override {
        host_ = &host;
        const auto config = host.config();
        day_ = std::make_unique<LocalDay>(host);
        questionnaire_ = config.value("questionnaire", nlohmann::json::object());
        register_ = std::make_unique<Register>(host, *day_);
        Assignment::Options rotation;
        rotation.byTeam = config.value("rotation_by_team", false);
        rotation.busyWait = config.value("busy_consultants_wait", true);
        rotation.receptionMinutesMax = config.value("reception_minutes_max", 120);
        assignment_ = std::make_unique<Assignment>(host, *day_, *register_, rotation);
        desk_ = std::make_unique<VisitDesk>(host, *assignment_, *register_,
                                            config.value("duplicate_window_minutes", 10) * 60000LL);
        calls_ = std::make_unique<CallLog>(host, *day_);
        board_ = std::make_unique<Board>(host, *day_, *register_, *assignment_);
        visitRoutes(host);
        otherRoutes(host);
        host.job("idempotency_prune", [this](const Host::JobRun& run) {
            constexpr std::int64_t kWeekMs = 7LL * 24 * 3600 * 1000;
            return desk_->forgetRequestKeys(run.project, host_->now() - kWeekMs);
        });
        host.subscribe("roster.changed", [this](const BusMessage& event) { desk_->drainQueue(event.project()); });
        // The customer's page (core.customer.timeline): their visits, and the enquiries from their phones.
        host.serve("registration.customer.timeline", [this](const BusMessage& m) {
            const auto& b = m.body();
            Register::Filter filter;
            filter.customer = b.value("customer_id", std::int64_t{0});
            nlohmann::json entries = nlohmann::json::array();
            for (const auto& v : register_->list(m.project(), filter)) {
                const bool voided = v["status"] == "void";
                const std::string number = v["number"].dump();
                const std::string by = v.value("receiver_name", nlohmann::json(nullptr)).is_string() ? v["receiver_name"].get<std::string>() : "";
                entries.push_back({{"at", v["registered_at"]}, {"kind", voided ? "visit.void" : "visit"},
                                   {"title", {{"zh-CN", "第 " + number + " 号来访" + (by.empty() ? "" : "，" + by + " 接待") + (voided ? "（已作废）" : "")},
                                              {"en", "Visit no. " + number + (by.empty() ? "" : ", received by " + by) + (voided ? " (void)" : "")}}},
                                   {"detail", {{"visit_id", v["id"]}, {"source", v["source"]}}}});
            }
            for (const auto& phone : b.value("phones", nlohmann::json::array())) {
                for (const auto& c : host_->db().query("SELECT id, notes, recorded_at FROM registration_calls WHERE project_id = ? AND phone = ? "
                                                       "ORDER BY recorded_at DESC LIMIT 100",
                                                       {m.project(), phone}))
                    entries.push_back({{"at", c["recorded_at"]}, {"kind", "call"}, {"title", {{"zh-CN", "来电咨询"}, {"en", "Phone enquiry"}}},
                                       {"detail", {{"call_id", c["id"]}, {"notes", c["notes"]}}}});
            }
            return nlohmann::json{{"entries", entries}};
        });
        host.serve("registration.visits.of_customer", [this](const BusMessage& m) {
            if (!m.body().contains("customer_id") || !m.body()["customer_id"].is_number_integer())
                throw Error::invalid("visit.invalid", "customer_id must be an id");
            Register::Filter filter;
            filter.customer = m.body()["customer_id"].get<std::int64_t>();
            return nlohmann::json{{"visits", register_->list(m.project(), filter)}};
        });
    }

private:
    void visitRoutes(Host& host) {
        host.route("visits.register", [this](const Request& r) {
            auto [status, body] = desk_->registerVisit(r);
            return Response::json(body, status);
        });
        host.route("visits.list", [this](const Request& r) {
            Register::Filter filter;
            filter.day = r.query("day");
            if (filter.day && !LocalDay::valid(*filter.day)) throw Error::invalid("request.invalid", "day must be YYYY-MM-DD");
            filter.status = r.query("status");
            filter.before = r.numberQuery("before");
            filter.limit = static_cast<int>(r.numberQuery("limit").value_or(100));
            filter.receiver = onlyOwnVisits(r) ? std::optional<std::int64_t>(r.userId()) : r.numberQuery("receiver");
            const auto project = r.idParam("project");
            if (r.query("format") == "csv") {
                filter.limit = 5000;
                return csv(register_->csv(project, register_->list(project, filter), r.english()));
            }
            return Response::json({{"visits", register_->list(project, filter)}});
        });
        host.route("visits.lookup", [this](const Request& r) { return Response::json(desk_->lookup(r.idParam("project"), r.query("phone").value_or(""))); });
        host.route("visits.get", [this](const Request& r) {
            auto visit = register_->get(r.idParam("project"), r.idParam("id", "visit.not_found"));
            if (onlyOwnVisits(r) && visit["receiver_id"] != r.userId() && visit["owner_id"] != r.userId())
                throw Error::notFound("visit.not_found", "no such visit among yours");
            return Response::json(visit);
        });
        host.route("visits.void", [this](const Request& r) {
            return Response::json(desk_->voidVisit(r.idParam("project"), r.idParam("id", "visit.not_found"), reasonOf(r.json()),
                                                   {r.userId(), r.username(), r.displayName()}));
        });
        host.route("visits.receive", [this](const Request& r) {
            const auto project = r.idParam("project");
            nlohmann::json visit;
            host_->db().transaction([&] {
                visit = register_->receive(project, r.idParam("id", "visit.not_found"), r.userId(), r.can("registration.visit.receive_any"));
                host_->publish("visit.received", {{"visit_id", visit["id"]}, {"receiver_id", visit["receiver_id"]},
                                                  {"waiting_seconds", visit["waiting_seconds"]}},
                               project);
            });
            desk_->announce(project, "received", visit);
            return Response::json(visit);
        });
        host.route("visits.finish", [this](const Request& r) {
            const auto project = r.idParam("project");
            nlohmann::json visit;
            host_->db().transaction([&] {
                visit = register_->finish(project, r.idParam("id", "visit.not_found"), r.userId(), r.can("registration.visit.receive_any"));
                host_->publish("visit.finished", {{"visit_id", visit["id"]}, {"receiver_id", visit["receiver_id"]},
                                                  {"customer_id", visit["customer_id"]}, {"finished_at", visit["finished_at"]}},
                               project);
            });
            desk_->announce(project, "finished", visit);
            return Response::json(visit);
        });
        host.route("visits.covered_seen", [this](const Request& r) {
            return Response::json(register_->seeCovered(r.idParam("project"), r.idParam("id", "visit.not_found"), r.userId()));
        });
        host.route("visits.assign", [this](const Request& r) {
            const auto body = r.json();
            if (!body.contains("consultant_id") || !body["consultant_id"].is_number_integer())
                throw Error::invalid("visit.invalid", "consultant_id must be a consultant's user id");
            return Response::json(desk_->assignManually(r.idParam("project"), r.idParam("id", "visit.not_found"), body["consultant_id"],
                                                        reasonOf(body), r.userId(), r.username()));
        });
    }

    void otherRoutes(Host& host) {
        host.route("calls.record", [this](const Request& r) { return Response::created(calls_->record(r.idParam("project"), r.json(), r.userId())); });
        host.route("calls.list", [this](const Request& r) {
            auto day = r.query("day");
            if (day && !LocalDay::valid(*day)) throw Error::invalid("request.invalid", "day must be YYYY-MM-DD");
            return Response::json({{"calls", calls_->list(r.idParam("project"), day, static_cast<int>(r.numberQuery("limit").value_or(200)))}});
        });
        host.route("questionnaire.get", [this](const Request& r) {
            nlohmann::json options = nlohmann::json::object();
            for (const auto& [question, choices] : questionnaire_.items()) {
                options[question] = nlohmann::json::array();
                for (const auto& choice : choices) options[question].push_back(option(choice));
            }
            // Layouts the project actually sells, when core has inventory: its own names, in one language.
            const auto layouts = host_->call("core.inventory.layouts", nlohmann::json::object(), r.idParam("project"));
            if (layouts.ok() && !layouts.body["layouts"].empty()) {
                options["layouts"] = nlohmann::json::array();
                for (const auto& l : layouts.body["layouts"]) options["layouts"].push_back(option(l["layout"]));
            }
            return Response::json(options);
        });
        host.route("board.get", [this](const Request& r) { return Response::json(board_->board(r.idParam("project"))); });
        host.route("mine.get", [this](const Request& r) { return Response::json(board_->mine(r.idParam("project"), r.userId())); });
        host.route("reports.get", [this](const Request& r) {
            const std::string today = day_->today(r.idParam("project"));
            auto reports = board_->reports(r.idParam("project"), r.query("from").value_or(today), r.query("to").value_or(today));
            if (r.query("format") == "csv") return csv(board_->reportsCsv(reports, r.english()));
            return Response::json(reports);
        });
    }

    Host* host_ = nullptr;
    nlohmann::json questionnaire_;
    std::unique_ptr<LocalDay> day_;
    std::unique_ptr<Assignment> assignment_;
    std::unique_ptr<Register> register_;
    std::unique_ptr<VisitDesk> desk_;
    std::unique_ptr<CallLog> calls_;
    std::unique_ptr<Board> board_;
};

} // namespace anchang::registration

ANCHANG_PLUGIN(anchang::registration::RegistrationPlugin)
