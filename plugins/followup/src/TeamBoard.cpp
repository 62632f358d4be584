#include "TeamBoard.h"

#include <algorithm>
#include <map>
#include <vector>

namespace anchang::followup {

namespace {

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

} // namespace

nlohmann::json TeamBoard::get(std::int64_t project) const {
    const std::int64_t now = host_.now();
    const auto roster = host_.request("core.roster.get", nlohmann::json::object(), project);
    const auto owned = host_.request("core.customers.owned", nlohmann::json::object(), project)["owned"];
    // Each figure in one grouped query over the project, not one per consultant.
    std::map<std::int64_t, nlohmann::json> by;
    auto count = [&](const std::string& sql, const nlohmann::json& params, const char* key) {
        for (const auto& row : host_.db().query(sql, params)) by[row["consultant_id"].get<std::int64_t>()][key] = row["n"];
    };
    count("SELECT consultant_id, COUNT(*) AS n FROM followup_tasks WHERE project_id = ? AND status = 'open' GROUP BY consultant_id", {project}, "open_tasks");
    count("SELECT consultant_id, COUNT(*) AS n FROM followup_tasks WHERE project_id = ? AND status = 'open' AND due_at < ? GROUP BY consultant_id",
          {project, now}, "overdue_tasks");
    count("SELECT consultant_id, COUNT(*) AS n FROM followup_records WHERE project_id = ? AND created_at >= ? GROUP BY consultant_id",
          {project, now - 7 * kDayMs}, "followups_7d");
    count("SELECT consultant_id, COUNT(*) AS n FROM followup_records WHERE project_id = ? AND created_at >= ? GROUP BY consultant_id",
          {project, now - 30 * kDayMs}, "followups_30d");
    for (const auto& row : host_.db().query("SELECT o.owner_id, p.grade, COUNT(*) AS n FROM followup_owners o JOIN followup_profiles p "
                                            "ON p.project_id = o.project_id AND p.customer_id = o.customer_id WHERE o.project_id = ? AND p.grade IS NOT NULL "
                                            "GROUP BY o.owner_id, p.grade",
                                            {project}))
        by[row["owner_id"].get<std::int64_t>()]["grades"][row["grade"].get<std::string>()] = row["n"];
    const auto lapsing = host_.request("core.customers.select", {{"lapsed_before", now + 7 * kDayMs}, {"limit", 1000}}, project)["customers"];
    for (const auto& c : lapsing)
        if (c["protection_until"].get<std::int64_t>() > now) {
            auto& n = by[c["owner_id"].get<std::int64_t>()]["lapsing_7d"];
            n = n.is_number() ? n.get<std::int64_t>() + 1 : 1;
        }

    nlohmann::json consultants = nlohmann::json::array();
    std::vector<double> frequencies;
    for (const auto& c : roster["consultants"]) {
        if (c["status"] == "left") continue;
        const std::int64_t id = c["user_id"];
        auto& f = by[id];
        if (f.is_null()) f = nlohmann::json::object(); // a consultant with nothing counted yet
        const std::int64_t held = owned.value(std::to_string(id), std::int64_t{0});
        nlohmann::json line = {{"user_id", id}, {"name", c["name"]}, {"team", c.value("team", nlohmann::json(nullptr))}, {"held", held}};
        for (const char* key : {"open_tasks", "overdue_tasks", "followups_7d", "followups_30d", "lapsing_7d"}) line[key] = f.value(key, std::int64_t{0});
        line["grades"] = f.value("grades", nlohmann::json::object());
        // Follow-ups per held customer in 30 days: how actively the held customers are worked.
        line["frequency_30d"] = held > 0 ? line["followups_30d"].get<double>() / static_cast<double>(held) : 0.0;
        if (held > 0) frequencies.push_back(line["frequency_30d"]);
        consultants.push_back(std::move(line));
    }
    double median = 0;
    if (!frequencies.empty()) {
        std::sort(frequencies.begin(), frequencies.end());
        median = frequencies[frequencies.size() / 2];
    }
    for (auto& line : consultants) {
        nlohmann::json behind = nlohmann::json::array();
        if (line["overdue_tasks"].get<std::int64_t>() > 0) behind.push_back("overdue_tasks");
        if (line["held"].get<std::int64_t>() > 0 && line["frequency_30d"].get<double>() < median / 2) behind.push_back("low_frequency");
        line["behind"] = behind;
    }
    return {{"at", now}, {"median_frequency_30d", median}, {"consultants", consultants}};
}

} // namespace anchang::followup
