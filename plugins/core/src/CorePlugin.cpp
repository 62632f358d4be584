// core: the always-on plugin every module builds on — projects' profile, teams and the duty
// roster, customers and their ownership, inventory and deals. Routes and bus services are wired
// here; the rules live in the classes they call.

#include "CustomerBook.h"
#include "CustomerTimeline.h"
#include "DealBook.h"
#include "DemoLoader.h"
#include "Inventory.h"
#include "DayMs.h"
#include "ProjectProfile.h"
#include "Roster.h"
#include "Workbooks.h"

#include <anchang/sdk/Plugin.hpp>

#include <memory>

using namespace anchang::sdk;

namespace anchang::core {

namespace {

/// Without core.customers.read_all (consultants, by default) a caller sees only the customers they own.
bool onlyOwnCustomers(const Request& request) { return !request.can("core.customers.read_all"); }

/// The owner whose customers' deals the caller may see and handle; nullopt for every customer.
DealBook::Scope dealScope(const Request& request) {
    return request.can("core.deals.read_all") ? std::nullopt : DealBook::Scope(request.userId());
}

std::string reasonOf(const nlohmann::json& body) { return Fields::text(body, "reason", 500, true, "customer.reason_required"); }

} // namespace

class CorePlugin : public Plugin {
public:
    void start(Host& host) override {
        host_ = &host;
        const auto config = host.config();
        profile_ = std::make_unique<ProjectProfile>(host, config.value("protection_days", 30));
        customers_ = std::make_unique<CustomerBook>(host, *profile_);
        roster_ = std::make_unique<Roster>(host);
        inventory_ = std::make_unique<Inventory>(host);
        deals_ = std::make_unique<DealBook>(host, *inventory_);
        timeline_ = std::make_unique<CustomerTimeline>(host, *deals_);
        workbooks_ = std::make_unique<Workbooks>(host, *customers_, *profile_);
        routes(host);
        services(host);
        const std::string seed = config.value("demo_seed", std::string{});
        if (!seed.empty()) DemoLoader(host, *profile_, *customers_).load(seed);
    }

private:
    void routes(Host& host) {
        host.route("profile.get",
                   [this](const Request& r) { return Response::json(profile_->get(r.idParam("project"))); });
        host.route("profile.set", [this](const Request& r) {
            const auto project = r.idParam("project");
            auto result = profile_->set(project, r.json());
            host_->audit({{"actor_id", r.userId()}, {"actor_name", r.username()}, {"project_id", project}, {"action", "project.profile.change"},
                          {"target", "project:" + std::to_string(project)}, {"detail", result}});
            return Response::json(result);
        });

        host.route("customers.list", [this](const Request& r) {
            CustomerBook::ListFilter filter{r.query("phone"), r.query("q"), r.numberQuery("owner"), r.numberQuery("from"), r.numberQuery("to"),
                                            r.query("source"), r.query("stage")};
            if (onlyOwnCustomers(r)) filter.owner = r.userId();
            filter.limit = static_cast<int>(r.numberQuery("limit").value_or(50));
            filter.offset = static_cast<int>(r.numberQuery("offset").value_or(0));
            return Response::json({{"customers", customers_->list(r.idParam("project"), filter)},
                                   {"scope", onlyOwnCustomers(r) ? "own" : "all"}});
        });
        host.route("customers.get",
                   [this](const Request& r) { return Response::json(visible(r)); });
        host.route("customers.timeline", [this](const Request& r) { return Response::json(timeline_->of(r.idParam("project"), visible(r))); });
        host.route("customers.persons.add", [this](const Request& r) {
            const auto customer = visible(r);
            return Response::created(customers_->addPerson(r.idParam("project"), customer["id"], r.json()));
        });
        host.route("customers.owner.set", [this](const Request& r) {
            const auto body = r.json();
            if (!body.contains("owner_id") || !body["owner_id"].is_number_integer())
                throw Error::invalid("customer.invalid", "owner_id must be a consultant's user id");
            const auto project = r.idParam("project");
            consultantOf(project, body["owner_id"]);
            return Response::json(customers_->assignOwner(project, r.idParam("id", "customer.not_found"), body["owner_id"], reasonOf(body),
                                                          {r.userId(), r.username()}));
        });
        host.route("customers.origin.change", [this](const Request& r) {
            return Response::json(customers_->changeOrigin(r.idParam("project"), r.idParam("id", "customer.not_found"), r.json(),
                                                           {r.userId(), r.username()}));
        });

        host.route("roster.get",
                   [this](const Request& r) { return Response::json(roster_->get(r.idParam("project"))); });
        host.route("roster.place", [this](const Request& r) {
            return Response::json(roster_->place(r.idParam("project"), r.idParam("user", "user.not_found"), r.json()));
        });
        host.route("teams.add",
                   [this](const Request& r) { return Response::created(roster_->addTeam(r.idParam("project"), r.json())); });
        host.route("teams.rename", [this](const Request& r) {
            return Response::json(roster_->renameTeam(r.idParam("project"), r.idParam("id", "roster.team_not_found"), r.json()));
        });

        host.route("buildings.list",
                   [this](const Request& r) { return Response::json({{"buildings", inventory_->buildings(r.idParam("project"))}}); });
        host.route("units.list", [this](const Request& r) {
            return Response::json({{"units", inventory_->units(r.idParam("project"), r.numberQuery("building"), r.query("status"))}});
        });
        host.route("units.update", [this](const Request& r) {
            return Response::json(inventory_->update(r.idParam("project"), r.idParam("id", "unit.not_found"), r.json(), r.userId(), r.username()));
        });

        host.route("units.import", [this](const Request& r) {
            auto outcome = workbooks_->importUnits(r.idParam("project"), r.json(), {r.userId(), r.username()});
            return Response::json(outcome.body, outcome.status);
        });
        host.route("customers.import", [this](const Request& r) {
            auto outcome = workbooks_->importCustomers(r.idParam("project"), r.json(), {r.userId(), r.username()});
            return Response::json(outcome.body, outcome.status);
        });
        host.route("units.export",
                   [this](const Request& r) { return Response::created(workbooks_->exportUnits(r.idParam("project"), std::string(r.lang()))); });
        host.route("customers.export", [this](const Request& r) {
            return Response::created(workbooks_->exportCustomers(r.idParam("project"), std::string(r.lang()), {r.userId(), r.username()}));
        });

        host.route("deals.list", [this](const Request& r) {
            return Response::json({{"deals", deals_->list(r.idParam("project"), r.numberQuery("customer"), dealScope(r))},
                                   {"scope", dealScope(r) ? "own" : "all"}});
        });
        host.route("deals.subscribe",
                   [this](const Request& r) { return Response::created(deals_->subscribe(r.idParam("project"), r.json(), r.userId(), dealScope(r))); });
        host.route("deals.sign",
                   [this](const Request& r) { return Response::json(deals_->sign(r.idParam("project"), r.idParam("id", "deal.not_found"), dealScope(r))); });
        host.route("deals.pay", [this](const Request& r) {
            return Response::created(deals_->pay(r.idParam("project"), r.idParam("id", "deal.not_found"), r.json(), r.userId(), dealScope(r)));
        });
        host.route("deals.refund", [this](const Request& r) {
            return Response::json(deals_->refund(r.idParam("project"), r.idParam("id", "deal.not_found"), r.json(), r.userId(), r.username()));
        });
    }

