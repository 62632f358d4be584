#include "SelectionDesk.h"

#include <anchang/sdk/Phone.hpp>

#include <algorithm>

namespace anchang::selection {

namespace {

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

} // namespace

void SelectionDesk::forget(std::int64_t round) {
    std::lock_guard lock(roundsMutex_);
    rounds_.erase(round);
}

void SelectionDesk::forgetAll() {
    std::lock_guard lock(roundsMutex_);
    rounds_.clear();
}

std::shared_ptr<SelectionDesk::Round> SelectionDesk::load(std::int64_t project, std::int64_t id) {
    auto cached = [&]() -> std::shared_ptr<Round> {
        std::lock_guard lock(roundsMutex_);
        const auto it = rounds_.find(id);
        if (it == rounds_.end()) return nullptr;
        if (it->second->project != project) throw sdk::Error::notFound("selection.round_not_found", "no such round");
        return it->second;
    };
    if (auto round = cached()) return round;
    // One thread reads the round from the store; the storm's other first requests wait for it
    // instead of each reading ten thousand buyers.
    std::lock_guard loading(loadMutex_);
    if (auto round = cached()) return round;
    const auto r = host_.db().one("SELECT * FROM selection_rounds WHERE id = ? AND project_id = ?", {id, project});
    if (!r) throw sdk::Error::notFound("selection.round_not_found", "no such round");
    auto round = std::make_shared<Round>(settings_.hallCapacity, settings_.idleMs,
                                         Pacing::Settings{(*r)["starts_at"], (*r)["ends_at"], (*r)["batch_size"], (*r)["batch_gap_ms"]});
    round->id = id;
    round->project = project;
    round->formal = (*r)["kind"] == "formal";
    round->status = (*r)["status"];
    round->householdLimit = (*r)["household_limit"];
    round->signingDays = (*r)["signing_days"];
    round->version = (*r)["version"];
    for (auto& u : host_.db().query("SELECT unit_id, building, floor, number, layout, area, price, status, version FROM selection_units WHERE round_id = ?", {id})) {
        Unit unit;
        unit.price = u["price"];
        unit.sold = u["status"] == "sold";
        unit.version = u["version"];
        const std::int64_t unitId = u["unit_id"];
        if (unit.sold) {
            round->changes[unit.version] = unitId;
            ++round->sold;
        }
        u.erase("status");
        u.erase("version");
        unit.row = std::move(u);
        round->units.emplace(unitId, std::move(unit));
    }
    for (const auto& b : host_.db().query("SELECT b.id, b.customer_id, b.phone, b.unit_limit, b.household, b.name, e.seq, e.selected FROM selection_entries e "
                                          "JOIN selection_buyers b ON b.id = e.buyer_id WHERE e.round_id = ? AND b.status = 'qualified'",
                                          {id}))
        round->buyers[b["phone"]] = {b["id"], b["customer_id"].is_null() ? 0 : b["customer_id"].get<std::int64_t>(), b["seq"].is_null() ? 0 : b["seq"].get<int>(),
                                     b["unit_limit"], b["selected"], b["household"], b["name"]};
    for (const auto& h : host_.db().query("SELECT household, selected FROM selection_households WHERE round_id = ?", {id}))
        round->households[h["household"]] = h["selected"];
    std::unordered_map<std::int64_t, Buyer*> byId;
    for (auto& [phone, buyer] : round->buyers) byId[buyer.id] = &buyer;
    for (auto& a : host_.db().query("SELECT id, round_id, buyer_id, unit_id, price, request_id, selected_at, sign_by, deal_id FROM selection_selections "
                                    "WHERE round_id = ?",
                                    {id})) {
        const auto buyer = byId.find(a["buyer_id"].get<std::int64_t>());
        if (buyer == byId.end()) continue; // no longer qualified: never asks again
        const std::string requestId = a["request_id"];
        a.erase("buyer_id");
        a.erase("request_id");
        buyer->second->answered[requestId] = std::move(a);
    }
    std::lock_guard lock(roundsMutex_);
    return rounds_.emplace(id, std::move(round)).first->second;
}

std::optional<nlohmann::json> SelectionDesk::replayed(std::int64_t round, std::int64_t buyer, const std::string& requestId) const {
    return host_.db().one("SELECT id, round_id, unit_id, price, selected_at, sign_by, deal_id FROM selection_selections "
                          "WHERE round_id = ? AND buyer_id = ? AND request_id = ?",
                          {round, buyer, requestId});
}

void SelectionDesk::select(std::int64_t project, std::int64_t id, const std::string& phone, const nlohmann::json& body,
                           sdk::LaterResponse& answer) {
    if (!body.is_object() || !body.contains("unit_id") || !body["unit_id"].is_number_integer() || !body.contains("price") ||
        !body["price"].is_number_integer() || !body.contains("request_id") || !body["request_id"].is_string() ||
        body["request_id"].get<std::string>().empty() || body["request_id"].get<std::string>().size() > 64)
        throw sdk::Error::invalid("selection.invalid", "a selection is unit_id, the price shown, and a request_id of 1 to 64 characters");
    const std::int64_t unitId = body["unit_id"], price = body["price"];
    const std::string requestId = body["request_id"];
    auto round = load(project, id);
    Round& r = *round;
    const std::int64_t now = host_.now();
    // The round's own entry: its id, sequence, limit and household never change once loaded,
    // so they are read after the lock as well; what changes is read under it.
    const Buyer* b = nullptr;
    std::optional<sdk::Error> refused;
    Pacing::Gate gate = Pacing::Gate::Open;
    std::optional<AdmissionQueue::Place> waiting;
    std::optional<nlohmann::json> replay;
    {
        // One lock round a request: the storm's buyers take it twenty thousand times a second,
        // and the writer takes it for every batch. What is decided here is answered after it.
        std::lock_guard lock(r.mutex);
        const auto found = r.buyers.find(phone);
        if (found == r.buyers.end()) throw sdk::Error::forbidden("selection.not_eligible", "this phone is not among the round's qualified buyers");
        b = &found->second;
        if (r.status != "drawn") throw sdk::Error::conflict("selection.not_open", "the round is not open for selection");
        gate = r.pacing.gate(b->seq, now);
        if (gate == Pacing::Gate::Open) {
            // Admitted to the hall first: a buyer who waits holds nothing.
            if (const auto place = r.queue.enter(b->id, now); !place.admitted) {
                waiting = place;
            } else if (const auto again = b->answered.find(requestId); again != b->answered.end()) {
                // A formal sale's deal may have come since it was answered: the store knows.
                std::optional<nlohmann::json> stored;
                if (r.formal && again->second["deal_id"].is_null()) stored = replayed(id, b->id, requestId);
                replay = stored ? std::move(*stored) : again->second;
            } else {
                refused = refusal(r, unitId, price, *b);
                if (!refused) {
                    r.pendingUnits.insert(unitId);
                    r.pendingBuyers.insert(b->id);
                    ++r.pendingHouseholds[b->household];
                }
            }
        }
    }
    const Buyer& buyer = *b;
    switch (gate) {
    case Pacing::Gate::NotYet:
        throw sdk::Error::conflict("selection.not_yet", "your batch opens at " + std::to_string(r.pacing.opensAt(buyer.seq)))
            .withDetail({{"opens_at", r.pacing.opensAt(buyer.seq)}});
    case Pacing::Gate::Closed: throw sdk::Error::conflict("selection.closed", "the round has ended");
    case Pacing::Gate::Open: break;
    }
    if (waiting) return answer.send(sdk::Response::json({{"queued", true}, {"ahead", waiting->ahead}, {"waiting", waiting->waiting}}, 202));
    if (replay) return answer.send(sdk::Response::json({{"selection", std::move(*replay)}, {"replayed", true}}));
    // Four in five of the storm's buyers are told no: answered as any refusal, without the cost
    // of throwing it.
    if (refused) return answer.fail(*refused);
    auto sale = std::make_unique<DeskSale>();
    sale->round = id;
    sale->buyer = buyer.id;
    sale->limit = buyer.limit;
    sale->household = buyer.household;
    sale->householdLimit = r.householdLimit;
    sale->unit = unitId;
    sale->price = price;
    sale->requestId = requestId;
    sale->at = now;
    sale->signBy = now + static_cast<std::int64_t>(r.signingDays) * kDayMs;
    sale->phone = phone;
    sale->customer = buyer.customerId;
    sale->answer = std::move(answer);
    sale->r = round; // last: from here the marks go with the sale, which knows them all
    // In the writer's next batch, in arrival order; finish() answers once it is on disk.
    writer_.submit(std::move(sale));
}

SelectionDesk::DeskSale::~DeskSale() {
    // After the commit committed() has counted the sale; and whatever happened, the marks go.
    if (!r) return;
    std::lock_guard lock(r->mutex);
    r->pendingUnits.erase(unit);
    r->pendingBuyers.erase(buyer);
    --r->pendingHouseholds[household];
}

void SelectionDesk::finish(std::unique_ptr<SaleLedger::Sale> done) {
    auto answer = std::move(static_cast<DeskSale&>(*done).answer);
    const SaleLedger::Sale sale = *done; // the facts; the desk's sale and its marks go now
    done.reset();
    if (!sale.failure) return answer.send(sdk::Response::created({{"selection", selectionOf(sale)}, {"replayed", false}}));
    try {
        std::rethrow_exception(sale.failure);
    } catch (const sdk::Error& e) {
        // Two tabs sent the same confirmation: the one that lost finds the one that won.
        try {
            if (const auto again = replayed(sale.round, sale.buyer, sale.requestId))
                return answer.send(sdk::Response::json({{"selection", *again}, {"replayed", true}}));
        } catch (const std::exception&) {
        }
        answer.fail(e);
    } catch (const std::exception& e) {
        answer.fail(sdk::Error(500, "internal", e.what()));
    }
}

std::optional<sdk::Error> SelectionDesk::refusal(Round& r, std::int64_t unitId, std::int64_t price, const Buyer& buyer) {
    const auto u = r.units.find(unitId);
    if (u == r.units.end()) return sdk::Error::notFound("selection.unit_not_found", "the round sells no such unit");
    if (u->second.price != price)
        return sdk::Error::conflict("selection.price_mismatch", "the unit's price is " + std::to_string(u->second.price) + ", not " + std::to_string(price));
    if (u->second.sold) return sdk::Error::conflict("selection.sold", "this unit has just been sold");
    // One confirmation at a time per unit and per buyer: the others are told now, from memory,
    // instead of each taking the store's write lock to learn they lost.
    if (r.pendingUnits.count(unitId)) return sdk::Error::conflict("selection.taken", "someone is confirming this unit right now");
    if (r.pendingBuyers.count(buyer.id)) return sdk::Error::conflict("selection.in_progress", "your other confirmation is on its way");
    if (buyer.selected >= buyer.limit) return sdk::Error::conflict("selection.limit_reached", "you have chosen all the units you may");
    if (r.households[buyer.household] + r.pendingHouseholds[buyer.household] >= r.householdLimit)
        return sdk::Error::conflict("selection.household_limit", "your household has chosen all the units it may");
    return std::nullopt;
}

nlohmann::json SelectionDesk::selectionOf(const SaleLedger::Sale& sale) {
    // deal_id: core's subscription follows (SubscriptionRelay); the store has it once made.
    return {{"id", sale.selection}, {"round_id", sale.round}, {"unit_id", sale.unit}, {"price", sale.price}, {"selected_at", sale.at},
            {"sign_by", sale.signBy}, {"deal_id", nullptr}};
}

void SelectionDesk::committed(const std::vector<SaleLedger::Sale*>& sales) {
    std::vector<SubscriptionRelay::Pending> formal;
    std::map<Round*, nlohmann::json> soldIn; // each round's units sold in this batch
    std::vector<std::pair<Round*, std::int64_t>> done; // buyers who chose all they may leave the hall
    std::vector<std::pair<Round*, std::int64_t>> soldOut; // and when
    for (auto* one : sales) {
        const auto& sale = static_cast<const DeskSale&>(*one);
        Round& r = *sale.r;
        if (r.formal) formal.push_back({r.project, sale.selection, sale.customer, sale.unit, sale.price, sale.signBy});
        auto& units = soldIn[&r];
        if (units.is_null()) units = nlohmann::json::array();
        units.push_back(sale.unit);
        std::lock_guard lock(r.mutex);
        auto& u = r.units.at(sale.unit);
        u.sold = true;
        u.version = sale.version;
        r.changes[sale.version] = sale.unit;
        // The board's version moves only over changes all known here, so a viewer asking for
        // what came after it never skips a sale (a sale another kernel made shows on reload).
        while (r.changes.count(r.version + 1)) ++r.version;
        auto& b = r.buyers.at(sale.phone);
        b.answered[sale.requestId] = selectionOf(sale);
        ++b.selected;
        ++r.households[b.household];
        if (b.selected >= b.limit || r.households[b.household] >= r.householdLimit) done.emplace_back(&r, b.id);
        if (++r.sold == static_cast<int>(r.units.size())) soldOut.emplace_back(&r, sale.at);
    }
    host_.crashPoint("selection.committed");
    // On disk: the sales hold. Core's subscriptions follow (deal_id, once made).
    relay_.add(std::move(formal));
    const std::int64_t now = host_.now();
    for (const auto& [r, buyer] : done) r->queue.leave(buyer, now);
    for (const auto& [r, at] : soldOut) host_.db().exec("UPDATE selection_rounds SET sold_out_at = ? WHERE id = ? AND sold_out_at IS NULL", {at, r->id});
    for (auto& [r, units] : soldIn) {
        std::int64_t version = 0;
        {
            std::lock_guard lock(r->mutex);
            version = r->version;
        }
        // One push a batch: a page reads what sold after its own version (board?since=V).
        host_.publish("push.selection.sold",
                      {{"audience", {{"permission", "selection.board"}}}, {"data", {{"round_id", r->id}, {"version", version}, {"units", std::move(units)}}}},
                      r->project);
    }
}

nlohmann::json SelectionDesk::mine(std::int64_t project, std::int64_t id, const std::string& phone) {
    auto round = load(project, id);
    Round& r = *round;
    const Buyer* b = nullptr;
    int selected = 0; // changes as sales commit: read under the lock
    {
        std::lock_guard lock(r.mutex);
        const auto found = r.buyers.find(phone);
        if (found == r.buyers.end()) throw sdk::Error::forbidden("selection.not_eligible", "this phone is not among the round's qualified buyers");
        b = &found->second;
        selected = b->selected;
    }
    const Buyer& buyer = *b;
    const std::int64_t now = host_.now();
    // Every open page asks every ten seconds, ten thousand of them on opening day: what the
    // memory holds comes from it, and only a buyer who has chosen reads the store (for the deal
    // core made since). The memory learns a sale before its buyer is answered.
    nlohmann::json selections = nlohmann::json::array();
    if (selected > 0)
        selections = host_.db().query("SELECT id, unit_id, price, selected_at, sign_by, deal_id FROM selection_selections "
                                      "WHERE round_id = ? AND buyer_id = ? ORDER BY id",
                                      {id, buyer.id});
    nlohmann::json out = {{"buyer_id", buyer.id},
                          {"name", buyer.name},
                          {"phone", sdk::Phone::masked(phone)},
                          {"seq", buyer.seq ? nlohmann::json(buyer.seq) : nlohmann::json(nullptr)},
                          {"batch", r.pacing.batchOf(buyer.seq)},
                          {"opens_at", r.pacing.opensAt(buyer.seq)},
                          {"limit", buyer.limit},
                          {"selected", selected},
                          {"selections", std::move(selections)}};
    // The waiting room, when the buyer may choose now and has not chosen all they may.
    if (r.status == "drawn" && buyer.seq && r.pacing.gate(buyer.seq, now) == Pacing::Gate::Open && selected < buyer.limit) {
        const auto place = r.queue.enter(buyer.id, now);
        out["queue"] = {{"admitted", place.admitted}, {"ahead", place.ahead}, {"waiting", place.waiting}};
    }
    return out;
}

std::string SelectionDesk::board(std::int64_t project, std::int64_t id, std::int64_t since) {
    auto round = load(project, id);
    Round& r = *round;
    std::lock_guard lock(r.mutex);
    // A viewer up to date, or close to it, gets the few units sold since; a new one (or one
    // far behind) the whole board, built once per version for all of them.
    if (since >= 0 && since <= r.version && r.version - since <= 500) {
        nlohmann::json units = nlohmann::json::array();
        for (auto it = r.changes.upper_bound(since); it != r.changes.end() && it->first <= r.version; ++it)
            units.push_back({{"unit_id", it->second}, {"status", "sold"}, {"version", it->first}});
        return nlohmann::json{{"version", r.version}, {"full", false}, {"units", units}}.dump();
    }
    if (r.fullBoardVersion != r.version) {
        std::vector<const std::pair<const std::int64_t, Unit>*> ordered;
        ordered.reserve(r.units.size());
        for (const auto& entry : r.units) ordered.push_back(&entry);
        std::sort(ordered.begin(), ordered.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
        nlohmann::json units = nlohmann::json::array();
        for (const auto* entry : ordered) {
            const Unit& u = entry->second;
            nlohmann::json row = u.row;
            // A sale past the board's version shows with the version that includes it.
            row["status"] = u.sold && u.version <= r.version ? "sold" : "available";
            units.push_back(std::move(row));
        }
        r.fullBoard = nlohmann::json{{"version", r.version}, {"full", true}, {"units", units}}.dump();
        r.fullBoardVersion = r.version;
    }
    return r.fullBoard;
}

} // namespace anchang::selection
