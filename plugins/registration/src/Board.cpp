#include "Board.h"

#include "Csv.h"

#include <algorithm>
#include <map>

namespace anchang::registration {

nlohmann::json Board::board(std::int64_t project) const {
    Register::Filter filter;
    filter.day = day_.today(project);
    filter.limit = 5000;
    const auto visits = register_.list(project, filter);
    nlohmann::json arrivals = nlohmann::json::array();
    std::map<std::int64_t, int> receivedBy;
    int total = 0, returning = 0, waiting = 0, queued = 0, received = 0;
    std::int64_t waitedSeconds = 0;
    for (const auto& v : visits) {
        arrivals.push_back(Register::onBoard(v));
        if (v["status"] == "void") continue;
        ++total;
        if (v["returning"].get<bool>()) ++returning;
        if (v["status"] == "waiting") ++waiting;
        if (v["status"] == "queued") ++queued;
        if (v["status"] == "received") {
            ++received;
            waitedSeconds += v["waiting_seconds"].get<std::int64_t>();
        }
        if (v["receiver_id"].is_number_integer()) ++receivedBy[v["receiver_id"].get<std::int64_t>()];
    }
    nlohmann::json consultants = nlohmann::json::array();
    const auto roster = host_.request("core.roster.get", nlohmann::json::object(), project);
    const auto receiving = assignment_.receiving(project);
    for (const auto& c : roster["consultants"]) {
        if (c["status"] == "left") continue;
        const auto id = c["user_id"].get<std::int64_t>();
        nlohmann::json now = nullptr;
        if (const auto it = receiving.find(id); it != receiving.end())
            now = {{"number", it->second["number"]}, {"name", it->second["name"]}, {"status", it->second["status"]},
                   {"since", it->second["received_at"].is_null() ? it->second["registered_at"] : it->second["received_at"]}};
        consultants.push_back({{"id", id}, {"name", c["name"]}, {"team", c["team"]}, {"status", c["status"]},
                               {"received_today", receivedBy[id]}, {"busy", !now.is_null()}, {"receiving", now}});
    }
    return {{"day", day_.today(project)},
            {"totals", {{"visits", total}, {"returning", returning}, {"waiting", waiting}, {"queued", queued}, {"received", received}}},
            {"average_wait_seconds", received ? waitedSeconds / received : 0},
            {"arrivals", arrivals},
            {"consultants", consultants}};
}

nlohmann::json Board::mine(std::int64_t project, std::int64_t userId) const {
    Register::Filter filter;
    filter.receiver = userId;
    filter.day = day_.today(project);
    filter.limit = 500;
    nlohmann::json waiting = nlohmann::json::array(), today = nlohmann::json::array();
    for (const auto& v : register_.list(project, filter)) {
        if (v["status"] == "waiting") waiting.push_back(v);
        else today.push_back(v);
    }
    return {{"day", day_.today(project)}, {"waiting", waiting}, {"today", today}, {"covered", register_.coveredFor(project, userId)}};
}

nlohmann::json Board::reports(std::int64_t project, const std::string& from, const std::string& to) const {
    if (!LocalDay::valid(from) || !LocalDay::valid(to) || from > to)
        throw sdk::Error::invalid("report.invalid_range", "from and to must be dates YYYY-MM-DD with from <= to");
    std::map<std::string, nlohmann::json> days;
    const auto rows = host_.db().query("SELECT v.day, v.returning_customer AS \"returning\", v.source, v.receiver_id, v.receiver_name, v.assignment FROM registration_visits v "
                                       "WHERE v.project_id = ? AND v.day >= ? AND v.day <= ? AND v.status <> 'void'",
                                       {project, from, to});
    std::map<std::int64_t, nlohmann::json> consultants;
    int total = 0, returning = 0;
    for (const auto& row : rows) {
        auto& d = days[row["day"].get<std::string>()];
        if (d.is_null()) d = {{"by_source", nlohmann::json::object()}};
        const bool isReturning = row["returning"] == 1;
        const std::string source = row["source"];
        d["visits"] = d.value("visits", 0) + 1;
        d["by_source"][source] = d["by_source"].value(source, 0) + 1;
        d[isReturning ? "returning" : "new"] = d.value(isReturning ? "returning" : "new", 0) + 1;
        ++total;
        if (isReturning) ++returning;
        if (row["receiver_id"].is_number_integer()) {
            auto& c = consultants[row["receiver_id"].get<std::int64_t>()];
            if (c.is_null()) c = nlohmann::json::object();
            c["id"] = row["receiver_id"];
            c["name"] = row["receiver_name"];
            c["received"] = c.value("received", 0) + 1;
            if (!isReturning) c["new_customers"] = c.value("new_customers", 0) + 1;
            if (row["assignment"] == "covering") c["covered"] = c.value("covered", 0) + 1;
        }
    }
    nlohmann::json dayList = nlohmann::json::array();
    for (auto& [day, d] : days) {
        for (const char* key : {"returning", "new"})
            if (!d.contains(key)) d[key] = 0;
        d["day"] = day;
        dayList.push_back(d);
    }
    nlohmann::json consultantList = nlohmann::json::array();
    for (auto& [id, c] : consultants) {
        for (const char* key : {"new_customers", "covered"})
            if (!c.contains(key)) c[key] = 0;
        consultantList.push_back(c);
    }
    // Core names the kinds of source (walk-in, referral, ...): the report groups by
    // them without a list of its own, so a source core adds shows up here unchanged.
    const auto known = host_.call("core.customer.sources", nlohmann::json::object(), project);
    nlohmann::json sources = known.ok() ? known.body["sources"] : nlohmann::json::array();
    for (const auto& d : dayList)
        for (const auto& [code, count] : d["by_source"].items())
            if (std::none_of(sources.begin(), sources.end(), [&](const nlohmann::json& s) { return s["code"] == code; }))
                sources.push_back({{"code", code}, {"name", {{"zh-CN", code}, {"en", code}}}});
    return {{"from", from}, {"to", to}, {"visits", total}, {"returning", returning}, {"sources", sources},
            {"returning_rate", total ? static_cast<double>(returning) / total : 0.0}, {"days", dayList}, {"consultants", consultantList},
            {"calls", host_.db().query("SELECT day, COUNT(*) AS calls FROM registration_calls WHERE project_id = ? AND day >= ? AND day <= ? "
                                       "GROUP BY day ORDER BY day",
                                       {project, from, to})}};
}

std::string Board::reportsCsv(const nlohmann::json& reports, bool english) const {
    std::string out = "\xEF\xBB\xBF";
    out += english ? "day,visits" : "日期,来访";
    for (const auto& source : reports["sources"]) out += "," + csvField(source["name"].value(english ? "en" : "zh-CN", std::string{}));
    out += english ? ",new,returning\r\n" : ",新客户,老客户\r\n";
    for (const auto& d : reports["days"]) {
        out += d["day"].get<std::string>() + "," + d["visits"].dump();
        for (const auto& source : reports["sources"]) out += "," + std::to_string(d["by_source"].value(source["code"].get<std::string>(), 0));
        out += "," + d["new"].dump() + "," + d["returning"].dump() + "\r\n";
    }
    out += english ? "\r\nconsultant,received,new customers,covered for colleagues\r\n" : "\r\n置业顾问,接待,新客户,代接待\r\n";
    for (const auto& c : reports["consultants"])
        out += csvField(c["name"].is_string() ? c["name"].get<std::string>() : "") + "," + c["received"].dump() + "," + c["new_customers"].dump() + "," + c["covered"].dump() + "\r\n";
    return out;
}

} // namespace anchang::registration