    void services(Host& host) {
        host.serve("core.customer.find", [this](const BusMessage& m) {
            return nlohmann::json{{"customer", customers_->find(m.project(), m.body().value("phone", std::string{}))}};
        });
        host.serve("core.customer.claim", [this](const BusMessage& m) {
            if (!m.body().is_object()) throw Error::invalid("customer.invalid", "the body must be an object");
            auto claim = customers_->claim(m.project(), m.body());
            return nlohmann::json{{"customer", claim.customer}, {"created", claim.created}};
        });
        host.serve("core.customer.visited", [this](const BusMessage& m) {
            if (!m.body().contains("customer_id") || !m.body()["customer_id"].is_number_integer())
                throw Error::invalid("customer.invalid", "customer_id must be an id");
            return nlohmann::json{{"customer", customers_->visited(m.project(), m.body()["customer_id"], m.body().value("at", host_->now()))}};
        });
        host.serve("core.customer.assign_owner", [this](const BusMessage& m) {
            const auto& b = m.body();
            if (!b.contains("customer_id") || !b["customer_id"].is_number_integer() || !b.contains("owner_id") || !b["owner_id"].is_number_integer())
                throw Error::invalid("customer.invalid", "customer_id and owner_id must be ids");
            // Who did it comes from the header the kernel stamped, never from the body: a caller
            // cannot name someone else as the actor of an ownership change.
            return nlohmann::json{{"customer", customers_->assignOwner(m.project(), b["customer_id"], b["owner_id"], reasonOf(b),
                                                                       {m.actorId(), m.actorId() ? m.actorName() : m.source()})}};
        });
        host.serve("core.customer.set_origin", [this](const BusMessage& m) {
            const auto& b = m.body();
            if (!b.contains("customer_id") || !b["customer_id"].is_number_integer()) throw Error::invalid("customer.invalid", "customer_id must be an id");
            nlohmann::json change = {{"source", b.value("source", nlohmann::json(nullptr))}, {"channel", b.value("channel", nlohmann::json(nullptr))},
                                     {"reason", reasonOf(b)}};
            return nlohmann::json{{"customer", customers_->changeOrigin(m.project(), b["customer_id"], change,
                                                                        {m.actorId(), m.actorId() ? m.actorName() : m.source()})}};
        });
        host.serve("core.customer.protect", [this](const BusMessage& m) {
            const auto& b = m.body();
            if (!b.contains("customer_id") || !b["customer_id"].is_number_integer() || !b.contains("owner_id") || !b["owner_id"].is_number_integer() ||
                !b.contains("until") || !b["until"].is_number_integer())
                throw Error::invalid("customer.invalid", "customer_id and owner_id must be ids, until a time");
            return nlohmann::json{{"customer", customers_->protect(m.project(), b["customer_id"], b["owner_id"], b["until"], reasonOf(b),
                                                                   {m.actorId(), m.actorId() ? m.actorName() : m.source()})}};
        });
        host.serve("core.customer.release", [this](const BusMessage& m) {
            const auto& b = m.body();
            if (!b.contains("customer_id") || !b["customer_id"].is_number_integer()) throw Error::invalid("customer.invalid", "customer_id must be an id");
            return nlohmann::json{{"customer", customers_->release(m.project(), b["customer_id"], b.value("owner_id", nlohmann::json(nullptr)), reasonOf(b),
                                                                   {m.actorId(), m.actorId() ? m.actorName() : m.source()})}};
        });
        host.serve("core.customer.get", [this](const BusMessage& m) {
            if (!m.body().contains("customer_id") || !m.body()["customer_id"].is_number_integer())
                throw Error::invalid("customer.invalid", "customer_id must be an id");
            return nlohmann::json{{"customer", customers_->get(m.project(), m.body()["customer_id"])}};
        });
        host.serve("core.customer.timeline", [this](const BusMessage& m) {
            if (!m.body().contains("customer_id") || !m.body()["customer_id"].is_number_integer())
                throw Error::invalid("customer.invalid", "customer_id must be an id");
            return timeline_->of(m.project(), customers_->get(m.project(), m.body()["customer_id"]));
        });
        host.serve("core.customers.stats", [this](const BusMessage& m) {
            const auto& b = m.body();
            if (!b.contains("from") || !b["from"].is_number_integer() || !b.contains("to") || !b["to"].is_number_integer())
                throw Error::invalid("customer.invalid", "from and to must be times");
            return nlohmann::json{{"sources", customers_->stats(m.project(), b["from"], b["to"])}};
        });
        host.serve("core.customers.select", [this](const BusMessage& m) { return nlohmann::json{{"customers", customers_->select(m.project(), m.body())}}; });
        host.serve("core.customer.visit_voided", [this](const BusMessage& m) {
            if (!m.body().is_object()) throw Error::invalid("customer.invalid", "the body must be an object");
            auto [customer, released] = customers_->visitVoided(m.project(), m.body(), {m.actorId(), m.actorId() ? m.actorName() : m.source()});
            return nlohmann::json{{"customer", customer}, {"owner_released", released}};
        });
        host.serve("core.customer.visit_count", [this](const BusMessage& m) {
            if (!m.body().is_object()) throw Error::invalid("customer.invalid", "give customer_id or phone");
            return nlohmann::json{{"visits", customers_->visitCount(m.project(), m.body())}};
        });
        host.serve("core.customer.sources", [](const BusMessage&) { return nlohmann::json{{"sources", CustomerBook::sources()}}; });
        host.serve("core.customers.owned", [this](const BusMessage& m) { return nlohmann::json{{"owned", customers_->owned(m.project())}}; });
        host.serve("core.roster.get", [this](const BusMessage& m) { return roster_->get(m.project()); });
        host.serve("core.profile.get", [this](const BusMessage& m) { return profile_->get(m.project()); });
        host.serve("core.inventory.layouts", [this](const BusMessage& m) { return nlohmann::json{{"layouts", inventory_->layouts(m.project())}}; });
        host.serve("core.units.list", [this](const BusMessage& m) {
            const auto status = m.body().value("status", nlohmann::json(nullptr));
            return nlohmann::json{{"units", inventory_->units(m.project(), std::nullopt, status.is_string() ? std::optional<std::string>(status) : std::nullopt)}};
        });
        host.serve("core.units.reserve", [this](const BusMessage& m) { return inventory_->reserve(m.project(), m.body().value("unit_ids", nlohmann::json()), true); });
        host.serve("core.units.unreserve", [this](const BusMessage& m) { return inventory_->reserve(m.project(), m.body().value("unit_ids", nlohmann::json()), false); });
        host.serve("core.deals.subscribe", [this](const BusMessage& m) { return deals_->subscribeFor(m.project(), m.body()); });
    }

    /// The customer of the route, if the caller may see it (consultants: their own only).
    nlohmann::json visible(const Request& r) const {
        auto customer = customers_->get(r.idParam("project"), r.idParam("id", "customer.not_found"));
        if (onlyOwnCustomers(r) && customer["owner_id"] != r.userId())
            throw Error::notFound("customer.not_found", "no such customer among yours");
        return customer;
    }

    void consultantOf(std::int64_t project, std::int64_t user) const {
        const auto roster = roster_->get(project);
        for (const auto& c : roster["consultants"])
            if (c["user_id"] == user && c["status"] != "left") return;
        throw Error::invalid("customer.owner_not_consultant", "the new owner must be a consultant on this project's roster");
    }

    Host* host_ = nullptr;
    std::unique_ptr<ProjectProfile> profile_;
    std::unique_ptr<CustomerBook> customers_;
    std::unique_ptr<Roster> roster_;
    std::unique_ptr<Inventory> inventory_;
    std::unique_ptr<DealBook> deals_;
    std::unique_ptr<CustomerTimeline> timeline_;
    std::unique_ptr<Workbooks> workbooks_;
};

} // namespace anchang::core

ANCHANG_PLUGIN(anchang::core::CorePlugin)
