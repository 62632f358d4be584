#pragma once
/// SelectionDesk — the opening's storm: buyers choose units, the board shows it.
///
/// Each unit is sold once, each buyer and household stays within its limit, and a selection is
/// acknowledged only after its commit (BatchWriter writes many in one transaction and answers
/// them from its thread, so a waiting buyer holds no HTTP worker; SaleLedger
/// sixteen to a savepoint, and the kernel's group commit shares the fsync): every rule is a
/// compare-and-set in the store (unit available → sold; the buyer's and the household's count
/// below the limit), so no interleaving and no second kernel on PostgreSQL can break it. A
/// formal round's selections get their subscriptions from core after the commit
/// (SubscriptionRelay): the buyer is answered once the sale is on disk, and the deal follows
/// once the sales pause, after a restart too.
///
/// Everything a refusal needs is also held in memory per round (units, buyers by phone, counts,
/// the board), updated by the writer after each batch's commit: the thousands of requests for
/// units already gone are answered without touching the store, and viewers read the board from
/// memory — by version, only what changed. The memory only ever lags the store, never leads it; the store decides.

#include "AdmissionQueue.h"
#include "BatchWriter.h"
#include "Pacing.h"
#include "SubscriptionRelay.h"

#include <anchang/sdk/Host.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace anchang::selection {

class SelectionDesk {
public:
    struct Settings {
        int hallCapacity = 0;       ///< buyers choosing at once; 0: no waiting room
        std::int64_t idleMs = 30000; ///< a place in the hall lapses after this long without a request
    };
    SelectionDesk(const sdk::Host& host, Settings settings)
        : host_(host), settings_(settings), relay_(host, true),
          writer_(
              host, 256, [this](const auto& sales) { committed(sales); }, [this](auto sale) { finish(std::move(sale)); }) {
        relay_.recover();
    }

    /// {"unit_id","price","request_id"} by the buyer signed in with `phone`, answered through
    /// `answer`: a sale once its batch is on disk, from the writer's thread, everything else at
    /// once. 201 with the selection; 200 with the same selection for a replayed confirmation;
    /// 202 {"queued", "ahead"} while the buyer waits for the hall. Refusals are sdk::Error (thrown
    /// here, or the answer the writer gives): 403 not_eligible,
    /// 404 unit_not_found, 409 not_open / not_yet / closed / sold / taken (another
    /// confirmation of the unit is in flight) / in_progress (the buyer's own) / price_mismatch /
    /// limit_reached / household_limit.
    void select(std::int64_t project, std::int64_t round, const std::string& phone, const nlohmann::json& body, sdk::LaterResponse& answer);
    /// The signed-in buyer's round: their place and batch, when they may choose, their
    /// selections, their place in the waiting room.
    nlohmann::json mine(std::int64_t project, std::int64_t round, const std::string& phone);
    /// The board as JSON text: {"version","full","units"} — every unit when `since` is negative
    /// (a new viewer) or far behind, else only the units sold after version `since`.
    std::string board(std::int64_t project, std::int64_t round, std::int64_t since);
    /// Drops the round's memory; the next request reloads it from the store.
    void forget(std::int64_t round);
    /// Drops every round's memory (a buyer changed).
    void forgetAll();

private:
    struct Unit {
        nlohmann::json row; ///< building, floor, number, layout, area, price
        std::int64_t price = 0;
        bool sold = false;
        std::int64_t version = 0;
    };
    struct Buyer {
        std::int64_t id = 0;
        std::int64_t customerId = 0; ///< core's customer, linked at qualification
        int seq = 0;
        int limit = 1;
        int selected = 0;
        std::string household;
        std::string name;
        /// request_id → the selection it made: a replayed confirmation is answered from here.
        /// The buyer's own, so the storm's first-time buyers find an empty map instead of
        /// searching the round's.
        std::unordered_map<std::string, nlohmann::json> answered;
    };
    struct Round {
        Round(int capacity, std::int64_t idleMs, Pacing::Settings pacing) : pacing(pacing), queue(capacity, idleMs) {}
        std::int64_t id = 0;
        std::int64_t project = 0;
        bool formal = false;
        std::string status;
        Pacing pacing;
        int householdLimit = 1;
        int signingDays = 7;
        AdmissionQueue queue;
        std::mutex mutex;
        /// By unit id: hashed, since every request looks one up (a tree of 2,000 was eleven
        /// nodes to walk, most of them cold); the full board sorts them.
        std::unordered_map<std::int64_t, Unit> units;
        std::unordered_map<std::string, Buyer> buyers; ///< by phone
        std::unordered_map<std::string, int> households;
        std::map<std::int64_t, std::int64_t> changes; ///< version → unit sold at it
        std::unordered_set<std::int64_t> pendingUnits, pendingBuyers; ///< confirmations in flight
        std::unordered_map<std::string, int> pendingHouseholds;
        std::int64_t version = 0; ///< every change up to it is in `changes`
        int sold = 0;
        std::string fullBoard;
        std::int64_t fullBoardVersion = -1;
    };

    std::shared_ptr<Round> load(std::int64_t project, std::int64_t round);
    /// The selection `request_id` made for the buyer, if there is one (a replay).
    std::optional<nlohmann::json> replayed(std::int64_t round, std::int64_t buyer, const std::string& requestId) const;
    /// A sale as the desk hands it to the writer: with the round and buyer it was checked
    /// against, and the buyer's answer. Its marks in the round (a confirmation in flight for its
    /// unit, buyer and household) go with it.
    struct DeskSale : SaleLedger::Sale {
        std::shared_ptr<Round> r;
        std::string phone;
        std::int64_t customer = 0;
        sdk::LaterResponse answer;
        DeskSale() = default;
        DeskSale(const DeskSale&) = delete;
        DeskSale& operator=(const DeskSale&) = delete;
        ~DeskSale();
    };
    /// After its batch, on the writer's thread: the sale's marks go, then its buyer is answered.
    void finish(std::unique_ptr<SaleLedger::Sale> sale);
    /// After a batch's commit, on the writer's thread: the memory learns its sales, core's
    /// subscriptions are queued, and each round's viewers get one push for the whole batch.
    void committed(const std::vector<SaleLedger::Sale*>& sales);
    static nlohmann::json selectionOf(const SaleLedger::Sale& sale);
    /// Why the buyer may not have the unit now, from memory (the round's mutex held), or nothing.
    static std::optional<sdk::Error> refusal(Round& r, std::int64_t unit, std::int64_t price, const Buyer& buyer);

    const sdk::Host& host_;
    const Settings settings_;
    SubscriptionRelay relay_;
    BatchWriter writer_; ///< after the relay: stops first, as its batches feed the relay
    std::mutex roundsMutex_;
    std::mutex loadMutex_;
    std::map<std::int64_t, std::shared_ptr<Round>> rounds_;
};

} // namespace anchang::selection
