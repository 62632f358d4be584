#include "Analytics.h"

#include <anchang/sdk/Csv.hpp>

#include <cstdio>
#include <ctime>
#include <map>

namespace anchang::channel {

namespace {


/// Counts of one company or agent, with the rates derived from them.
nlohmann::json counted(nlohmann::json row) {
    const double reports = row["reports"].get<double>(), accepted = reports - row["refused"].get<double>();
    row["visit_rate"] = accepted > 0 ? row["visits"].get<double>() / accepted : 0.0;
    row["conversion"] = accepted > 0 ? row["deals"].get<double>() / accepted : 0.0;
    return row;
}

} // namespace

nlohmann::json Analytics::byCompany(std::int64_t project, std::int64_t from, std::int64_t to) const {
    if (from >= to) throw sdk::Error::invalid("channel.invalid", "from must be before to");
    // One pass over the period's reports, grouped by agent; companies add their agents up.
    const auto rows = host_.db().query(
        "SELECT r.company_id, c.name AS company_name, r.agent_id, a.name AS agent_name, COUNT(*) AS reports, "
        "SUM(CASE WHEN r.status = 'rejected' AND (r.reason_code IS NULL OR r.reason_code <> 'collision_lost') THEN 1 ELSE 0 END) AS refused, "
        "SUM(CASE WHEN r.visited_at IS NOT NULL THEN 1 ELSE 0 END) AS visits, "
        "SUM(CASE WHEN r.status = 'subscribed' THEN 1 ELSE 0 END) AS deals, "
        "SUM(CASE WHEN r.reason_code = 'collision_lost' THEN 1 ELSE 0 END) AS collisions_lost "
        "FROM channel_reports r JOIN channel_companies c ON c.id = r.company_id JOIN channel_agents a ON a.id = r.agent_id "
        "WHERE r.project_id = ? AND r.reported_at >= ? AND r.reported_at < ? "
        "GROUP BY r.company_id, c.name, r.agent_id, a.name ORDER BY r.company_id, r.agent_id",
        {project, from, to});
    std::map<std::int64_t, nlohmann::json> companies;
    for (const auto& row : rows) {
        auto& company = companies[row["company_id"].get<std::int64_t>()];
        if (company.is_null())
            company = {{"company_id", row["company_id"]}, {"name", row["company_name"]}, {"reports", 0}, {"refused", 0}, {"visits", 0},
                       {"deals", 0}, {"collisions_lost", 0}, {"agents", nlohmann::json::array()}};
        for (const char* key : {"reports", "refused", "visits", "deals", "collisions_lost"})
            company[key] = company[key].get<std::int64_t>() + row[key].get<std::int64_t>();
        company["agents"].push_back(counted({{"agent_id", row["agent_id"]}, {"name", row["agent_name"]}, {"reports", row["reports"]},
                                             {"refused", row["refused"]}, {"visits", row["visits"]}, {"deals", row["deals"]},
                                             {"collisions_lost", row["collisions_lost"]}}));
    }
    nlohmann::json out = nlohmann::json::array();
    for (auto& [id, company] : companies) out.push_back(counted(std::move(company)));
    return out;
}

std::string Analytics::csv(const nlohmann::json& companies, bool english) const {
    std::string out(sdk::Csv::kExcelBom);
    out += english ? "company,agent,reports,refused,visits,deals,collisions_lost,visit_rate,conversion\r\n"
                   : "渠道,经纪人,报备,未通过,到访,确客,撞单失利,到访率,转化率\r\n";
    auto percent = [](double rate) {
        char text[16];
        std::snprintf(text, sizeof text, "%.1f%%", rate * 100);
        return std::string(text);
    };
    auto line = [&](const std::string& company, const std::string& agent, const nlohmann::json& r) {
        out += sdk::Csv::field(company) + "," + sdk::Csv::field(agent);
        for (const char* key : {"reports", "refused", "visits", "deals", "collisions_lost"}) out += "," + r[key].dump();
        out += "," + percent(r["visit_rate"]) + "," + percent(r["conversion"]) + "\r\n";
    };
    for (const auto& company : companies) {
        line(company["name"], english ? "(all)" : "（合计）", company);
        for (const auto& agent : company["agents"]) line(company["name"], agent["name"], agent);
    }
    return out;
}

nlohmann::json Analytics::statement(std::int64_t project, const std::vector<std::int64_t>& companies, std::int64_t from, std::int64_t to) const {
    if (from >= to) throw sdk::Error::invalid("channel.invalid", "from must be before to");
    nlohmann::json out = nlohmann::json::array();
    for (const auto company : companies)
        for (auto& row : host_.db().query("SELECT r.id, c.name AS company_name, a.name AS agent_name, a.store, r.customer_name, r.phone, r.reported_at, "
                                          "r.visited_at, r.subscribed_at, r.deal_id FROM channel_reports r "
                                          "JOIN channel_companies c ON c.id = r.company_id JOIN channel_agents a ON a.id = r.agent_id "
                                          "WHERE r.project_id = ? AND r.company_id = ? AND r.status = 'subscribed' AND r.subscribed_at >= ? "
                                          "AND r.subscribed_at < ? ORDER BY r.subscribed_at",
                                          {project, company, from, to}))
            out.push_back(std::move(row));
    return out;
}

std::string Analytics::statementCsv(std::int64_t project, const nlohmann::json& rows, bool english) const {
    std::string out(sdk::Csv::kExcelBom);
    out += english ? "report,company,agent,store,customer,phone,reported_at,visited_at,subscribed_at,deal\r\n"
                   : "报备编号,渠道,经纪人,门店,客户,手机号,报备时间,到访时间,认购时间,成交编号\r\n";
    // On the office's clock (the project's UTC offset, +8 by default), as the site's papers are.
    const std::int64_t offsetS = host_.project(project).value("utc_offset_minutes", 480) * std::int64_t{60};
    auto when = [offsetS](const nlohmann::json& ms) {
        if (!ms.is_number()) return std::string();
        const std::time_t seconds = ms.get<std::int64_t>() / 1000 + offsetS;
        std::tm tm{};
        gmtime_r(&seconds, &tm);
        char text[20];
        std::strftime(text, sizeof text, "%Y-%m-%d %H:%M", &tm);
        return std::string(text);
    };
    for (const auto& r : rows)
        out += r["id"].dump() + "," + sdk::Csv::field(r["company_name"].get<std::string>()) + "," + sdk::Csv::field(r["agent_name"].get<std::string>()) + "," +
               sdk::Csv::field(r["store"].is_string() ? r["store"].get<std::string>() : "") + "," + sdk::Csv::field(r["customer_name"].get<std::string>()) + "," +
               sdk::Csv::field(r["phone"].get<std::string>()) + "," + when(r["reported_at"]) + "," + when(r["visited_at"]) + "," + when(r["subscribed_at"]) + "," +
               (r["deal_id"].is_number() ? r["deal_id"].dump() : "") + "\r\n";
    return out;
}

nlohmann::json Analytics::expected(std::int64_t project, std::int64_t from, std::int64_t to) const {
    return host_.db().query("SELECT r.id, r.customer_name, r.phone, r.expected_visit_at, r.notes, c.name AS company_name, a.name AS agent_name, "
                            "a.phone AS agent_phone FROM channel_reports r JOIN channel_companies c ON c.id = r.company_id "
                            "JOIN channel_agents a ON a.id = r.agent_id WHERE r.project_id = ? AND r.status = 'reported' "
                            "AND r.expected_visit_at >= ? AND r.expected_visit_at < ? AND r.code_valid_until > ? ORDER BY r.expected_visit_at LIMIT 500",
                            {project, from, to, host_.now()});
}

} // namespace anchang::channel
