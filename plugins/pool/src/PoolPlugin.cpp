// pool: the public pool (公海) — defeats, nightly recycling, claims. Routes and bus wiring; the
// rules live in ClaimRules and PoolBook.

#include "PoolBook.h"

#include <anchang/sdk/Plugin.hpp>

#include <fstream>
#include <memory>

using namespace anchang::sdk;

namespace anchang::pool {

class PoolPlugin : public Plugin {
public:
    void start(Host& host) override {
        host_ = &host;
        const auto config = host.config();
        PoolBook::Settings settings;
        settings.claims.dailyCap = config.value("claim_daily_cap", 3);
        settings.claims.monthlyCap = config.value("claim_monthly_cap", 20);
        settings.claims.cooldownDays = config.value("cooldown_days", 30);
        settings.claimNeedsApproval = config.value("claim_needs_approval", true);
        settings.noDealDays = config.value("no_deal_days", 90);
        settings.extendDays = config.value("extend_days", 15);
        settings.reasons = config.value("defeat_reasons", nlohmann::json::array());
        if (!settings.reasons.is_array() || settings.reasons.empty()) throw std::runtime_error("defeat_reasons must list at least one reason");
        for (const auto& r : settings.reasons)
            if (!r.is_object() || !r.contains("id") || !r["id"].is_string() || !r.contains("zh-CN") || !r["zh-CN"].is_string())
                throw std::runtime_error("each defeat reason needs an id and a zh-CN text");
        book_ = std::make_unique<PoolBook>(host, settings);
        if (const std::string seed = config.value("demo_seed", std::string{}); !seed.empty()) {
            std::ifstream in(seed);
            const auto demo = nlohmann::json::parse(in, nullptr, false);
            if (demo.is_object()) book_->loadDemo(demo);
            else host.warning("pool demo seed unreadable: " + seed);
        }
        routes(host);
        host.serve("pool.customer.timeline", [this](const BusMessage& m) { return book_->timeline(m.project(), m.body()); });
        host.subscribe("deal.subscribed", [this](const BusMessage& e) { book_->subscribed(e.project(), e.body()); });
        host.job("recycle", [this](const Host::JobRun& run) { return book_->recycle(run.project); });
    }

private:
    static PoolBook::Actor actor(const Request& r) {
        return {r.userId(), r.displayName().empty() ? r.username() : r.displayName(), r.can("pool.approve")};
    }

    void routes(Host& host) {
        host.route("reasons.list", [this](const Request&) { return Response::json({{"reasons", book_->reasons()}}); });
        host.route("defeats.list", [this](const Request& r) { return Response::json({{"defeats", book_->defeats(r.idParam("project"), actor(r), r.query("status"))}}); });
        host.route("defeats.apply", [this](const Request& r) { return Response::created(book_->applyDefeat(r.idParam("project"), actor(r), r.json())); });
        host.route("defeats.decide", [this](const Request& r) {
            return Response::json(book_->decideDefeat(r.idParam("project"), r.idParam("id", "pool.defeat_not_found"), actor(r), r.json()));
        });
        host.route("entries.list", [this](const Request& r) {
            return Response::json(book_->entries(r.idParam("project"), actor(r), r.query("reason"), static_cast<int>(r.numberQuery("limit").value_or(200))));
        });
        host.route("claims.list", [this](const Request& r) { return Response::json({{"claims", book_->claims(r.idParam("project"), actor(r), r.query("status"))}}); });
        host.route("claims.apply", [this](const Request& r) {
            return Response::created(book_->claim(r.idParam("project"), r.idParam("id", "pool.entry_not_found"), actor(r)));
        });
        host.route("claims.decide", [this](const Request& r) {
            return Response::json(book_->decideClaim(r.idParam("project"), r.idParam("id", "pool.claim_not_found"), actor(r), r.json()));
        });
        host.route("invalid.mark", [this](const Request& r) { return Response::json(book_->markInvalid(r.idParam("project"), actor(r), r.json())); });
        host.route("analysis.get", [this](const Request& r) {
            const auto from = r.numberQuery("from"), to = r.numberQuery("to");
            if (!from || !to) throw Error::invalid("pool.invalid", "give the period as from and to, in milliseconds");
            return Response::json(book_->analysis(r.idParam("project"), *from, *to));
        });
    }

    Host* host_ = nullptr;
    std::unique_ptr<PoolBook> book_;
};

} // namespace anchang::pool

ANCHANG_PLUGIN(anchang::pool::PoolPlugin)
