#pragma once
/// TaskList — what each consultant owes their customers, and when: the first call-back within
/// 24 h of getting a customer, a grade's revisit or list task (GradePlan), the next contact the
/// consultant set, and — when the project asks — a follow-up after each visit. A task belongs to
/// the customer's owner: a change of owner moves the open ones (a handover is not a reason to
/// forget a promise) or, when nobody owns the customer any more, cancels them. A follow-up by the
/// owner closes what it answers.

#include "GradePlan.h"

#include <anchang/sdk/Host.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace anchang::followup {

class TaskList {
public:
    explicit TaskList(const sdk::Host& host) : host_(host) {}

    /// Adds a task unless the customer has one of this kind for this period already.
    void add(std::int64_t project, std::int64_t customer, std::int64_t consultant, const std::string& kind, const std::string& period,
             std::int64_t dueAt) const;
    /// Closes the owner's open tasks a follow-up answers (all but a revisit, which a visit or a
    /// follow-up made at a visit answers). Returns how many.
    std::int64_t answer(std::int64_t project, std::int64_t customer, std::int64_t consultant, std::int64_t record, bool visit) const;
    /// The customer's grade changed: the old grade's open tasks (revisit, weekly, monthly) end.
    void regraded(std::int64_t project, std::int64_t customer) const;
    /// The customer changed hands: open tasks follow the new owner, or are cancelled.
    void ownerChanged(std::int64_t project, std::int64_t customer, std::optional<std::int64_t> owner) const;
    /// Open tasks, soonest first: one consultant's, or everyone's (nullopt), due before `before`.
    nlohmann::json open(std::int64_t project, std::optional<std::int64_t> consultant, std::optional<std::int64_t> before, int limit) const;
    /// Whether the owner owes a follow-up after a contact (after_contact open).
    bool owesFollowup(std::int64_t project, std::int64_t customer) const;

private:
    const sdk::Host& host_;
};

} // namespace anchang::followup
