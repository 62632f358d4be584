#pragma once
/// Lottery — the draw (摇号) that orders buyers for choosing units on opening day, in a form
/// anyone can check afterwards with scripts/verify-lottery (LOTTERY.md says how).
///
/// Before the draw the site publishes the eligible list (eligible.csv) and the SHA-256 of a
/// random seed (the commitment): it can no longer pick a seed that suits the list. At the draw
/// the buyers' representatives key in public digits the site cannot foresee, and the seed is
/// revealed. The order is then a pure function of seed, digits and the list's exact bytes:
///
///     key    = hex(SHA-256(seed_hex "|" digits "|" hex(SHA-256(eligible.csv))))
///     ticket = hex(SHA-256(key "|" buyer_no))
///     order  = sorted by (priority, ticket, buyer_no), numbered 1..N
///
/// Every refusal is `sdk::Error::invalid("selection.invalid", …)` (400).

#include <string>
#include <vector>

namespace anchang::selection {

class Lottery {
public:
    /// One eligible buyer (认筹客户) as published.
    struct Entry {
        /// 1..99; every buyer of priority 1 chooses before any of priority 2.
        int priority = 1;
        /// Free text shown to people (e.g. 无房户), 1..40 characters; it does not affect the order.
        std::string group;
        /// The 认筹号: ASCII letters, digits and '-', 1..32, not starting with '-'; unique.
        std::string buyerNo;
        /// Masked, 前三后四 "138****1234" or 前四后三 "1380****234": the list is public.
        std::string phoneMasked;
    };

    struct Drawn {
        /// 1..N over the whole list, the order of choosing.
        int order = 0;
        Entry entry;
        /// hex(SHA-256(key "|" buyer_no)), which orders buyers of one priority.
        std::string ticket;
    };

    /// 32 bytes from the system's CSPRNG as 64 lowercase hex characters.
    static std::string newSeed();
    /// hex(SHA-256(seedHex as ASCII)), published before the draw; 400 unless the seed is 64
    /// lowercase hex characters.
    static std::string commitment(const std::string& seedHex);
    /// The eligible list in its one canonical form (the bytes the draw hashes): UTF-8 without
    /// BOM, LF line ends, header `priority,group,buyer_no,phone`, rows sorted by priority then
    /// buyer_no. 400 on an empty list, a duplicate buyer_no or any field out of its rules.
    static std::string listCsv(std::vector<Entry> entries);
    /// 400 unless `digits` are 1..64 ASCII digits.
    static void checkDigits(const std::string& digits);
    /// The order, from the published list's bytes themselves (so a changed byte changes the
    /// result); 400 unless seed, digits and list are exactly in their published forms.
    static std::vector<Drawn> draw(const std::string& seedHex, const std::string& digits, const std::string& listCsv);
    /// result.csv: header `order,priority,group,buyer_no,phone,ticket`, LF line ends, in order.
    static std::string resultCsv(const std::vector<Drawn>& drawn);
};

} // namespace anchang::selection
