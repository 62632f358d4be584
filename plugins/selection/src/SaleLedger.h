#pragma once
/// SaleLedger — writes a batch of confirmed choices to the store, sixteen at a time.
///
/// A sale is five compare-and-sets: the round still open (its board version one up), the unit
/// still available (→ sold), the buyer and the household below their limits (one up each), and
/// the selection's row. One by one that is five statements and a savepoint per sale, and in the
/// opening's storm the writer's thread spent most of its turn on them while two thousand buyers
/// waited. Here up to sixteen sales (of one round, no unit, buyer or household twice) go as one
/// set: the same compare-and-sets, each one statement for the whole set, in one savepoint. When
/// every row of the set moved, all sixteen hold; when any did not (someone's limit, a unit sold
/// by another kernel on the same PostgreSQL), the savepoint rolls the set back and its sales are
/// written one by one, so each gets exactly the answer it would have got alone. Sales keep their
/// arrival order, board versions included.

#include <anchang/sdk/Host.hpp>

#include <cstdint>
#include <exception>
#include <string>
#include <vector>

namespace anchang::selection {

class SaleLedger {
public:
    /// A buyer's confirmed choice, as the memory let it through; the ledger fills the results.
    struct Sale {
        std::int64_t round = 0;
        std::int64_t buyer = 0;
        int limit = 1;          ///< the buyer's unit limit
        std::string household;
        int householdLimit = 1; ///< the round's
        std::int64_t unit = 0;
        std::int64_t price = 0;
        std::string requestId;
        std::int64_t at = 0;     ///< selected at
        std::int64_t signBy = 0; ///< the subscription's signing deadline
        // What the store made of it: the board version and the selection, or why not.
        std::int64_t version = 0;
        std::int64_t selection = 0;
        std::exception_ptr failure;
        // The desk hands the writer its own kind of sale, owned through this base.
        Sale() = default;
        Sale(const Sale&) = default;
        Sale& operator=(const Sale&) = default;
        virtual ~Sale() = default;
    };

    explicit SaleLedger(const sdk::Host& host) : host_(host) {}

    /// Writes `sales` in the caller's transaction, in their order; each ends with its version and
    /// selection, or with the failure (an sdk::Error such as selection.sold) that rolled it back.
    void write(const std::vector<Sale*>& sales) const;

private:
    /// The set in one savepoint; false, and nothing written, when any of its rows did not move.
    bool writeSet(const std::vector<Sale*>& set) const;
    void writeOne(Sale& sale) const;

    const sdk::Host& host_;
};

} // namespace anchang::selection
