#pragma once
/// anchang::ActingUser — the user on whose behalf this thread works, stamped by the kernel into
/// every bus message it sends.
///
/// A plugin handling an HTTP request acts for the logged-in user; when it calls core to change a
/// customer's owner, core must learn who did it from the kernel, not from the request body
/// (where any caller could write `"actor_id": 1`). So the kernel sets the acting user while a
/// plugin's route runs, BusClient copies it into the header (`user`), and a plugin's service or
/// event handler runs with the user of the message it handles — the user follows the call chain,
/// and nothing a plugin writes can change it. Messages from out-of-process clients carry none.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace anchang {

class ActingUser {
public:
    struct User {
        std::int64_t id = 0;
        std::string username;
        std::string displayName;
    };

    /// The user this thread acts for, if any.
    static const std::optional<User>& current();
    /// {"id","username","display_name"}, the header's `user`.
    static nlohmann::json toJson(const User& user);

    /// Acts for `user` (or for nobody) until destroyed, then for whoever acted before.
    class Scope {
    public:
        explicit Scope(std::optional<User> user);
        ~Scope();
        Scope(const Scope&) = delete;
        Scope& operator=(const Scope&) = delete;

    private:
        std::optional<User> previous_;
    };
};

} // namespace anchang
