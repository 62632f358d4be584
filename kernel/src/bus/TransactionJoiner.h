#pragma once
/// anchang::TransactionJoiner — how a service joins the store transaction of the plugin that
/// called it, so that one user action commits once across modules.
///
/// A plugin inside a transaction that asks another in-process module's service lends its
/// transaction: the request header carries a token (`tx`), and the service's thread joins the
/// transaction for the call, inside a savepoint of its own — kept when the service answers,
/// rolled back alone when it fails. The caller then commits (or rolls back) everything at
/// once. The store implements this; the bus only carries the token.

#include <memory>
#include <string>

namespace anchang {

class TransactionJoiner {
public:
    /// This thread's part of a lent transaction; leaving it rolls the part back unless kept.
    class Joined {
    public:
        virtual ~Joined() = default;
        virtual void keep() = 0;
    };

    virtual ~TransactionJoiner() = default;
    /// Joins the transaction `token` names for this thread; null when no such loan is open
    /// (the caller gave up), in which case the service must not run.
    virtual std::unique_ptr<Joined> join(const std::string& token) = 0;
};

} // namespace anchang
