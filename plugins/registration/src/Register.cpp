#include "Register.h"

#include "Csv.h"

#include <anchang/sdk/Json.hpp>
#include <anchang/sdk/Phone.hpp>

#include <algorithm>
#include <map>

namespace anchang::registration {

namespace {

constexpr const char* kColumns =
    "id, number, customer_id, phone, phone_source, name, gender, returning_customer AS \"returning\", receiver_id, receiver_name, owner_id, owner_name, "
    "on_behalf_of, assignment, assignment_reason, counts_turn, questionnaire, custom, checks, source, companions, status, "
    "registered_by, registered_at, day, received_at, void_reason, voided_by, voided_by_name, voided_at, gave_owner, owner_before, protection_before, "
    "finished_at, covered_seen_at";

std::string str(const nlohmann::json& value) {
    if (value.is_null()) return {};
    return value.is_string() ? value.get<std::string>() : value.dump();
}

/// A register code as the exported sheet shows it: the people reading it in Excel do not know "rotation".
std::string label(const nlohmann::json& code, bool english) {
    static const std::map<std::string, std::pair<const char*, const char*>> labels = {
        {"returning", {"老客户归属", "own customer"}}, {"covering", {"代接待", "covering"}},
        {"designated", {"客户指定", "named by visitor"}}, {"rotation", {"轮序分配", "rotation"}},
        {"hook", {"项目规则", "project rule"}},           {"queued", {"排队", "queued"}},
        {"manual", {"手动指派", "assigned by hand"}},     {"waiting", {"待接待", "waiting"}},
        {"received", {"已接待", "received"}},             {"void", {"已作废", "void"}}};
    const std::string text = str(code);
    const auto it = labels.find(text);
    if (it == labels.end()) return text;
    return english ? it->second.second : it->second.first;
}

} // namespace

nlohmann::json Register::shape(nlohmann::json row) const {
    for (const char* key : {"questionnaire", "custom", "checks"})
        row[key] = sdk::Json::parse(row[key].get<std::string>());
    row["returning"] = row["returning"] == 1;
    row["counts_turn"] = row["counts_turn"] == 1;
    row["gave_owner"] = row["gave_owner"] == 1;
    const std::int64_t until = row["received_at"].is_number() ? row["received_at"].get<std::int64_t>()
                               : row["status"] == "void"       ? row["registered_at"].get<std::int64_t>()
                                                              : day_.now();
    row["waiting_seconds"] = std::max<std::int64_t>(0, (until - row["registered_at"].get<std::int64_t>()) / 1000);
    return row;
}

std::int64_t Register::insert(std::int64_t project, const nlohmann::json& visit) const {
    host_.db().exec("INSERT INTO registration_counters (project_id, next_number) VALUES (?, 1) ON CONFLICT (project_id) DO NOTHING", {project});
    const std::int64_t number = host_.db().query("UPDATE registration_counters SET next_number = next_number + 1 WHERE project_id = ? "
                                                 "RETURNING next_number - 1 AS number",
                                                 {project})[0]["number"];
    const std::int64_t id = host_.db()
        .run("INSERT INTO registration_visits (project_id, number, customer_id, phone, phone_source, name, gender, returning_customer, receiver_id, "
             "receiver_name, owner_id, owner_name, on_behalf_of, assignment, assignment_reason, counts_turn, questionnaire, custom, "
             "checks, source, companions, status, registered_by, registered_at, day, gave_owner, owner_before, protection_before) "
             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
             {project, number, visit["customer_id"], visit["phone"], visit["phone_source"], visit["name"], visit["gender"],
              visit["returning"].get<bool>() ? 1 : 0, visit["receiver_id"], visit["receiver_name"], visit["owner_id"], visit["owner_name"],
              visit["on_behalf_of"], visit["assignment"], visit["assignment_reason"], visit["counts_turn"].get<bool>() ? 1 : 0,
              visit["questionnaire"].dump(), visit["custom"].dump(), visit["checks"].dump(), visit["source"], visit["companions"],
              visit["status"], visit["registered_by"], visit["registered_at"], day_.of(project, visit["registered_at"]),
              visit.value("gave_owner", false) ? 1 : 0, visit.value("owner_before", nlohmann::json(nullptr)),
              visit.value("protection_before", nlohmann::json(nullptr))})
        .rows.at(0).at("id").get<std::int64_t>();
    host_.db().exec("UPDATE registration_visit_windows SET visit_id = ? WHERE project_id = ? AND customer_id = ? AND visit_id = 0",
                    {id, project, visit["customer_id"]});
    return id;
}

nlohmann::json Register::get(std::int64_t project, std::int64_t id) const {
    auto row = host_.db().one(std::string("SELECT ") + kColumns + " FROM registration_visits WHERE id = ? AND project_id = ?", {id, project});
    if (!row) throw sdk::Error::notFound("visit.not_found", "no such visit: " + std::to_string(id));
    return shape(std::move(*row));
}

nlohmann::json Register::list(std::int64_t project, const Filter& filter) const {
    std::string sql = std::string("SELECT ") + kColumns + " FROM registration_visits WHERE project_id = ?";
    nlohmann::json params = nlohmann::json::array({project});
    auto add = [&](const char* clause, const nlohmann::json& value) {
        sql += clause;
        params.push_back(value);
    };
    if (filter.day) add(" AND day = ?", *filter.day);
    if (filter.status) add(" AND status = ?", *filter.status);
    if (filter.receiver) add(" AND receiver_id = ?", *filter.receiver);
    if (filter.customer) add(" AND customer_id = ?", *filter.customer);
    if (filter.before) add(" AND number < ?", *filter.before);
    sql += " ORDER BY number DESC LIMIT ?";
    params.push_back(std::clamp(filter.limit, 1, 5000));
    nlohmann::json out = nlohmann::json::array();
    for (auto& row : host_.db().query(sql, params)) out.push_back(shape(std::move(row)));
    return out;
}

nlohmann::json Register::recent(std::int64_t project, std::int64_t customer, std::int64_t windowMs) const {
    auto row = host_.db().one(std::string("SELECT ") + kColumns +
                                  " FROM registration_visits WHERE project_id = ? AND customer_id = ? AND status <> 'void' "
                                  "AND registered_at > ? ORDER BY number DESC LIMIT 1",
                              {project, customer, day_.now() - windowMs});
    return row ? shape(std::move(*row)) : nlohmann::json(nullptr);
}

void Register::openWindow(std::int64_t project, std::int64_t customer, std::int64_t windowMs) const {
    const std::int64_t now = day_.now();
    host_.db().exec("INSERT INTO registration_visit_windows (project_id, customer_id, visit_id, open_until) VALUES (?, ?, 0, ?) "
                    "ON CONFLICT (project_id, customer_id) DO UPDATE SET visit_id = 0, open_until = excluded.open_until "
                    "WHERE registration_visit_windows.open_until <= ?",
                    {project, customer, now + windowMs, now});
}

nlohmann::json Register::queued(std::int64_t project) const {
    nlohmann::json out = nlohmann::json::array();
    for (auto& row : host_.db().query(std::string("SELECT ") + kColumns +
                                          " FROM registration_visits WHERE project_id = ? AND status = 'queued' ORDER BY number",
                                      {project}))
        out.push_back(shape(std::move(row)));
    return out;
}

nlohmann::json Register::voidVisit(std::int64_t project, std::int64_t id, const std::string& reason, const Actor& actor) const {
    const auto visit = get(project, id);
    // Conditional: two voids at once, or a void racing a receive, change the visit once.
    if (host_.db().exec("UPDATE registration_visits SET status = 'void', void_reason = ?, voided_by = ?, voided_by_name = ?, voided_at = ? "
                        "WHERE id = ? AND project_id = ? AND status <> 'void'",
                        {reason, actor.id, actor.displayName.empty() ? actor.name : actor.displayName, day_.now(), id, project}) == 0)
        throw alreadyVoid(get(project, id));
    // A voided visit holds no window: the customer may be registered again at once.
    host_.db().exec("UPDATE registration_visit_windows SET open_until = 0 WHERE project_id = ? AND customer_id = ? AND visit_id = ?",
                    {project, visit["customer_id"], id});
    return visit;
}

sdk::Error Register::alreadyVoid(const nlohmann::json& visit) {
    return sdk::Error::conflict("visit.already_void",
                                "visit " + visit["number"].dump() + " was voided by " + str(visit["voided_by_name"]) + ": " + str(visit["void_reason"]));
}

nlohmann::json Register::otherValidVisits(std::int64_t project, std::int64_t customer, std::int64_t except) const {
    nlohmann::json out = nlohmann::json::array();
    for (auto& row : host_.db().query(std::string("SELECT ") + kColumns +
                                          " FROM registration_visits WHERE project_id = ? AND customer_id = ? AND id <> ? AND status <> 'void' "
                                          "ORDER BY registered_at",
                                      {project, customer, except}))
        out.push_back(shape(std::move(row)));
    return out;
}

void Register::ownerGiven(std::int64_t project, std::int64_t id, const nlohmann::json& ownerBefore, const nlohmann::json& protectionBefore) const {
    host_.db().exec("UPDATE registration_visits SET gave_owner = 1, owner_before = ?, protection_before = ? WHERE id = ? AND project_id = ?",
                    {ownerBefore, protectionBefore, id, project});
}

std::map<std::int64_t, nlohmann::json> Register::receiving(std::int64_t project, std::int64_t since) const {
    std::map<std::int64_t, nlohmann::json> out;
    // Asked at every registration: the few columns the rotation and the board need, not whole
    // visits (parsing every open visit's questionnaire made each registration cost more as the
    // day went on).
    // The store picks each receiver's latest open visit: one row per consultant comes back.
    for (auto& row : host_.db().query("SELECT v.id, v.number, v.name, v.status, v.receiver_id, v.registered_at, v.received_at "
                                      "FROM registration_visits v JOIN (SELECT receiver_id, MAX(id) AS id FROM registration_visits "
                                      "WHERE project_id = ? AND status IN ('waiting', 'received') AND finished_at IS NULL "
                                      "AND receiver_id IS NOT NULL AND COALESCE(received_at, registered_at) > ? GROUP BY receiver_id) latest "
                                      "ON latest.id = v.id ORDER BY v.registered_at",
                                      {project, since})) {
        const auto receiver = row["receiver_id"].get<std::int64_t>();
        out[receiver] = std::move(row);
    }
    return out;
}

nlohmann::json Register::finish(std::int64_t project, std::int64_t id, std::int64_t userId, bool onBehalf) const {
    host_.db().transaction([&] {
        const auto visit = get(project, id);
        if (!onBehalf && visit["receiver_id"] != userId)
            throw sdk::Error::forbidden("visit.not_yours", "this visitor is for " + str(visit["receiver_name"]));
        if (visit["status"] != "received" && visit["status"] != "waiting")
            throw sdk::Error::conflict("visit.not_receiving", "only a visitor being received can be seen off; this one is " + str(visit["status"]));
        if (!visit["finished_at"].is_null()) return; // seen off already: the same answer again
        // Seeing off a visitor nobody marked as received means they were received. Conditional:
        // a void at the same moment stays a void.
        host_.db().exec("UPDATE registration_visits SET status = 'received', received_at = COALESCE(received_at, ?), finished_at = ? "
                        "WHERE id = ? AND status IN ('waiting', 'received') AND finished_at IS NULL",
                        {day_.now(), day_.now(), id});
    });
    return get(project, id);
}

nlohmann::json Register::coveredFor(std::int64_t project, std::int64_t owner) const {
    nlohmann::json out = nlohmann::json::array();
    for (auto& row : host_.db().query(std::string("SELECT ") + kColumns +
                                          " FROM registration_visits WHERE project_id = ? AND on_behalf_of = ? AND covered_seen_at IS NULL "
                                          "AND status <> 'void' ORDER BY number DESC LIMIT 200",
                                      {project, owner}))
        out.push_back(shape(std::move(row)));
    return out;
}

nlohmann::json Register::seeCovered(std::int64_t project, std::int64_t id, std::int64_t owner) const {
    const auto visit = get(project, id);
    if (visit["on_behalf_of"] != owner) throw sdk::Error::notFound("visit.not_found", "no visit of your customers covered by a colleague");
    host_.db().exec("UPDATE registration_visits SET covered_seen_at = ? WHERE id = ? AND covered_seen_at IS NULL", {day_.now(), id});
    return get(project, id);
}

nlohmann::json Register::receive(std::int64_t project, std::int64_t id, std::int64_t userId, bool onBehalf) const {
    host_.db().transaction([&] {
        const auto visit = get(project, id);
        if (visit["status"] != "waiting")
            throw sdk::Error::conflict("visit.not_waiting", "only a waiting visitor can be received; this one is " + visit["status"].get<std::string>());
        if (!onBehalf && visit["receiver_id"] != userId)
            throw sdk::Error::forbidden("visit.not_yours", "this visitor is for " + str(visit["receiver_name"]));
        host_.db().exec("UPDATE registration_visits SET status = 'received', received_at = ? WHERE id = ?", {day_.now(), id});
    });
    return get(project, id);
}

nlohmann::json Register::assign(std::int64_t project, std::int64_t id, std::int64_t consultant, const std::string& name,
                                const std::string& method, const std::string& reason, bool countsTurn,
                                std::initializer_list<const char*> from) const {
    bool moved = false;
    host_.db().transaction([&] {
        const auto visit = get(project, id);
        if (std::none_of(from.begin(), from.end(), [&](const char* status) { return visit["status"] == status; })) return;
        moved = true;
        // An owner the visit already has stays; only an unowned visitor gets this consultant as owner.
        const bool setOwner = visit["owner_id"].is_null();
        host_.db().exec("UPDATE registration_visits SET receiver_id = ?, receiver_name = ?, status = 'waiting', assignment = ?, "
                        "assignment_reason = ?, counts_turn = ?, owner_id = CASE WHEN ? = 1 THEN ? ELSE owner_id END, "
                        "owner_name = CASE WHEN ? = 1 THEN ? ELSE owner_name END WHERE id = ?",
                        {consultant, name, method, reason, countsTurn ? 1 : 0, setOwner ? 1 : 0, consultant, setOwner ? 1 : 0, name, id});
    });
    return moved ? get(project, id) : nlohmann::json(nullptr);
}

std::string Register::csv(std::int64_t project, const nlohmann::json& visits, bool english) const {
    std::string out = "\xEF\xBB\xBF"; // Excel reads UTF-8 only with a BOM
    out += english ? "number,day,registered_at,name,phone,returning,receiver,owner,assignment,reason,layout,budget,heard_from,status,void_reason\r\n"
                   : "编号,日期,登记时间,称呼,手机号,老客户,接待顾问,归属顾问,分配方式,说明,意向户型,预算,了解渠道,状态,作废原因\r\n";
    for (const auto& v : visits) {
        const auto& q = v["questionnaire"];
        const std::vector<std::string> fields = {
            str(v["number"]), str(v["day"]), day_.timeOf(project, v["registered_at"]), str(v["name"]), str(v["phone"]),
            v["returning"].get<bool>() ? (english ? "yes" : "是") : (english ? "no" : "否"), str(v["receiver_name"]),
            str(v["owner_name"]), label(v["assignment"], english), str(v["assignment_reason"]), str(q.value("layout", nlohmann::json())),
            str(q.value("budget", nlohmann::json())), str(q.value("heard_from", nlohmann::json())), label(v["status"], english), str(v["void_reason"])};
        for (std::size_t i = 0; i < fields.size(); ++i) out += (i ? "," : "") + csvField(fields[i]);
        out += "\r\n";
    }
    return out;
}

nlohmann::json Register::onBoard(const nlohmann::json& visit) {
    return {{"id", visit["id"]}, {"number", visit["number"]}, {"name", visit["name"]}, {"phone", sdk::Phone::masked(visit["phone"].get<std::string>())},
            {"returning", visit["returning"]}, {"receiver_id", visit["receiver_id"]}, {"receiver_name", visit["receiver_name"]},
            {"assignment", visit["assignment"]}, {"status", visit["status"]}, {"registered_at", visit["registered_at"]},
            {"received_at", visit["received_at"]}, {"waiting_seconds", visit["waiting_seconds"]}};
}

} // namespace anchang::registration
