#include "FollowupBook.h"

#include <anchang/sdk/Fields.hpp>

#include <array>
#include <map>
#include <set>

namespace anchang::followup {

namespace {

constexpr std::int64_t kHourMs = 3600LL * 1000;
const std::set<std::string> kMethods = {"phone", "wechat", "visit", "other"};
constexpr const char* kProfileFields[] = {"household", "motive", "finances", "focus", "resistance"};

nlohmann::json text(const std::string& zh, const std::string& en) { return {{"zh-CN", zh}, {"en", en}}; }

} // namespace

GradePlan FollowupBook::plan(std::int64_t project) const {
    return GradePlan(settings_.revisitDays, host_.project(project).value("utc_offset_minutes", 480));
}

nlohmann::json FollowupBook::customer(std::int64_t project, std::int64_t id, const Actor& actor) const {
    const auto found = host_.call("core.customer.get", {{"customer_id", id}}, project);
    if (!found.ok() || (!actor.all && found.body["customer"]["owner_id"] != actor.id))
        throw sdk::Error::notFound("customer.not_found", "no such customer among yours");
    return found.body["customer"];
}

nlohmann::json FollowupBook::profile(std::int64_t project, std::int64_t customer) const {
    if (auto row = host_.db().one("SELECT household, motive, finances, focus, resistance, grade, graded_at, updated_at FROM followup_profiles "
                                  "WHERE project_id = ? AND customer_id = ?",
                                  {project, customer}))
        return *row;
    nlohmann::json empty = {{"grade", nullptr}, {"graded_at", nullptr}, {"updated_at", nullptr}};
    for (const char* field : kProfileFields) empty[field] = "";
    return empty;
}

std::int64_t FollowupBook::ownerSince(std::int64_t project, std::int64_t customer, std::int64_t owner) const {
    if (auto row = host_.db().one("SELECT since FROM followup_owners WHERE project_id = ? AND customer_id = ? AND owner_id = ?", {project, customer, owner}))
        return (*row)["since"];
    // A customer owned before this module ran: the clock's maximum counts from the first sight.
    host_.db().exec("INSERT INTO followup_owners (project_id, customer_id, owner_id, since) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (project_id, customer_id) DO UPDATE SET owner_id = excluded.owner_id, since = excluded.since",
                    {project, customer, owner, host_.now()});
    return host_.now();
}

nlohmann::json FollowupBook::view(std::int64_t project, std::int64_t id, const Actor& actor) const {
    const auto found = customer(project, id, actor);
    nlohmann::json protection = {{"until", found["protection_until"]}, {"since", nullptr}, {"hard_end", nullptr}};
    if (found["owner_id"].is_number_integer())
        if (auto row = host_.db().one("SELECT since FROM followup_owners WHERE project_id = ? AND customer_id = ? AND owner_id = ?",
                                      {project, id, found["owner_id"]})) {
            protection["since"] = (*row)["since"];
            protection["hard_end"] = clock_.hardEnd((*row)["since"]);
        }
    const auto records = host_.db().query("SELECT id, consultant_id, consultant_name, method, template, content, grade_before, grade_after, "
                                          "next_contact_at, valid, extended_to, created_at FROM followup_records WHERE project_id = ? AND customer_id = ? "
                                          "ORDER BY created_at DESC, id DESC LIMIT 200",
                                          {project, id});
    nlohmann::json shown = nlohmann::json::array();
    for (auto r : records) {
        r["valid"] = r["valid"] == 1;
        shown.push_back(std::move(r));
    }
    const auto tasks = host_.db().query("SELECT id, consultant_id, kind, period, due_at, status, done_at FROM followup_tasks "
                                        "WHERE project_id = ? AND customer_id = ? ORDER BY due_at DESC LIMIT 100",
                                        {project, id});
    return {{"customer", found},
            {"profile", profile(project, id)},
            {"records", shown},
            {"tasks", tasks},
            {"owes_followup", tasks_.owesFollowup(project, id)},
            {"protection", protection},
            {"extend_days", clock_.policy().extendDays},
            {"valid_min_chars", clock_.policy().validMinChars}};
}

nlohmann::json FollowupBook::setProfile(std::int64_t project, std::int64_t id, const Actor& actor, const nlohmann::json& body) const {
    customer(project, id, actor);
    if (!body.is_object()) throw sdk::Error::invalid("followup.invalid", "the body must be an object");
    // 不填写无法进行下一步: a follow-up owed after a contact comes first.
    if (settings_.requireAfterContact && tasks_.owesFollowup(project, id))
        throw sdk::Error::conflict("followup.owed", "record the follow-up of the last contact first");
    host_.db().transaction([&] {
        host_.db().exec("INSERT INTO followup_profiles (project_id, customer_id, updated_by, updated_at) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT (project_id, customer_id) DO NOTHING",
                        {project, id, actor.id, host_.now()});
        for (const char* field : kProfileFields) {
            if (!body.contains(field)) continue;
            const std::string value = sdk::Fields::text(body, field, 1000, false, "followup.invalid");
            // `field` is one of the five names above, never input.
            host_.db().exec(std::string("UPDATE followup_profiles SET ") + field + " = ?, updated_by = ?, updated_at = ? WHERE project_id = ? AND customer_id = ?",
                            {value, actor.id, host_.now(), project, id});
        }
    });
    return profile(project, id);
}

nlohmann::json FollowupBook::record(std::int64_t project, std::int64_t id, const Actor& actor, const nlohmann::json& body) const {
    const auto found = customer(project, id, actor);
    if (!body.is_object()) throw sdk::Error::invalid("followup.invalid", "the body must be an object");
    const std::string method = body.value("method", nlohmann::json("")).is_string() ? body.value("method", std::string{}) : "";
    if (!kMethods.count(method)) throw sdk::Error::invalid("followup.invalid", "method must be phone, wechat, visit or other");
    const std::string content = sdk::Fields::text(body, "content", 2000, true, "followup.invalid");
    const std::string templateId = sdk::Fields::text(body, "template", 40, false, "followup.invalid");
    nlohmann::json chosen = body.value("grade", nlohmann::json(nullptr));
    if (!chosen.is_null() && (!chosen.is_string() || !GradePlan::known(chosen))) throw sdk::Error::invalid("followup.invalid", "grade must be A, B or C");
    const std::int64_t now = host_.now();
    nlohmann::json next = body.value("next_contact_at", nlohmann::json(nullptr));
    if (!next.is_null() && (!next.is_number_integer() || next.get<std::int64_t>() <= now))
        throw sdk::Error::invalid("followup.invalid", "next_contact_at must be a time to come, in milliseconds");

    const auto before = profile(project, id);
    // The project's rule may grade otherwise; it answers A, B, C or null (no grade).
    nlohmann::json grade = chosen.is_null() ? before["grade"] : chosen;
    const auto hook = host_.hook("followup.grade", project, {{"record", {{"method", method}, {"content", content}, {"grade", chosen}}},
                                                             {"previous", before["grade"]}, {"profile", before}});
    if (!hook.fallback && hook.output.is_object() && hook.output.contains("grade")) {
        const auto ruled = hook.output["grade"];
        if (ruled.is_null() || (ruled.is_string() && GradePlan::known(ruled))) grade = ruled;
    }
    const bool owner = found["owner_id"] == actor.id;
    const bool valid = clock_.valid(content);
    nlohmann::json out;
    host_.db().transaction([&] {
        // Only the owner's valid follow-up keeps the customer: a supervisor's note or a one-word
        // entry moves no clock.
        nlohmann::json extendedTo = nullptr, customerAfter = found;
        if (owner && valid) {
            const std::int64_t since = ownerSince(project, id, actor.id);
            const auto current = found["protection_until"].is_number() ? std::optional<std::int64_t>(found["protection_until"]) : std::nullopt;
            if (const auto until = clock_.extended(since, current, now)) {
                customerAfter = host_.request("core.customer.protect",
                                              {{"customer_id", id}, {"owner_id", actor.id}, {"until", *until}, {"reason", "有效跟进延长保护期"}},
                                              project)["customer"];
                extendedTo = *until;
            }
        }
        const std::int64_t recordId = host_.db()
                                          .run("INSERT INTO followup_records (project_id, customer_id, consultant_id, consultant_name, method, template, "
                                               "content, grade_before, grade_after, next_contact_at, valid, extended_to, created_at) "
                                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                               {project, id, actor.id, actor.name, method, templateId.empty() ? nlohmann::json(nullptr) : nlohmann::json(templateId),
                                                content, before["grade"], grade, next, valid ? 1 : 0, extendedTo, now})
                                          .rows.at(0)
                                          .at("id")
                                          .get<std::int64_t>();
        host_.db().exec("INSERT INTO followup_profiles (project_id, customer_id, updated_by, updated_at) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT (project_id, customer_id) DO NOTHING",
                        {project, id, actor.id, now});
        if (grade != before["grade"]) {
            host_.db().exec("UPDATE followup_profiles SET grade = ?, graded_at = ? WHERE project_id = ? AND customer_id = ?", {grade, now, project, id});
            tasks_.regraded(project, id);
        }
        if (owner && valid) tasks_.answer(project, id, actor.id, recordId, method == "visit");
        if (found["owner_id"].is_number_integer()) {
            const std::int64_t ownerId = found["owner_id"];
            // A grade's task: A's revisit after each A follow-up, B's and C's for the current list.
            if (grade.is_string())
                if (const auto task = plan(project).taskFor(grade, now); task && (grade != before["grade"] || grade == "A"))
                    tasks_.add(project, id, ownerId, task->kind, task->period, task->dueAt);
            if (next.is_number_integer()) tasks_.add(project, id, ownerId, "next_contact", "record-" + std::to_string(recordId), next);
        }
        host_.publish("followup.recorded", {{"record_id", recordId}, {"customer_id", id}, {"consultant_id", actor.id}, {"method", method},
                                            {"grade", grade}, {"valid", valid}, {"protection_until", customerAfter["protection_until"]}},
                      project);
        out = {{"record", {{"id", recordId}, {"method", method}, {"content", content}, {"grade_before", before["grade"]}, {"grade_after", grade},
                           {"next_contact_at", next}, {"valid", valid}, {"extended_to", extendedTo}, {"created_at", now}}},
               {"customer", customerAfter}};
    });
    return out;
}

void FollowupBook::customerCreated(std::int64_t project, const nlohmann::json& event) const {
    if (!event.value("owner_id", nlohmann::json(nullptr)).is_number_integer()) return;
    const std::int64_t customer = event["customer_id"], owner = event["owner_id"];
    bool welcome = false;
    host_.db().transaction([&] {
        host_.db().exec("INSERT INTO followup_owners (project_id, customer_id, owner_id, since) VALUES (?, ?, ?, ?) ON CONFLICT (project_id, customer_id) DO NOTHING",
                        {project, customer, owner, host_.now()});
        tasks_.add(project, customer, owner, "first_callback", "owner-" + std::to_string(owner), host_.now() + settings_.firstCallbackHours * kHourMs);
        // Once per customer, whatever redelivery of the event.
        welcome = settings_.welcome && host_.db().exec("INSERT INTO followup_welcomes (project_id, customer_id, sent_at) VALUES (?, ?, ?) "
                                                       "ON CONFLICT (project_id, customer_id) DO NOTHING",
                                                       {project, customer, host_.now()}) > 0;
    });
    if (welcome) sendWelcome(project, customer, owner);
}

void FollowupBook::sendWelcome(std::int64_t project, std::int64_t customer, std::int64_t owner) const {
    // The customer's own number, and who will look after them: their consultant's name and phone.
    const auto found = host_.call("core.customer.get", {{"customer_id", customer}}, project);
    const auto users = host_.call("kernel.users.get", {{"ids", {owner}}}, project);
    if (!found.ok() || !users.ok() || users.body["users"].empty() || found.body["customer"].value("persons", nlohmann::json::array()).empty()) {
        host_.warning("no welcome for customer " + std::to_string(customer) + ": customer or consultant not found");
        return;
    }
    const auto& c = found.body["customer"];
    const auto& consultant = users.body["users"][0];
    const auto sent = host_.call("kernel.notify", {{"recipient", {{"phone", c["persons"][0]["phone"]}}},
                                                   {"template", "followup.welcome"},
                                                   {"params", {{"name", c["name"]}, {"consultant", consultant["display_name"]},
                                                               {"phone", consultant.value("phone", nlohmann::json("")).is_string() ? consultant.value("phone", std::string{}) : ""}}}},
                                 project);
    if (!sent.ok()) host_.warning("could not welcome customer " + std::to_string(customer));
}

void FollowupBook::ownerChanged(std::int64_t project, const nlohmann::json& event) const {
    const std::int64_t customer = event["customer_id"];
    const auto to = event.value("to", nlohmann::json(nullptr));
    host_.db().transaction([&] {
        if (to.is_number_integer()) {
            const std::int64_t owner = to;
            host_.db().exec("INSERT INTO followup_owners (project_id, customer_id, owner_id, since) VALUES (?, ?, ?, ?) "
                            "ON CONFLICT (project_id, customer_id) DO UPDATE SET owner_id = excluded.owner_id, since = excluded.since "
                            "WHERE followup_owners.owner_id <> excluded.owner_id",
                            {project, customer, owner, host_.now()});
            tasks_.ownerChanged(project, customer, owner);
            // The new owner calls the customer back, as for a new one.
            tasks_.add(project, customer, owner, "first_callback", "owner-" + std::to_string(owner), host_.now() + settings_.firstCallbackHours * kHourMs);
        } else {
            host_.db().exec("DELETE FROM followup_owners WHERE project_id = ? AND customer_id = ?", {project, customer});
            tasks_.ownerChanged(project, customer, std::nullopt);
        }
    });
}

void FollowupBook::visited(std::int64_t project, const nlohmann::json& event) const {
    const auto owner = event.value("owner_id", nlohmann::json(nullptr));
    if (!owner.is_number_integer()) return;
    const std::int64_t customer = event["customer_id"], at = event["at"];
    host_.db().transaction([&] {
        // A revisit (复访) answers grade A's revisit task.
        host_.db().exec("UPDATE followup_tasks SET status = 'done', done_at = ? WHERE project_id = ? AND customer_id = ? AND kind = 'revisit' AND status = 'open'",
                        {at, project, customer});
        if (settings_.requireAfterContact) tasks_.add(project, customer, owner, "after_contact", "visit-" + std::to_string(at), at + settings_.firstCallbackHours * kHourMs);
    });
}

std::int64_t FollowupBook::lists(std::int64_t project, const std::string& grade) const {
    const auto task = grade == "B" ? plan(project).weekly(host_.now()) : plan(project).monthly(host_.now());
    std::int64_t made = 0;
    host_.db().transaction([&] {
        const auto owned = host_.db().query("SELECT p.customer_id, o.owner_id FROM followup_profiles p JOIN followup_owners o "
                                            "ON o.project_id = p.project_id AND o.customer_id = p.customer_id WHERE p.project_id = ? AND p.grade = ?",
                                            {project, grade});
        for (const auto& row : owned) {
            tasks_.add(project, row["customer_id"], row["owner_id"], task.kind, task.period, task.dueAt);
            ++made;
        }
    });
    return made;
}

std::int64_t FollowupBook::remind(std::int64_t project) const {
    const std::int64_t now = host_.now();
    const std::int64_t endOfDay = plan(project).dayEnd(now);
    std::map<std::int64_t, std::array<std::int64_t, 3>> counts; // per consultant: due today, overdue, protection lapsing
    for (const auto& t : tasks_.open(project, std::nullopt, std::nullopt, 1000)) {
        const std::int64_t due = t["due_at"];
        if (due < now) ++counts[t["consultant_id"]][1];
        else if (due <= endOfDay) ++counts[t["consultant_id"]][0];
    }
    const auto lapsing = host_.request("core.customers.select", {{"lapsed_before", now + 3 * ProtectionClock::kDayMs}, {"limit", 1000}}, project);
    for (const auto& c : lapsing["customers"])
        if (c["protection_until"].get<std::int64_t>() > now) ++counts[c["owner_id"]][2];
    std::int64_t told = 0;
    for (const auto& [consultant, n] : counts) {
        const auto sent = host_.call("kernel.notify", {{"recipient", {{"user_id", consultant}}}, {"template", "followup.tasks_due"},
                                                       {"params", {{"due", n[0]}, {"overdue", n[1]}, {"lapsing", n[2]}}}},
                                     project);
        if (sent.ok()) ++told;
        else host_.warning("could not remind consultant " + std::to_string(consultant) + " of their tasks");
    }
    return told;
}

void FollowupBook::loadDemo(const nlohmann::json& seed) const {
    std::int64_t project = 0;
    const auto projects = host_.request("kernel.projects.list", nlohmann::json::object());
    for (const auto& p : projects["projects"])
        if (p["code"] == seed.value("project", "")) project = p["id"];
    if (!project || host_.db().one("SELECT id FROM followup_records WHERE project_id = ? LIMIT 1", {project})) return;
    nlohmann::json usernames = nlohmann::json::array();
    for (const auto& r : seed.value("records", nlohmann::json::array())) usernames.push_back(r["by"]);
    std::map<std::string, nlohmann::json> users;
    const auto found = host_.request("kernel.users.get", {{"usernames", usernames}}, project);
    for (const auto& u : found["users"]) users[u["username"]] = u;
    auto customerOf = [&](const nlohmann::json& phone) { return host_.request("core.customer.find", {{"phone", phone}}, project)["customer"]; };
    const std::int64_t now = host_.now();
    host_.db().transaction([&] {
        for (const auto& p : seed.value("profiles", nlohmann::json::array())) {
            const auto customer = customerOf(p["phone"]);
            if (!customer.is_object()) continue;
            host_.db().exec("INSERT INTO followup_profiles (project_id, customer_id, household, motive, finances, focus, resistance, updated_at) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (project_id, customer_id) DO NOTHING",
                            {project, customer["id"], p.value("household", ""), p.value("motive", ""), p.value("finances", ""), p.value("focus", ""),
                             p.value("resistance", ""), now});
        }
        for (const auto& r : seed.value("records", nlohmann::json::array())) {
            const auto customer = customerOf(r["phone"]);
            if (!customer.is_object() || !users.count(r["by"])) continue;
            const auto& user = users.at(r["by"]);
            const std::int64_t at = now - r.value("days_ago", 0) * ProtectionClock::kDayMs;
            const nlohmann::json next = r.contains("next_contact_days") ? nlohmann::json(at + r["next_contact_days"].get<std::int64_t>() * ProtectionClock::kDayMs)
                                                                        : nlohmann::json(nullptr);
            const auto before = profile(project, customer["id"]);
            const auto id = host_.db()
                                .run("INSERT INTO followup_records (project_id, customer_id, consultant_id, consultant_name, method, content, grade_before, "
                                     "grade_after, next_contact_at, valid, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?) RETURNING id",
                                     {project, customer["id"], user["id"], user["display_name"], r["method"], r["content"], before["grade"], r["grade"], next, at})
                                .rows.at(0)
                                .at("id");
            host_.db().exec("INSERT INTO followup_profiles (project_id, customer_id, updated_at) VALUES (?, ?, ?) ON CONFLICT (project_id, customer_id) DO NOTHING",
                            {project, customer["id"], now});
            host_.db().exec("UPDATE followup_profiles SET grade = ?, graded_at = ? WHERE project_id = ? AND customer_id = ?", {r["grade"], at, project, customer["id"]});
            if (r["grade"] != before["grade"]) tasks_.regraded(project, customer["id"]);
            // What the record left open, as if it had been written then: the next contact, the grade's task.
            if (customer["owner_id"] == user["id"]) {
                if (next.is_number()) tasks_.add(project, customer["id"], user["id"], "next_contact", "record-" + id.dump(), next);
                if (const auto task = plan(project).taskFor(r["grade"], at)) tasks_.add(project, customer["id"], user["id"], task->kind, task->period, task->dueAt);
            }
        }
    });
}

nlohmann::json FollowupBook::timeline(std::int64_t project, const nlohmann::json& input) const {
    static const std::map<std::string, std::pair<std::string, std::string>> methods = {
        {"phone", {"电话跟进", "Phone follow-up"}}, {"wechat", {"微信跟进", "WeChat follow-up"}}, {"visit", {"到访跟进", "Follow-up at a visit"}},
        {"other", {"跟进", "Follow-up"}}};
    nlohmann::json entries = nlohmann::json::array();
    for (const auto& r : host_.db().query("SELECT id, consultant_name, method, content, grade_after, created_at FROM followup_records "
                                          "WHERE project_id = ? AND customer_id = ? ORDER BY created_at DESC LIMIT 200",
                                          {project, input.value("customer_id", std::int64_t{0})})) {
        const auto& words = methods.at(r["method"].get<std::string>());
        const std::string who = r["consultant_name"];
        entries.push_back({{"at", r["created_at"]}, {"kind", "followup"}, {"title", text(words.first + "（" + who + "）", words.second + " (" + who + ")")},
                           {"detail", {{"record_id", r["id"]}, {"content", r["content"]}, {"grade", r["grade_after"]}}}});
    }
    return {{"entries", entries}};
}

} // namespace anchang::followup
