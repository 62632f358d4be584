#include "Dashboards.h"

#include <anchang/sdk/Csv.hpp>

#include <cstdio>
#include <ctime>
#include <map>

namespace anchang::followup {

namespace {

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

/// A time as the office's calendar day, YYYY-MM-DD.
std::string officeDay(std::int64_t ms, int offsetMinutes) {
    const std::time_t seconds = static_cast<std::time_t>(ms / 1000 + offsetMinutes * 60LL);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char out[16];
    std::strftime(out, sizeof out, "%Y-%m-%d", &tm);
    return out;
}

double ratio(double part, double whole) { return whole > 0 ? part / whole : 0.0; }

} // namespace

GradePlan Dashboards::plan(std::int64_t project) const { return GradePlan(3, host_.project(project).value("utc_offset_minutes", 480)); }

std::int64_t Dashboards::count(const std::string& sql, const nlohmann::json& params) const { return host_.db().query(sql, params)[0]["n"]; }

void Dashboards::visited(std::int64_t project, const nlohmann::json& event) const {
    host_.db().exec("INSERT INTO followup_contacts (project_id, customer_id, kind, owner_id, at) VALUES (?, ?, 'visit', ?, ?) ON CONFLICT DO NOTHING",
                    {project, event["customer_id"], event.value("owner_id", nlohmann::json(nullptr)), event["at"]});
}

void Dashboards::subscribed(std::int64_t project, const nlohmann::json& event) const {
    const auto owner = host_.db().one("SELECT owner_id FROM followup_owners WHERE project_id = ? AND customer_id = ?", {project, event["customer_id"]});
    host_.db().exec("INSERT INTO followup_contacts (project_id, customer_id, kind, owner_id, at) VALUES (?, ?, 'deal', ?, ?) ON CONFLICT DO NOTHING",
                    {project, event["customer_id"], owner ? (*owner)["owner_id"] : nlohmann::json(nullptr), host_.now()});
}

nlohmann::json Dashboards::consultant(std::int64_t project, std::int64_t user) const {
    const std::int64_t now = host_.now();
    const auto p = plan(project);
    const std::int64_t week = p.weekStart(now), month = p.monthStart(now), dayEnd = p.dayEnd(now);
    const auto owned = host_.request("core.customers.owned", nlohmann::json::object(), project)["owned"];
    auto period = [&](std::int64_t from) {
        return nlohmann::json{
            {"followups", count("SELECT COUNT(*) AS n FROM followup_records WHERE project_id = ? AND consultant_id = ? AND created_at >= ?", {project, user, from})},
            {"visits", count("SELECT COUNT(*) AS n FROM followup_contacts WHERE project_id = ? AND owner_id = ? AND kind = 'visit' AND at >= ?", {project, user, from})},
            {"deals", count("SELECT COUNT(*) AS n FROM followup_contacts WHERE project_id = ? AND owner_id = ? AND kind = 'deal' AND at >= ?", {project, user, from})}};
    };
    const auto due = host_.db().query("SELECT id, customer_id, kind, due_at FROM followup_tasks WHERE project_id = ? AND consultant_id = ? AND status = 'open' "
                                      "AND due_at <= ? ORDER BY due_at LIMIT 200",
                                      {project, user, dayEnd});
    std::int64_t overdue = 0;
    for (const auto& t : due)
        if (t["due_at"].get<std::int64_t>() < now) ++overdue;
    const auto lapsing = host_.request("core.customers.select", {{"owners", {user}}, {"lapsed_before", now + 7 * kDayMs}, {"limit", 200}}, project)["customers"];
    nlohmann::json soon = nlohmann::json::array();
    for (const auto& c : lapsing)
        if (c["protection_until"].get<std::int64_t>() > now) soon.push_back({{"customer_id", c["id"]}, {"name", c["name"]}, {"protection_until", c["protection_until"]}});
    const std::int64_t held = count("SELECT COUNT(*) AS n FROM followup_owners WHERE project_id = ? AND owner_id = ?", {project, user});
    nlohmann::json grades = nlohmann::json::object();
    for (const auto& g : host_.db().query("SELECT p.grade, COUNT(*) AS n FROM followup_profiles p JOIN followup_owners o ON o.project_id = p.project_id "
                                          "AND o.customer_id = p.customer_id WHERE o.project_id = ? AND o.owner_id = ? AND p.grade IS NOT NULL GROUP BY p.grade",
                                          {project, user}))
        grades[g["grade"].get<std::string>()] = g["n"];
    return {{"at", now},
            {"protected", owned.value(std::to_string(user), std::int64_t{0})},
            {"tasks", {{"due_today", static_cast<std::int64_t>(due.size()) - overdue}, {"overdue", overdue}, {"rows", due}}},
            {"lapsing_7d", soon},
            {"week", period(week)},
            {"month", period(month)},
            {"funnel",
             {{"held", held},
              {"followed_30d", count("SELECT COUNT(DISTINCT customer_id) AS n FROM followup_records WHERE project_id = ? AND consultant_id = ? AND created_at >= ?",
                                     {project, user, now - 30 * kDayMs})},
              {"grades", grades},
              {"deals_month", period(month)["deals"]}}}};
}

nlohmann::json Dashboards::supervisor(std::int64_t project, std::int64_t from, std::int64_t to) const {
    if (from >= to) throw sdk::Error::invalid("followup.invalid", "from must be before to");
    // Per consultant: phone follow-ups ("calls"), invitations and the visits they brought within
    // 7 days, visits and the deals that followed within 30 days. Only columns of the covering
    // index followup_records_time: a quarter of a million rows read no table row (names come
    // from the roster).
    const auto rows = host_.db().query(
        "SELECT r.consultant_id, "
        "SUM(CASE WHEN r.method = 'phone' THEN 1 ELSE 0 END) AS calls, "
        "SUM(CASE WHEN r.template = 'invite' THEN 1 ELSE 0 END) AS invites, "
        "SUM(CASE WHEN r.template = 'invite' AND EXISTS (SELECT 1 FROM followup_contacts v WHERE v.project_id = r.project_id AND v.customer_id = r.customer_id "
        "AND v.kind = 'visit' AND v.at > r.created_at AND v.at <= r.created_at + ?) THEN 1 ELSE 0 END) AS invites_visited "
        "FROM followup_records r WHERE r.project_id = ? AND r.created_at >= ? AND r.created_at < ? GROUP BY r.consultant_id",
        {7 * kDayMs, project, from, to});
    const auto showings = host_.db().query(
        "SELECT v.owner_id AS consultant_id, COUNT(*) AS visits, SUM(CASE WHEN EXISTS (SELECT 1 FROM followup_contacts d WHERE d.project_id = v.project_id "
        "AND d.customer_id = v.customer_id AND d.kind = 'deal' AND d.at >= v.at AND d.at <= v.at + ?) THEN 1 ELSE 0 END) AS converted "
        "FROM followup_contacts v WHERE v.project_id = ? AND v.kind = 'visit' AND v.at >= ? AND v.at < ? AND v.owner_id IS NOT NULL GROUP BY v.owner_id",
        {30 * kDayMs, project, from, to});
    std::map<std::int64_t, nlohmann::json> by;
    for (const auto& r : rows) {
        auto line = r;
        line["invite_to_visit"] = r["invites"].get<double>() > 0 ? r["invites_visited"].get<double>() / r["invites"].get<double>() : 0.0;
        by[r["consultant_id"].get<std::int64_t>()] = std::move(line);
    }
    for (const auto& s : showings) {
        auto& line = by[s["consultant_id"].get<std::int64_t>()];
        if (line.is_null()) line = {{"consultant_id", s["consultant_id"]}, {"calls", 0}, {"invites", 0}, {"invites_visited", 0}, {"invite_to_visit", 0.0}};
        line["visits"] = s["visits"];
        line["visits_converted"] = s["converted"];
        line["showing_conversion"] = s["visits"].get<double>() > 0 ? s["converted"].get<double>() / s["visits"].get<double>() : 0.0;
    }
    nlohmann::json process = nlohmann::json::array();
    for (auto& [id, line] : by) process.push_back(line);
    return {{"from", from}, {"to", to}, {"process", process}};
}

nlohmann::json Dashboards::gradeHistory(std::int64_t project, std::int64_t now) const {
    {
        std::lock_guard lock(ratesMutex_);
        const auto it = rates_.find(project);
        if (it != rates_.end() && now - it->second.at < 3600 * 1000 && now >= it->second.at) return it->second.history;
    }
    nlohmann::json history = nlohmann::json::object();
    for (const std::string grade : {"A", "B", "C"}) {
        // Graded so between 90 and 14 days ago: did a deal follow within 14 days?
        const auto row = host_.db().query(
            "SELECT COUNT(*) AS graded, SUM(CASE WHEN EXISTS (SELECT 1 FROM followup_contacts d WHERE d.project_id = r.project_id AND d.customer_id = r.customer_id "
            "AND d.kind = 'deal' AND d.at >= r.created_at AND d.at <= r.created_at + ?) THEN 1 ELSE 0 END) AS converted FROM followup_records r "
            "WHERE r.project_id = ? AND r.grade_after = ? AND (r.grade_before IS NULL OR r.grade_before <> ?) AND r.created_at >= ? AND r.created_at < ?",
            {14 * kDayMs, project, grade, grade, now - 90 * kDayMs, now - 14 * kDayMs})[0];
        history[grade] = {{"graded", row["graded"]}, {"converted", row["converted"].is_number() ? row["converted"] : nlohmann::json(0)}};
    }
    std::lock_guard lock(ratesMutex_);
    rates_[project] = {now, history};
    return history;
}

nlohmann::json Dashboards::manager(std::int64_t project, std::int64_t from, std::int64_t to) const {
    const auto sources = host_.request("core.customers.stats", {{"from", from}, {"to", to}}, project)["sources"];
    std::int64_t leads = 0, visited = 0, deals = 0;
    for (const auto& s : sources) {
        leads += s["customers"].get<std::int64_t>();
        visited += s["visited"].get<std::int64_t>();
        deals += s["deals"].get<std::int64_t>();
    }
    const std::int64_t now = host_.now();
    nlohmann::json grades = nlohmann::json::object(), forecast = nlohmann::json::array();
    double expected = 0;
    const auto history = gradeHistory(project, now);
    for (const std::string grade : {"A", "B", "C"}) {
        const std::int64_t holding = count("SELECT COUNT(*) AS n FROM followup_profiles p JOIN followup_owners o ON o.project_id = p.project_id "
                                           "AND o.customer_id = p.customer_id WHERE p.project_id = ? AND p.grade = ? AND NOT EXISTS (SELECT 1 FROM followup_contacts d "
                                           "WHERE d.project_id = p.project_id AND d.customer_id = p.customer_id AND d.kind = 'deal')",
                                           {project, grade});
        grades[grade] = holding;
        const auto& past = history[grade];
        const double graded = past["graded"].get<double>(), converted = past["converted"].get<double>();
        const double rate = graded > 0 ? converted / graded : 0.0;
        expected += rate * static_cast<double>(holding);
        forecast.push_back({{"grade", grade}, {"holding", holding}, {"graded_90d", graded}, {"converted_14d", converted}, {"rate", rate},
                            {"expected", rate * static_cast<double>(holding)}});
    }
    // The rows behind the forecast: the A customers held now, most recently followed first.
    const auto likely = host_.db().query("SELECT p.customer_id, o.owner_id, (SELECT MAX(created_at) FROM followup_records r WHERE r.project_id = p.project_id "
                                         "AND r.customer_id = p.customer_id) AS last_followup FROM followup_profiles p JOIN followup_owners o "
                                         "ON o.project_id = p.project_id AND o.customer_id = p.customer_id WHERE p.project_id = ? AND p.grade = 'A' "
                                         "ORDER BY last_followup DESC LIMIT 50",
                                         {project});
    return {{"from", from},
            {"to", to},
            {"funnel", {{"leads", leads}, {"visited", visited}, {"deals", deals}}},
            {"sources", sources},
            {"grades", grades},
            {"forecast",
             {{"horizon_days", 14},
              {"expected_deals", expected},
              {"by_grade", forecast},
              {"likely", likely},
              {"method",
               {{"zh-CN", "按等级估算：过去 90 天内被评为该等级的客户中，14 天内认购的比例（只计 14 天前评级的），乘以当前持有该等级、尚未认购的客户数，各等级相加。"},
                {"en", "By grade: of the customers given each grade in the last 90 days (graded at least 14 days ago), the share who subscribed within 14 days, "
                       "times the customers holding that grade now without a deal; summed over the grades."}}}}}};
}

std::string Dashboards::managerCsv(const nlohmann::json& figures, bool english) const {
    std::string out(sdk::Csv::kExcelBom);
    out += english ? "source,customers,visited,deals\r\n" : "来源,新增客户,到访,成交\r\n";
    for (const auto& s : figures["sources"]) {
        const std::string name = s.contains("name") ? s["name"].value(english ? "en" : "zh-CN", s["source"].get<std::string>()) : s["source"].get<std::string>();
        out += sdk::Csv::field(name) + "," + s["customers"].dump() + "," + s["visited"].dump() + "," + s["deals"].dump() + "\r\n";
    }
    const auto& f = figures["funnel"];
    out += (english ? "total," : "合计,") + f["leads"].dump() + "," + f["visited"].dump() + "," + f["deals"].dump() + "\r\n\r\n";
    out += english ? "grade,holding,rate_14d,expected_deals\r\n" : "等级,当前客户,14天成交率,预计成交\r\n";
    char number[32];
    for (const auto& g : figures["forecast"]["by_grade"]) {
        std::snprintf(number, sizeof number, "%.1f%%,%.2f", g["rate"].get<double>() * 100, g["expected"].get<double>());
        out += g["grade"].get<std::string>() + "," + g["holding"].dump() + "," + number + "\r\n";
    }
    return out;
}

nlohmann::json Dashboards::managerWorkbook(std::int64_t project, const nlohmann::json& figures, bool english) const {
    const char* lang = english ? "en" : "zh-CN";
    const int offset = host_.project(project).value("utc_offset_minutes", 480);
    nlohmann::json sources = nlohmann::json::array();
    for (const auto& s : figures["sources"]) {
        const double customers = s["customers"], visited = s["visited"], deals = s["deals"];
        sources.push_back({{"source", s.contains("name") ? s["name"].value(lang, s["source"].get<std::string>()) : s["source"].get<std::string>()},
                           {"customers", s["customers"]}, {"visited", s["visited"]}, {"visit_rate", ratio(visited, customers)},
                           {"deals", s["deals"]}, {"deal_rate", ratio(deals, customers)}});
    }
    const auto& f = figures["funnel"];
    sources.push_back({{"source", english ? "Total" : "合计"}, {"customers", f["leads"]}, {"visited", f["visited"]},
                       {"visit_rate", ratio(f["visited"].get<double>(), f["leads"].get<double>())}, {"deals", f["deals"]},
                       {"deal_rate", ratio(f["deals"].get<double>(), f["leads"].get<double>())}});

    const auto& forecast = figures["forecast"];
    nlohmann::json grades = forecast["by_grade"];
    grades.push_back({{"grade", english ? "Expected deals in 14 days" : "14 天预计成交"}, {"expected", forecast["expected_deals"]}});
    grades.push_back({{"grade", english ? "Method" : "方法"}, {"method", forecast["method"].value(lang, std::string{})}});

    std::map<std::int64_t, std::string> owners;
    const auto roster = host_.request("core.roster.get", nlohmann::json::object(), project);
    for (const auto& c : roster["consultants"]) owners[c["user_id"]] = c["name"];
    nlohmann::json likely = nlohmann::json::array();
    for (const auto& l : forecast["likely"]) {
        // At most 50 rows: one look-up each is cheaper than teaching core a batch for an export.
        const auto customer = host_.request("core.customer.get", {{"customer_id", l["customer_id"]}}, project);
        const auto owner = l["owner_id"].is_number() ? owners.find(l["owner_id"].get<std::int64_t>()) : owners.end();
        likely.push_back({{"customer", customer.value("name", std::string{})},
                          {"owner", owner == owners.end() ? std::string{} : owner->second},
                          {"last_followup", l["last_followup"].is_number() ? officeDay(l["last_followup"], offset) : std::string{}}});
    }

    const std::string period = officeDay(figures["from"], offset) + "~" + officeDay(figures["to"].get<std::int64_t>() - 1, offset);
    const nlohmann::json sheets = nlohmann::json::array(
        {{{"sheet", english ? "Funnel by source" : "漏斗与来源"},
          {"columns",
           {{{"key", "source"}, {"title", english ? "Source" : "来源"}, {"width", 18}},
            {{"key", "customers"}, {"title", english ? "New customers" : "新增客户"}},
            {{"key", "visited"}, {"title", english ? "Visited" : "到访"}},
            {{"key", "visit_rate"}, {"title", english ? "Visit rate" : "到访率"}},
            {{"key", "deals"}, {"title", english ? "Deals" : "成交"}},
            {{"key", "deal_rate"}, {"title", english ? "Deal rate" : "成交率"}}}},
          {"rows", std::move(sources)}},
         {{"sheet", english ? "Forecast" : "成交预测"},
          {"columns",
           {{{"key", "grade"}, {"title", english ? "Grade" : "等级"}, {"width", 22}},
            {{"key", "holding"}, {"title", english ? "Held now" : "当前客户"}},
            {{"key", "graded_90d"}, {"title", english ? "Graded in 90 days" : "90天内评级"}},
            {{"key", "converted_14d"}, {"title", english ? "Deal within 14 days" : "14天内成交"}},
            {{"key", "rate"}, {"title", english ? "Rate" : "成交率"}},
            {{"key", "expected"}, {"title", english ? "Expected deals" : "预计成交"}},
            {{"key", "method"}, {"title", english ? "Method" : "方法"}, {"width", 60}}}},
          {"rows", std::move(grades)}},
         {{"sheet", english ? "A customers" : "A类客户"},
          {"columns",
           {{{"key", "customer"}, {"title", english ? "Customer" : "客户"}},
            {{"key", "owner"}, {"title", english ? "Consultant" : "置业顾问"}},
            {{"key", "last_followup"}, {"title", english ? "Last follow-up" : "最近跟进"}}}},
          {"rows", std::move(likely)}}});
    return host_.request("kernel.table.write",
                         {{"kind", "export"}, {"name", (english ? "site-dashboard-" : "经营看板-") + period + ".xlsx"}, {"sheets", sheets}}, project,
                         std::chrono::seconds(60));
}

} // namespace anchang::followup
