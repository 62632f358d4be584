// followup: the consultant's follow-up of their customers (跟进), the protection clock it drives,
// grades and their tasks, and the supervisor's rulings (判客) and team board. Routes and bus
// wiring; the rules live in ProtectionClock, GradePlan, TaskList, FollowupBook, Rulings, TeamBoard.

#include "Dashboards.h"
#include "FollowupBook.h"
#include "Rulings.h"
#include "TaskList.h"
#include "TeamBoard.h"

#include <anchang/sdk/Plugin.hpp>

#include <fstream>
#include <memory>

using namespace anchang::sdk;

namespace anchang::followup {

class FollowupPlugin : public Plugin {
public:
    void start(Host& host) override {
        host_ = &host;
        const auto config = host.config();
        FollowupBook::Settings settings;
        settings.protection.extendDays = config.value("extend_days", 30);
        settings.protection.maxDays = config.value("max_protection_days", 90);
        settings.protection.validMinChars = config.value("valid_min_chars", 10);
        settings.firstCallbackHours = config.value("first_callback_hours", 24);
        settings.revisitDays = config.value("revisit_days", 3);
        settings.requireAfterContact = config.value("require_followup_after_contact", false);
        settings.welcome = config.value("welcome_message", true);
        if (settings.protection.extendDays < 1 || settings.protection.maxDays < settings.protection.extendDays)
            throw std::runtime_error("extend_days must be at least 1 and max_protection_days at least extend_days");
        templates_ = config.value("templates", nlohmann::json::array());
        tasks_ = std::make_unique<TaskList>(host);
        book_ = std::make_unique<FollowupBook>(host, *tasks_, settings);
        rulings_ = std::make_unique<Rulings>(host);
        board_ = std::make_unique<TeamBoard>(host);
        dashboards_ = std::make_unique<Dashboards>(host);
        if (const std::string seed = config.value("demo_seed", std::string{}); !seed.empty()) {
            std::ifstream in(seed);
            const auto demo = nlohmann::json::parse(in, nullptr, false);
            if (demo.is_object()) book_->loadDemo(demo);
            else host.warning("followup demo seed unreadable: " + seed);
        }
        routes(host);
        host.serve("followup.customer.timeline", [this](const BusMessage& m) { return book_->timeline(m.project(), m.body()); });
        host.subscribe("customer.created", [this](const BusMessage& e) { book_->customerCreated(e.project(), e.body()); });
        host.subscribe("customer.owner_changed", [this](const BusMessage& e) { book_->ownerChanged(e.project(), e.body()); });
        host.subscribe("customer.visited", [this](const BusMessage& e) {
            book_->visited(e.project(), e.body());
            dashboards_->visited(e.project(), e.body());
        });
        host.subscribe("deal.subscribed", [this](const BusMessage& e) { dashboards_->subscribed(e.project(), e.body()); });
        host.job("weekly_lists", [this](const Host::JobRun& run) { return book_->lists(run.project, "B"); });
        host.job("monthly_lists", [this](const Host::JobRun& run) { return book_->lists(run.project, "C"); });
        host.job("reminders", [this](const Host::JobRun& run) { return book_->remind(run.project); });
    }

private:
    static std::pair<std::int64_t, std::int64_t> period(const Request& r) {
        const auto from = r.numberQuery("from"), to = r.numberQuery("to");
        if (!from || !to || *from >= *to) throw Error::invalid("followup.invalid", "give the period as from < to, in milliseconds");
        return {*from, *to};
    }
    static FollowupBook::Actor actor(const Request& r) {
        return {r.userId(), r.displayName().empty() ? r.username() : r.displayName(), r.can("followup.team")};
    }

    void routes(Host& host) {
        host.route("tasks.list", [this](const Request& r) {
            // A consultant's own list; the team's for a supervisor who asks for it.
            std::optional<std::int64_t> consultant = r.userId();
            if (r.can("followup.team") && r.query("scope") == "team") consultant = r.numberQuery("consultant");
            const auto before = r.numberQuery("before");
            return Response::json({{"tasks", tasks_->open(r.idParam("project"), consultant, before, static_cast<int>(r.numberQuery("limit").value_or(300)))},
                                   {"now", host_->now()}});
        });
        host.route("customer.get", [this](const Request& r) {
            return Response::json(book_->view(r.idParam("project"), r.idParam("id", "customer.not_found"), actor(r)));
        });
        host.route("profile.set", [this](const Request& r) {
            return Response::json(book_->setProfile(r.idParam("project"), r.idParam("id", "customer.not_found"), actor(r), r.json()));
        });
        host.route("records.add", [this](const Request& r) {
            return Response::created(book_->record(r.idParam("project"), r.idParam("id", "customer.not_found"), actor(r), r.json()));
        });
        host.route("templates.list", [this](const Request&) { return Response::json({{"templates", templates_}}); });
        host.route("dashboard.mine", [this](const Request& r) { return Response::json(dashboards_->consultant(r.idParam("project"), r.userId())); });
        host.route("dashboard.team", [this](const Request& r) {
            const auto [from, to] = period(r);
            auto figures = dashboards_->supervisor(r.idParam("project"), from, to);
            figures["board"] = board_->get(r.idParam("project"));
            return Response::json(figures);
        });
        host.route("dashboard.site", [this](const Request& r) {
            const auto [from, to] = period(r);
            const auto figures = dashboards_->manager(r.idParam("project"), from, to);
            if (r.query("format") == "csv") return Response::text(dashboards_->managerCsv(figures, r.english()), "text/csv; charset=utf-8");
            return Response::json(figures);
        });
        host.route("dashboard.site.export", [this](const Request& r) {
            const auto [from, to] = period(r);
            return Response::created(dashboards_->managerWorkbook(r.idParam("project"), dashboards_->manager(r.idParam("project"), from, to), r.english()));
        });
        host.route("board.get", [this](const Request& r) { return Response::json(board_->get(r.idParam("project"))); });
        host.route("rulings.list", [this](const Request& r) { return Response::json({{"rulings", rulings_->list(r.idParam("project"), r.query("status"))}}); });
        host.route("rulings.open", [this](const Request& r) { return Response::created(rulings_->open(r.idParam("project"), r.json(), r.userId())); });
        host.route("rulings.decide", [this](const Request& r) {
            return Response::json(rulings_->decide(r.idParam("project"), r.idParam("id", "followup.ruling_not_found"), r.json(), r.userId(), actor(r).name));
        });
        host.route("handover", [this](const Request& r) { return Response::json(rulings_->handover(r.idParam("project"), r.json(), r.userId(), actor(r).name)); });
    }

    Host* host_ = nullptr;
    nlohmann::json templates_;
    std::unique_ptr<TaskList> tasks_;
    std::unique_ptr<FollowupBook> book_;
    std::unique_ptr<Rulings> rulings_;
    std::unique_ptr<TeamBoard> board_;
    std::unique_ptr<Dashboards> dashboards_;
};

} // namespace anchang::followup

ANCHANG_PLUGIN(anchang::followup::FollowupPlugin)
