#include "Workbooks.h"

#include "CustomerImport.h"
#include "DayMs.h"
#include "PriceListImport.h"

#include <anchang/sdk/Error.hpp>

#include <chrono>

namespace anchang::core {

namespace {

/// The commit's answer: 200 with what was written, or 422 with the rows that stopped it.
Workbooks::Outcome refused(nlohmann::json preview) {
    return {{{"error", {{"code", "import.invalid"}, {"message", "the file has rows that cannot be imported; nothing was written"}}},
             {"committed", false},
             {"preview", std::move(preview)}},
            422};
}

bool committing(const nlohmann::json& request) {
    if (request.contains("commit") && !request["commit"].is_boolean()) throw sdk::Error::invalid("import.invalid", "commit must be true or false");
    return request.value("commit", false);
}

std::string day(std::int64_t ms, int offsetMinutes) {
    using namespace std::chrono;
    const year_month_day d{floor<days>(sys_time<milliseconds>(milliseconds(ms + std::int64_t{offsetMinutes} * 60000)))};
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
    return text;
}

} // namespace

std::vector<std::vector<std::string>> Workbooks::rows(std::int64_t project, const nlohmann::json& request) const {
    if (!request.contains("file") || !request["file"].is_string()) throw sdk::Error::invalid("import.invalid", "file must be the id of the uploaded file");
    const auto file = host_.request("kernel.media.get", {{"id", request["file"]}}, project);
    if (file["plugin"] != "core" || file["kind"] != "import")
        throw sdk::Error::invalid("import.invalid", "the file was not uploaded for an import");
    const auto table = host_.request("kernel.table.read", {{"id", request["file"]}, {"max_rows", 20001}}, project, std::chrono::seconds(30));
    if (table.value("truncated", false)) throw sdk::Error::invalid("import.too_many_rows", "an import takes at most 20,000 rows at once");
    return table["rows"].get<std::vector<std::vector<std::string>>>();
}

Workbooks::Outcome Workbooks::importUnits(std::int64_t project, const nlohmann::json& request, const Actor& actor) const {
    const bool commit = committing(request);
    const auto sheet = rows(project, request);
    auto current = [&] {
        PriceListImport::Inventory inventory;
        for (const auto& u : host_.db().query("SELECT u.id, b.name AS building, u.number, u.floor, u.layout, u.area, u.list_price, u.status "
                                              "FROM core_units u JOIN core_buildings b ON b.id = u.building_id WHERE u.project_id = ?",
                                              {project}))
            inventory[{u["building"], u["number"]}] = {u["id"], u["status"], u["floor"], u["layout"], u["area"], u["list_price"]};
        return inventory;
    };
    if (!commit) return {{{"committed", false}, {"preview", PriceListImport::plan(sheet, current()).toJson()}}, 200};

    Outcome outcome;
    host_.db().transaction([&] {
        // Checked again inside the write: the inventory may have moved since the preview.
        const auto plan = PriceListImport::plan(sheet, current());
        if (!plan.ok()) {
            outcome = refused(plan.toJson());
            return;
        }
        std::map<std::string, std::int64_t> buildings;
        for (const auto& b : host_.db().query("SELECT id, name FROM core_buildings WHERE project_id = ?", {project})) buildings[b["name"]] = b["id"];
        for (const auto& line : plan.lines) {
            if (line.action == "unchanged") continue;
            if (!buildings.count(line.building))
                buildings[line.building] = host_.db()
                                               .run("INSERT INTO core_buildings (project_id, name, floors) VALUES (?, ?, ?) RETURNING id",
                                                    {project, line.building, std::max<std::int64_t>(line.unit.floor, 1)})
                                               .rows.at(0)
                                               .at("id");
            const std::int64_t building = buildings[line.building];
            host_.db().exec("UPDATE core_buildings SET floors = ? WHERE id = ? AND floors < ?", {line.unit.floor, building, line.unit.floor});
            if (line.action == "create") {
                host_.db().exec("INSERT INTO core_units (project_id, building_id, floor, number, layout, area, list_price, status) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, 'available')",
                                {project, building, line.unit.floor, line.number, line.unit.layout, line.unit.area, line.unit.listPrice});
            } else if (host_.db().exec("UPDATE core_units SET floor = ?, layout = ?, area = ?, list_price = ?, version = version + 1 "
                                       "WHERE id = ? AND status IN ('available', 'held')",
                                       {line.unit.floor, line.unit.layout, line.unit.area, line.unit.listPrice, line.unit.id}) == 0) {
                throw sdk::Error::conflict("import.unit_sold", line.building + " " + line.number + " was sold meanwhile; nothing was written");
            }
        }
        auto preview = plan.toJson();
        host_.audit({{"actor_id", actor.id}, {"actor_name", actor.username}, {"project_id", project}, {"action", "units.import"},
                     {"target", "media:" + request["file"].get<std::string>()}, {"detail", preview["summary"]}});
        outcome = {{{"committed", true}, {"preview", std::move(preview)}}, 200};
    });
    return outcome;
}

Workbooks::Outcome Workbooks::importCustomers(std::int64_t project, const nlohmann::json& request, const Actor& actor) const {
    const bool commit = committing(request);
    const auto sheet = rows(project, request);
    auto known = [&] {
        CustomerImport::Known k;
        for (const auto& p : host_.db().query("SELECT phone FROM core_persons WHERE project_id = ?", {project})) k.phones.insert(p["phone"]);
        nlohmann::json ids = nlohmann::json::array();
        std::map<std::int64_t, std::string> names;
        for (const auto& c : host_.db().query("SELECT user_id, name FROM core_consultants WHERE project_id = ? AND status <> 'left'", {project})) {
            ids.push_back(c["user_id"]);
            names[c["user_id"]] = c["name"];
        }
        // A name two consultants share names neither: the row says which by username instead.
        std::map<std::string, int> uses;
        for (const auto& [id, name] : names) ++uses[name];
        for (const auto& [id, name] : names)
            if (uses[name] == 1) k.consultants[name] = id;
        if (!ids.empty()) {
            const auto users = host_.request("kernel.users.get", {{"ids", ids}}, project);
            for (const auto& u : users["users"]) k.consultants[u["username"]] = u["id"];
        }
        k.utcOffsetMinutes = host_.project(project).value("utc_offset_minutes", 480);
        return k;
    };
    if (!commit) return {{{"committed", false}, {"preview", CustomerImport::plan(sheet, known()).toJson()}}, 200};

    Outcome outcome;
    host_.db().transaction([&] {
        const auto plan = CustomerImport::plan(sheet, known());
        if (!plan.ok()) {
            outcome = refused(plan.toJson());
            return;
        }
        for (const auto& line : plan.lines) {
            nlohmann::json claim = {{"phone", line.phone}, {"name", line.name}, {"origin", {{"source", line.source}}}};
            if (!line.gender.empty()) claim["gender"] = line.gender;
            if (line.owner) claim["owner_id"] = *line.owner;
            if (line.firstVisitAt) claim["visit_at"] = *line.firstVisitAt;
            // The unique phone index is the last word: a customer registered meanwhile fails the
            // whole import, which then writes nothing.
            if (!customers_.claim(project, claim).created)
                throw sdk::Error::conflict("import.customer_exists", "a row's phone became a customer meanwhile; nothing was written");
        }
        auto preview = plan.toJson();
        host_.audit({{"actor_id", actor.id}, {"actor_name", actor.username}, {"project_id", project}, {"action", "customers.import"},
                     {"target", "media:" + request["file"].get<std::string>()}, {"detail", preview["summary"]}});
        outcome = {{{"committed", true}, {"preview", std::move(preview)}}, 200};
    });
    return outcome;
}

nlohmann::json Workbooks::save(std::int64_t project, const std::string& name, const std::string& sheet, const nlohmann::json& columns,
                               const nlohmann::json& rows) const {
    return host_.request("kernel.table.write", {{"kind", "export"}, {"name", name}, {"sheet", sheet}, {"columns", columns}, {"rows", rows}}, project,
                         std::chrono::seconds(60));
}

nlohmann::json Workbooks::exportUnits(std::int64_t project, const std::string& lang) const {
    const bool en = lang == "en";
    static const std::map<std::string, std::pair<const char*, const char*>> status = {
        {"available", {"可售", "available"}}, {"held", {"保留", "held"}}, {"selected", {"已选", "selected"}},
        {"subscribed", {"已认购", "subscribed"}}, {"signed", {"已签约", "signed"}}};
    nlohmann::json rows = nlohmann::json::array();
    for (auto& u : host_.db().query("SELECT b.name AS building, u.floor, u.number, u.layout, u.area, u.list_price, u.status FROM core_units u "
                                    "JOIN core_buildings b ON b.id = u.building_id WHERE u.project_id = ? ORDER BY b.id, u.floor, u.number",
                                    {project})) {
        const double area = u["area"];
        u["unit_price"] = area > 0 ? std::llround(u["list_price"].get<double>() / area) : 0;
        const auto s = status.find(u["status"]);
        if (s != status.end()) u["status"] = en ? s->second.second : s->second.first;
        rows.push_back(std::move(u));
    }
    const nlohmann::json columns = {{{"key", "building"}, {"title", en ? "Building" : "楼栋"}},
                                    {{"key", "floor"}, {"title", en ? "Floor" : "楼层"}, {"width", 8}},
                                    {{"key", "number"}, {"title", en ? "Unit" : "房号"}, {"width", 10}},
                                    {{"key", "layout"}, {"title", en ? "Layout" : "户型"}, {"width", 18}},
                                    {{"key", "area"}, {"title", en ? "Area (m²)" : "建筑面积（㎡）"}},
                                    {{"key", "list_price"}, {"title", en ? "List price (yuan)" : "总价（元）"}, {"width", 16}},
                                    {{"key", "unit_price"}, {"title", en ? "Per m² (yuan)" : "单价（元/㎡）"}, {"width", 16}},
                                    {{"key", "status"}, {"title", en ? "Status" : "状态"}, {"width", 10}}};
    return save(project, en ? "price-list.xlsx" : "一房一价.xlsx", en ? "Price list" : "一房一价", columns, rows);
}

nlohmann::json Workbooks::exportCustomers(std::int64_t project, const std::string& lang, const Actor& actor) const {
    const bool en = lang == "en";
    const int offset = host_.project(project).value("utc_offset_minutes", 480);
    std::map<std::string, std::string> sources;
    for (const auto& s : CustomerBook::sources()) sources[s["code"]] = s["name"][en ? "en" : "zh-CN"];
    nlohmann::json rows = nlohmann::json::array();
    for (auto& c : host_.db().query("SELECT c.name, p.phone, c.gender, c.source, k.name AS consultant, c.first_visit_at, c.last_visit_at, c.visits, "
                                    "c.protection_until FROM core_customers c JOIN core_persons p ON p.customer_id = c.id AND p.relation = 'self' "
                                    "LEFT JOIN core_consultants k ON k.project_id = c.project_id AND k.user_id = c.owner_id "
                                    "WHERE c.project_id = ? ORDER BY c.id",
                                    {project})) {
        if (c["gender"] == "male") c["gender"] = en ? "male" : "男";
        else if (c["gender"] == "female") c["gender"] = en ? "female" : "女";
        if (sources.count(c["source"])) c["source"] = sources[c["source"]];
        for (const char* at : {"first_visit_at", "last_visit_at", "protection_until"})
            if (c[at].is_number()) c[at] = day(c[at], offset);
        rows.push_back(std::move(c));
    }
    const nlohmann::json columns = {{{"key", "name"}, {"title", en ? "Name" : "姓名"}},
                                    {{"key", "phone"}, {"title", en ? "Phone" : "手机"}},
                                    {{"key", "gender"}, {"title", en ? "Gender" : "性别"}, {"width", 8}},
                                    {{"key", "source"}, {"title", en ? "Source" : "来源"}},
                                    {{"key", "consultant"}, {"title", en ? "Consultant" : "置业顾问"}},
                                    {{"key", "first_visit_at"}, {"title", en ? "First visit" : "首访日期"}},
                                    {{"key", "last_visit_at"}, {"title", en ? "Last visit" : "最近到访"}},
                                    {{"key", "visits"}, {"title", en ? "Visits" : "到访次数"}, {"width", 10}},
                                    {{"key", "protection_until"}, {"title", en ? "Protected until" : "保护期至"}}};
    auto file = save(project, en ? "customers.xlsx" : "客户.xlsx", en ? "Customers" : "客户", columns, rows);
    // Every phone of the project left in one file: who did it is on record.
    host_.audit({{"actor_id", actor.id}, {"actor_name", actor.username}, {"project_id", project}, {"action", "customers.export"},
                 {"target", "media:" + file["id"].get<std::string>()}, {"detail", {{"rows", rows.size()}}}});
    return file;
}

} // namespace anchang::core
