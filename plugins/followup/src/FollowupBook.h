#pragma once
/// FollowupBook — the consultant's side of a customer (跟进): the 360 profile (household, motive,
/// finances, focus and resistance points), follow-up records (method, template, content, grade,
/// next contact), and what a record moves: the grade (hook followup.grade), the tasks it answers
/// and the ones it sets (TaskList, GradePlan), and — for the owner's valid follow-up — the
/// protection, extended in core (ProtectionClock, core.customer.protect) in the record's commit.
/// A new customer gets their first call-back task and, through the notifier, a welcome text
/// naming the consultant who will look after them.
/// Consultants reach their own customers only; another's is "not found", not "forbidden".

#include "ProtectionClock.h"
#include "TaskList.h"

#include <anchang/sdk/Host.hpp>

#include <cstdint>

namespace anchang::followup {

class FollowupBook {
public:
    struct Settings {
        ProtectionClock::Policy protection;
        int firstCallbackHours = 24;
        int revisitDays = 3;
        bool requireAfterContact = false;
        bool welcome = true; ///< text a new customer who will look after them
    };
    /// Who acts: a consultant sees their own customers; `all` (followup.team) sees every one.
    struct Actor {
        std::int64_t id = 0;
        std::string name;
        bool all = false;
    };

    FollowupBook(const sdk::Host& host, const TaskList& tasks, Settings settings) : host_(host), tasks_(tasks), settings_(settings), clock_(settings.protection) {}

    /// core's customer, if `actor` may see it; 404 otherwise.
    nlohmann::json customer(std::int64_t project, std::int64_t id, const Actor& actor) const;
    /// {customer, profile, records, tasks, owes_followup, protection {until, since, hard_end}}.
    nlohmann::json view(std::int64_t project, std::int64_t id, const Actor& actor) const;
    nlohmann::json setProfile(std::int64_t project, std::int64_t id, const Actor& actor, const nlohmann::json& body) const;
    /// Records a follow-up: {method, content, template?, grade?, next_contact_at?} -> {record, customer, tasks}.
    nlohmann::json record(std::int64_t project, std::int64_t id, const Actor& actor, const nlohmann::json& body) const;

    void customerCreated(std::int64_t project, const nlohmann::json& event) const;
    void ownerChanged(std::int64_t project, const nlohmann::json& event) const;
    void visited(std::int64_t project, const nlohmann::json& event) const;

    /// The week's (B) or month's (C) list tasks for each owned customer of that grade.
    std::int64_t lists(std::int64_t project, const std::string& grade) const;
    /// Tells each consultant what is due today, overdue, and whose protection ends within 3 days.
    std::int64_t remind(std::int64_t project) const;
    /// The demo's profiles and past follow-ups (config/demo/followup.json), once, into a project
    /// without follow-ups: written as they were then, with the tasks they left open.
    void loadDemo(const nlohmann::json& seed) const;
    /// The customer's follow-ups as timeline entries (core.customer.timeline).
    nlohmann::json timeline(std::int64_t project, const nlohmann::json& input) const;

private:
    GradePlan plan(std::int64_t project) const;
    /// Since when `owner` has had the customer (followup_owners; now, recorded, if unknown).
    std::int64_t ownerSince(std::int64_t project, std::int64_t customer, std::int64_t owner) const;
    nlohmann::json profile(std::int64_t project, std::int64_t customer) const;
    void sendWelcome(std::int64_t project, std::int64_t customer, std::int64_t owner) const;

    const sdk::Host& host_;
    const TaskList& tasks_;
    Settings settings_;
    ProtectionClock clock_;
};

} // namespace anchang::followup
