#pragma once
/// anchang::sdk::Db — the plugin's access to the kernel's store.
///
/// SQL uses positional `?` parameters and must stay portable to PostgreSQL (docs/store.md).
/// Every call runs on the calling thread's connection; transaction() makes the calls inside
/// it atomic and rethrows whatever the body threw after rolling back.

#include "anchang/abi.h"
#include "anchang/sdk/Json.hpp"
#include "anchang/sdk/Error.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <exception>
#include <initializer_list>
#include <type_traits>
#include <optional>
#include <string>
#include <utility>

namespace anchang::sdk {

class Db {
public:
    /// A new row's id: `INSERT ... RETURNING id`, in rows (no store but SQLite has a "last
    /// insert rowid", so the SDK offers none).
    struct Result {
        nlohmann::json rows = nlohmann::json::array();
        std::int64_t changes = 0;
    };

    explicit Db(const anchang_host* host) : host_(host) {}

    /// Runs one statement. Constraint violations throw Error 409 `store.conflict`; other
    /// failures throw Error 500 `store.failed` (the message is logged, not shown to users).
    Result run(const std::string& sql, const nlohmann::json& params = nlohmann::json::array()) const {
        std::string answer;
        const std::string paramText = params.dump();
        int status = host_->db_query(host_->ctx, sql.c_str(), paramText.c_str(), &append, &answer);
        nlohmann::json parsed = Json::parse(answer);
        if (status != ANCHANG_OK) {
            std::string message = parsed.is_object() ? parsed.value("message", answer) : answer;
            if (status == ANCHANG_E_CONFLICT) throw Error::conflict("store.conflict", message);
            throw Error(500, "store.failed", message);
        }
        Result result;
        result.rows = std::move(parsed["rows"]);
        result.changes = parsed.value("changes", std::int64_t{0});
        return result;
    }

    nlohmann::json query(const std::string& sql, const nlohmann::json& params = nlohmann::json::array()) const {
        return run(sql, params).rows;
    }

    std::optional<nlohmann::json> one(const std::string& sql, const nlohmann::json& params = nlohmann::json::array()) const {
        auto rows = query(sql, params);
        if (rows.empty()) return std::nullopt;
        return std::move(rows[0]);
    }

    std::int64_t exec(const std::string& sql, const nlohmann::json& params = nlohmann::json::array()) const {
        return run(sql, params).changes;
    }

    /// Runs `body` in one write transaction and returns what it returns.
    /// Parameters listed in place: db.exec(sql, {id, name}). A braced list always means "these
    /// parameters", even with a single element (nlohmann::json would otherwise copy it).
    using Params = std::initializer_list<nlohmann::json>;
    Result run(const std::string& sql, Params params) const { return run(sql, array(params)); }
    nlohmann::json query(const std::string& sql, Params params) const { return query(sql, array(params)); }
    std::optional<nlohmann::json> one(const std::string& sql, Params params) const { return one(sql, array(params)); }
    std::int64_t exec(const std::string& sql, Params params) const { return exec(sql, array(params)); }

    template <class F>
    auto transaction(F&& body) const -> decltype(body()) {
        using R = decltype(body());
        struct Frame {
            F* body;
            std::exception_ptr failure;
            std::optional<std::conditional_t<std::is_void_v<R>, bool, R>> value;
        } frame{&body, nullptr, std::nullopt};
        int status = host_->db_transaction(host_->ctx, [](void* user) -> int {
            auto* f = static_cast<Frame*>(user);
            try {
                if constexpr (std::is_void_v<R>) { (*f->body)(); f->value = true; }
                else f->value.emplace((*f->body)());
                return ANCHANG_OK;
            } catch (...) {
                f->failure = std::current_exception();
                return ANCHANG_E_INTERNAL;
            }
        }, &frame);
        if (frame.failure) std::rethrow_exception(frame.failure);
        if (status == ANCHANG_E_CONFLICT) throw Error::conflict("store.conflict", "the transaction conflicted with another write");
        if (status != ANCHANG_OK) throw Error(500, "store.failed", "the transaction could not be committed");
        if constexpr (!std::is_void_v<R>) return std::move(*frame.value);
    }

private:
    static nlohmann::json array(Params params) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& p : params) out.push_back(p);
        return out;
    }

    static void append(void* user, const char* data, std::size_t size) {
        static_cast<std::string*>(user)->append(data, size);
    }

    const anchang_host* host_;
};

} // namespace anchang::sdk
