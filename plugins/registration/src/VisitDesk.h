#pragma once
/// VisitDesk — registering a visit at the front desk, from the request to the notifications.
///
///  1. Check the visitor: a mainland mobile number, a name, the layout wanted (a registration
///     without them is invalid, "如缺少……可视为无效登记"), then the project's custom fields and
///     its validation rules (kernel forms).
///  2. An Idempotency-Key sent again returns the first answer instead of a second visit.
///  3. Ask every module that contributes to the registration.visit.check extension point about
///     the visitor (each gets what its own desk component collected); their answers stay with
///     the visit. A module that fails or is late is noted on the visit, never fatal, and with
///     none running there is nothing to ask.
///  4. Decide receiver and owner (Assignment).
///  5. In one commit: claim a new customer in core (whoever claims first owns it; a desk that
///     loses the race treats the visitor as that owner's returning customer) or count the
///     returning one's visit, give it its owner, number and store the visit with the request's
///     key, and store visit.registered (and customer.assigned, visit.queued) in the outbox. The
///     same arrival registered again within a few minutes (two desks) returns the visit
///     already stored.
///  6. After the commit: push to the receiver's and the owner's screens and the live board,
///     alert the managers when the visitor had to queue, and send the off-screen notification.

#include "Assignment.h"
#include "LocalDay.h"
#include "Register.h"

#include <anchang/sdk/Host.hpp>
#include <anchang/sdk/Request.hpp>

#include <cstdint>

namespace anchang::registration {

class VisitDesk {
public:
    VisitDesk(const sdk::Host& host, const Assignment& assignment, const Register& book, std::int64_t duplicateWindowMs)
        : host_(host), assignment_(assignment), register_(book), duplicateWindowMs_(duplicateWindowMs) {}

    /// POST /visits: {status, body} — 201 for a new visit, 200 for a replay or a duplicate.
    std::pair<int, nlohmann::json> registerVisit(const sdk::Request& request) const;
    /// GET /visits/lookup?phone=: what the front desk should know before registering.
    nlohmann::json lookup(std::int64_t project, const std::string& phone) const;
    /// Queued visitors go to whoever is on duty now (after a roster change, or by a manager).
    void drainQueue(std::int64_t project) const;
    /// Removes the project's request keys (Idempotency-Key) stored before `before`; returns how
    /// many. A lost answer is asked again within minutes, never after days.
    std::int64_t forgetRequestKeys(std::int64_t project, std::int64_t before) const;
    /// A manager gives a waiting or queued visitor to a consultant.
    nlohmann::json assignManually(std::int64_t project, std::int64_t visit, std::int64_t consultant, const std::string& reason,
                                  std::int64_t actorId, const std::string& actorName) const;
    /// Voids a registration and undoes what the visit gave in core — one visit fewer and, when
    /// it gave the customer its owner and no later valid visit for that owner holds it, the
    /// owner and protection the customer had before (not one a voided visit gave) — all in one
    /// commit, with what was undone in the answer ("undone") and the audit.
    nlohmann::json voidVisit(std::int64_t project, std::int64_t id, const std::string& reason, const Register::Actor& actor) const;
    /// Tells the live board that something about a visit changed.
    void announce(std::int64_t project, const std::string& what, const nlohmann::json& visit) const;

private:
    /// The answers of registration.visit.check, by plugin, and the customer's origin if one said.
    struct Checks {
        nlohmann::json answers = nlohmann::json::object();
        nlohmann::json origin;
    };
    Checks check(std::int64_t project, const nlohmann::json& input) const;
    nlohmann::json answer(const nlohmann::json& visit, const nlohmann::json& customer, bool duplicate, bool replayed) const;
    void notify(std::int64_t project, const nlohmann::json& visit) const;
    /// What voiding `voided` gives back in core (the visit uncounted, its ownership released
    /// unless a valid visit holds it); the summary kept in the answer and the audit.
    nlohmann::json undo(std::int64_t project, const nlohmann::json& voided, const std::string& reason) const;
    /// The managers' alert that this visitor queued closes: someone takes them now, or the visit was voided.
    void closeQueueAlert(std::int64_t project, const nlohmann::json& visit) const;
    /// A message to one user through the kernel's notifier, with one of this plugin's templates.
    void tell(std::int64_t project, const nlohmann::json& userId, const std::string& kind, const nlohmann::json& params) const;

    const sdk::Host& host_;
    const Assignment& assignment_;
    const Register& register_;
    std::int64_t duplicateWindowMs_;
};

} // namespace anchang::registration
