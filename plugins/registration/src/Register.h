#pragma once
/// Register — the visit register (来访登记簿) of a project.
///
/// Every visit gets the next number of the project's register in the same transaction that
/// stores it, so the register has no gaps ("不得留空页、断号"). A void needs a manager, keeps its
/// number, and stays visible with who voided it, when and why ("不得涂改和销毁").

#include "LocalDay.h"

#include <anchang/sdk/Host.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace anchang::registration {

class Register {
public:
    struct Actor {
        std::int64_t id = 0;
        std::string name;        ///< the login, as the audit log records every actor
        std::string displayName; ///< as the register shows it (王丽)
    };
    struct Filter {
        std::optional<std::string> day;
        std::optional<std::string> status;
        std::optional<std::int64_t> receiver;
        std::optional<std::int64_t> customer;
        std::optional<std::int64_t> before; ///< number
        int limit = 100;
    };

    Register(const sdk::Host& host, const LocalDay& day) : host_(host), day_(day) {}

    /// Numbers and stores a visit; call inside a transaction. Returns its id.
    std::int64_t insert(std::int64_t project, const nlohmann::json& visit) const;
    nlohmann::json get(std::int64_t project, std::int64_t id) const;
    nlohmann::json list(std::int64_t project, const Filter& filter) const;
    /// A non-void visit of this customer registered within `windowMs`, or null: the same
    /// arrival registered twice (two desks, a double tap).
    nlohmann::json recent(std::int64_t project, std::int64_t customer, std::int64_t windowMs) const;
    /// Takes the customer's duplicate window for the visit about to be inserted (in the same
    /// transaction): where another registration of this customer is still uncommitted, this waits
    /// for it, so the recent() that follows sees its visit. See migration 003.
    void openWindow(std::int64_t project, std::int64_t customer, std::int64_t windowMs) const;
    /// Oldest first.
    nlohmann::json queued(std::int64_t project) const;

    /// Voids a visit, keeping its number, with `reason` (required by the route) and who did it;
    /// 409 if already void. Returns the visit as it was; call inside the transaction that undoes
    /// what it gave (VisitDesk::voidVisit).
    nlohmann::json voidVisit(std::int64_t project, std::int64_t id, const std::string& reason, const Actor& actor) const;
    static sdk::Error alreadyVoid(const nlohmann::json& visit);
    /// The customer's visits other than `except` that are not void, oldest first.
    nlohmann::json otherValidVisits(std::int64_t project, std::int64_t customer, std::int64_t except) const;
    /// Records that visit `id` gave the customer its owner, and what the customer had before.
    void ownerGiven(std::int64_t project, std::int64_t id, const nlohmann::json& ownerBefore, const nlohmann::json& protectionBefore) const;
    /// Per consultant, the visitor they are with: waiting for them or received, not yet seen
    /// off, received (or, still waiting, registered) after `since`: a reception nobody closed
    /// stops counting at some point.
    std::map<std::int64_t, nlohmann::json> receiving(std::int64_t project, std::int64_t since) const;
    /// The receiver sees the visitor off (接待结束); `onBehalf` for a manager doing it for them.
    nlohmann::json finish(std::int64_t project, std::int64_t id, std::int64_t userId, bool onBehalf) const;
    /// Visits of `owner`'s customers that colleagues covered while the owner was away, not yet read.
    nlohmann::json coveredFor(std::int64_t project, std::int64_t owner) const;
    /// The owner has read that visit `id` was covered.
    nlohmann::json seeCovered(std::int64_t project, std::int64_t id, std::int64_t owner) const;
    nlohmann::json receive(std::int64_t project, std::int64_t id, std::int64_t userId, bool onBehalf) const;
    /// Gives a visitor whose status is one of `from` to `consultant`: the visit as it is now, or
    /// null when its status had changed (someone else assigned or received it first).
    nlohmann::json assign(std::int64_t project, std::int64_t id, std::int64_t consultant, const std::string& name,
                          const std::string& method, const std::string& reason, bool countsTurn,
                          std::initializer_list<const char*> from) const;

    /// One line per visit, for Excel: UTF-8 with a byte-order mark.
    std::string csv(std::int64_t project, const nlohmann::json& visits, bool english) const;
    /// A visit as the live board shows it: masked phone, no questionnaire.
    static nlohmann::json onBoard(const nlohmann::json& visit);

private:
    nlohmann::json shape(nlohmann::json row) const;

    const sdk::Host& host_;
    const LocalDay& day_;
};

} // namespace anchang::registration
