#include "bus/ActingUser.h"

namespace anchang {

namespace {
thread_local std::optional<ActingUser::User> acting;
}

const std::optional<ActingUser::User>& ActingUser::current() { return acting; }

nlohmann::json ActingUser::toJson(const User& user) {
    return {{"id", user.id}, {"username", user.username}, {"display_name", user.displayName}};
}

ActingUser::Scope::Scope(std::optional<User> user) : previous_(std::move(acting)) { acting = std::move(user); }

ActingUser::Scope::~Scope() { acting = std::move(previous_); }

} // namespace anchang
