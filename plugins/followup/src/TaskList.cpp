#include "TaskList.h"

#include <algorithm>

namespace anchang::followup {

void TaskList::add(std::int64_t project, std::int64_t customer, std::int64_t consultant, const std::string& kind, const std::string& period,
                   std::int64_t dueAt) const {
    host_.db().exec("INSERT INTO followup_tasks (project_id, customer_id, consultant_id, kind, period, due_at, status, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, 'open', ?) ON CONFLICT (project_id, customer_id, kind, period) DO NOTHING",
                    {project, customer, consultant, kind, period, dueAt, host_.now()});
}

std::int64_t TaskList::answer(std::int64_t project, std::int64_t customer, std::int64_t consultant, std::int64_t record, bool visit) const {
    return host_.db().exec(std::string("UPDATE followup_tasks SET status = 'done', done_at = ?, record_id = ? WHERE project_id = ? AND customer_id = ? "
                                       "AND consultant_id = ? AND status = 'open'") +
                               (visit ? "" : " AND kind <> 'revisit'"),
                           {host_.now(), record, project, customer, consultant});
}

void TaskList::regraded(std::int64_t project, std::int64_t customer) const {
    host_.db().exec("UPDATE followup_tasks SET status = 'cancelled', done_at = ? WHERE project_id = ? AND customer_id = ? AND status = 'open' "
                    "AND kind IN ('revisit', 'weekly', 'monthly')",
                    {host_.now(), project, customer});
}

void TaskList::ownerChanged(std::int64_t project, std::int64_t customer, std::optional<std::int64_t> owner) const {
    if (owner)
        host_.db().exec("UPDATE followup_tasks SET consultant_id = ? WHERE project_id = ? AND customer_id = ? AND status = 'open'",
                        {*owner, project, customer});
    else
        host_.db().exec("UPDATE followup_tasks SET status = 'cancelled', done_at = ? WHERE project_id = ? AND customer_id = ? AND status = 'open'",
                        {host_.now(), project, customer});
}

nlohmann::json TaskList::open(std::int64_t project, std::optional<std::int64_t> consultant, std::optional<std::int64_t> before, int limit) const {
    std::string sql = "SELECT t.id, t.customer_id, t.consultant_id, t.kind, t.period, t.due_at, t.created_at, p.grade FROM followup_tasks t "
                      "LEFT JOIN followup_profiles p ON p.project_id = t.project_id AND p.customer_id = t.customer_id "
                      "WHERE t.project_id = ? AND t.status = 'open'";
    nlohmann::json params = {project};
    if (consultant) {
        sql += " AND t.consultant_id = ?";
        params.push_back(*consultant);
    }
    if (before) {
        sql += " AND t.due_at < ?";
        params.push_back(*before);
    }
    params.push_back(std::clamp(limit, 1, 1000));
    return host_.db().query(sql + " ORDER BY t.due_at, t.id LIMIT ?", params);
}

bool TaskList::owesFollowup(std::int64_t project, std::int64_t customer) const {
    return host_.db()
        .one("SELECT id FROM followup_tasks WHERE project_id = ? AND customer_id = ? AND kind = 'after_contact' AND status = 'open' LIMIT 1",
             {project, customer})
        .has_value();
}

} // namespace anchang::followup
