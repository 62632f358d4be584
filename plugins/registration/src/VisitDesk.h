#pragma once
/// VisitDesk — registering a visit at the front desk, from the request to the notifications.
///
///  1. Check the visitor: a mainland mobile number, a name, the layout wanted (a registration
///     without them is invalid, "如缺少……可视为无效登记"), then the project's custom fields and
///     its validation rules (kernel forms).
///  2. An Idempotency-Key sent again returns the first answer instead of a second visit.
///  3. Ask the channel module about a report code and the face module about a photo, over the
///     bus; a module that is not enabled is reported, not fatal.
///  4. Find the customer in core, decide receiver and owner (Assignment), and claim a new
///     customer in core — whoever claims first owns it; a desk that loses the race treats the
///     visitor as that owner's returning customer.
///  5. Number and store the visit in one transaction; the same arrival registered again within
///     a few minutes (two desks) returns the visit already stored.
///  6. After the commit: count the visit in core, publish visit.registered (and
///     customer.assigned), push to the receiver's and the owner's screens and the live board,
///     alert the managers when the visitor had to queue, and send the off-screen notification.

#include "Assignment.h"
#include "LocalDay.h"
#include "Notifier.h"
#include "Register.h"

#include <anchang/sdk/Host.hpp>
#include <anchang/sdk/Request.hpp>

#include <cstdint>

namespace anchang::registration {

class VisitDesk {
public:
    VisitDesk(const sdk::Host& host, const Assignment& assignment, const Register& book, Notifier& notifier, std::int64_t duplicateWindowMs)
        : host_(host), assignment_(assignment), register_(book), notifier_(notifier), duplicateWindowMs_(duplicateWindowMs) {}

    /// POST /visits: {status, body} — 201 for a new visit, 200 for a replay or a duplicate.
    std::pair<int, nlohmann::json> registerVisit(const sdk::Request& request) const;
    /// GET /visits/lookup?phone=: what the front desk should know before registering.
    nlohmann::json lookup(std::int64_t project, const std::string& phone) const;
    /// Queued visitors go to whoever is on duty now (after a roster change, or by a manager).
    void drainQueue(std::int64_t project) const;
    /// A manager gives a waiting or queued visitor to a consultant.
    nlohmann::json assignManually(std::int64_t project, std::int64_t visit, std::int64_t consultant, const std::string& reason,
                                  std::int64_t actorId, const std::string& actorName) const;
    /// Tells the live board that something about a visit changed.
    void announce(std::int64_t project, const std::string& what, const nlohmann::json& visit) const;

private:
    nlohmann::json answer(const nlohmann::json& visit, const nlohmann::json& customer, const nlohmann::json& channel,
                          const nlohmann::json& face, bool duplicate, bool replayed) const;
    nlohmann::json askModule(const std::string& service, const nlohmann::json& body, std::int64_t project,
                             const std::string& moduleName) const;
    void notify(std::int64_t project, const nlohmann::json& visit) const;

    const sdk::Host& host_;
    const Assignment& assignment_;
    const Register& register_;
    Notifier& notifier_;
    std::int64_t duplicateWindowMs_;
};

} // namespace anchang::registration
