// selection: online opening (在线开盘). Routes and wiring; the rules live in Pacing,
// AdmissionQueue and Lottery, the records in BuyerBook and RoundBook, the storm in SelectionDesk.

#include "RoundBook.h"
#include "SelectionDesk.h"

#include <anchang/sdk/Plugin.hpp>

#include <fstream>
#include <memory>

using namespace anchang::sdk;

namespace anchang::selection {

class SelectionPlugin : public Plugin {
public:
    void start(Host& host) override {
        const auto config = host.config();
        auto groups = config.value("groups", nlohmann::json::array());
        if (!groups.is_array() || groups.empty()) throw std::runtime_error("groups must list at least one eligibility group");
        for (const auto& g : groups)
            if (!g.is_object() || !g.contains("code") || !g["code"].is_string() || !g.contains("priority") || !g["priority"].is_number_integer() ||
                g["priority"] < 1 || g["priority"] > 99 || !g.contains("zh-CN"))
                throw std::runtime_error("each group needs a code, a priority from 1 to 99 and a zh-CN name");
        desk_ = std::make_unique<SelectionDesk>(host, SelectionDesk::Settings{config.value("hall_capacity", 0), config.value("hall_idle_s", 30) * 1000LL});
        buyers_ = std::make_unique<BuyerBook>(host, std::move(groups));
        rounds_ = std::make_unique<RoundBook>(host, *buyers_, [this](std::int64_t round) { desk_->forget(round); });
        routes(host);
        host.job("close_rounds", [this](const Host::JobRun& run) { return rounds_->closeEnded(run.project); });
        if (const std::string seed = config.value("demo_seed", std::string{}); !seed.empty()) loadDemo(host, seed);
    }

    /// The desk's writer thread ends here, while the host it writes through is still there.
    void stop() override { desk_.reset(); }

private:
    static BuyerBook::Actor actor(const Request& r) { return {r.userId(), r.displayName().empty() ? r.username() : r.displayName()}; }
    /// The signed-in buyer's phone: the kernel names phone sign-in users "phone:<number>".
    static std::string phone(const Request& r) {
        const std::string name = r.username();
        if (name.rfind("phone:", 0) != 0) throw Error::forbidden("selection.not_a_buyer", "buyers sign in with their phone and a texted code");
        return name.substr(6);
    }

    void routes(Host& host) {
        host.route("groups.list", [this](const Request&) { return Response::json({{"groups", buyers_->groups()}}); });
        host.route("buyers.list", [this](const Request& r) { return Response::json({{"buyers", buyers_->list(r.idParam("project"), r.query("q"))}}); });
        host.route("buyers.create", [this](const Request& r) { return Response::created(buyers_->create(r.idParam("project"), r.json(), actor(r))); });
        host.route("buyers.update", [this](const Request& r) {
            auto buyer = buyers_->update(r.idParam("project"), r.idParam("id", "selection.buyer_not_found"), r.json(), actor(r));
            desk_->forgetAll(); // a limit, household, name or withdrawal counts from the next request on
            return Response::json(buyer);
        });
        host.route("rounds.list", [this](const Request& r) { return Response::json({{"rounds", rounds_->list(r.idParam("project"))}}); });
        host.route("rounds.create", [this](const Request& r) { return Response::created(rounds_->create(r.idParam("project"), r.json(), actor(r))); });
        host.route("rounds.get", [this](const Request& r) { return Response::json(rounds_->get(r.idParam("project"), round(r))); });
        host.route("rounds.update", [this](const Request& r) { return Response::json(rounds_->update(r.idParam("project"), round(r), r.json(), actor(r))); });
        host.route("rounds.publish", [this](const Request& r) { return Response::json(rounds_->publish(r.idParam("project"), round(r), actor(r))); });
        host.route("rounds.draw", [this](const Request& r) { return Response::json(rounds_->draw(r.idParam("project"), round(r), r.json(), actor(r))); });
        host.route("rounds.close", [this](const Request& r) { return Response::json(rounds_->close(r.idParam("project"), round(r), actor(r))); });
        host.route("rounds.progress", [this](const Request& r) { return Response::json(rounds_->progress(r.idParam("project"), round(r))); });
        host.route("rounds.order", [this](const Request& r) { return Response::json({{"order", rounds_->order(r.idParam("project"), round(r))}}); });
        host.route("rounds.lottery", [this](const Request& r) {
            const std::string file = r.param("file");
            const bool csv = file.size() > 4 && file.substr(file.size() - 4) == ".csv";
            return Response::text(rounds_->lotteryFile(r.idParam("project"), round(r), file), csv ? "text/csv; charset=utf-8" : "text/plain; charset=utf-8");
        });
        host.route("rounds.board", [this](const Request& r) {
            return Response::text(desk_->board(r.idParam("project"), round(r), r.numberQuery("since").value_or(-1)), "application/json; charset=utf-8");
        });
        host.route("rounds.mine", [this](const Request& r) {
            // A buyer here signed in with a texted code: their phone is verified.
            buyers_->signedIn(r.idParam("project"), phone(r));
            return Response::json(desk_->mine(r.idParam("project"), round(r), phone(r)));
        });
        // A sale is answered once its batch is on disk, from the writer's thread: the buyers
        // waiting for it hold none of the kernel's HTTP workers.
        host.routeLater("selections.create", [this](const Request& r, LaterResponse& answer) {
            desk_->select(r.idParam("project"), round(r), phone(r), r.json(), answer);
        });
    }

    static std::int64_t round(const Request& r) { return r.idParam("id", "selection.round_not_found"); }

    void loadDemo(Host& host, const std::string& path) {
        std::ifstream in(path);
        const auto seed = nlohmann::json::parse(in, nullptr, false);
        if (!seed.is_object()) {
            host.warning("selection demo seed unreadable: " + path);
            return;
        }
        const auto projects = host.request("kernel.projects.list", nlohmann::json::object());
        for (const auto& p : projects["projects"])
            if (p["code"] == seed.value("project", "")) rounds_->loadDemo(p["id"], seed);
    }

    std::unique_ptr<SelectionDesk> desk_;
    std::unique_ptr<BuyerBook> buyers_;
    std::unique_ptr<RoundBook> rounds_;
};

} // namespace anchang::selection

ANCHANG_PLUGIN(anchang::selection::SelectionPlugin)
