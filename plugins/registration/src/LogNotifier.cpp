#include "LogNotifier.h"

namespace anchang::registration {

void LogNotifier::send(std::int64_t project, std::int64_t userId, const std::string& userName, const std::string& text) {
    host_.info("notify project " + std::to_string(project) + " user " + std::to_string(userId) + " (" + userName + "): " + text);
}

} // namespace anchang::registration
