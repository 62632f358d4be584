#include "ProjectProfile.h"

#include "DayMs.h"

#include <anchang/sdk/Json.hpp>

namespace anchang::core {

nlohmann::json ProjectProfile::get(std::int64_t project) const {
    auto row = host_.db().one("SELECT profile, protection_days FROM core_profiles WHERE project_id = ?", {project});
    if (!row) return {{"project_id", project}, {"profile", nlohmann::json::object()}, {"protection_days", defaultProtectionDays_}};
    return {{"project_id", project}, {"profile", sdk::Json::parse((*row)["profile"].get<std::string>())},
            {"protection_days", (*row)["protection_days"]}};
}

int ProjectProfile::protectionDays(std::int64_t project) const { return get(project)["protection_days"].get<int>(); }

nlohmann::json ProjectProfile::set(std::int64_t project, const nlohmann::json& body) const {
    nlohmann::json current = get(project);
    if (body.contains("profile")) {
        if (!body["profile"].is_object()) throw sdk::Error::invalid("profile.invalid", "profile must be an object");
        if (body["profile"].dump().size() > 16384) throw sdk::Error::invalid("profile.invalid", "the profile is too large");
        current["profile"] = body["profile"];
    }
    if (body.contains("protection_days")) {
        if (!body["protection_days"].is_number_integer() || body["protection_days"] < 1 || body["protection_days"] > 365)
            throw sdk::Error::invalid("profile.invalid", "protection_days must be a whole number of days, 1 to 365");
        current["protection_days"] = body["protection_days"];
    }
    host_.db().exec("INSERT INTO core_profiles (project_id, profile, protection_days, updated_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (project_id) DO UPDATE SET profile = excluded.profile, protection_days = excluded.protection_days, "
                    "updated_at = excluded.updated_at",
                    {project, current["profile"].dump(), current["protection_days"], host_.now()});
    return current;
}

} // namespace anchang::core
