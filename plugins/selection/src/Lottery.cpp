#include "Lottery.h"

#include <anchang/sdk/Csv.hpp>
#include <anchang/sdk/Error.hpp>
#include <anchang/sdk/Utf8.hpp>

#include <Poco/SHA2Engine.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string_view>
#include <tuple>

namespace anchang::selection {

namespace {

constexpr std::string_view kListHeader = "priority,group,buyer_no,phone";
constexpr std::string_view kResultHeader = "order,priority,group,buyer_no,phone,ticket";
constexpr std::size_t kSeedBytes = 32;
constexpr std::size_t kMaxGroup = 40;
constexpr std::size_t kMaxBuyerNo = 32;
constexpr std::size_t kMaxDigits = 64;

[[noreturn]] void refuse(const std::string& message) {
    throw sdk::Error::invalid("selection.invalid", message);
}

std::string sha256Hex(std::string_view bytes) {
    Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
    sha.update(bytes.data(), bytes.size());
    return Poco::DigestEngine::digestToHex(sha.digest());
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isAsciiAlnum(char c) { return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

void checkSeed(const std::string& seedHex) {
    const bool hex = std::all_of(seedHex.begin(), seedHex.end(), [](char c) { return isDigit(c) || (c >= 'a' && c <= 'f'); });
    if (seedHex.size() != 2 * kSeedBytes || !hex) refuse("the seed must be 64 lowercase hex characters");
}

/// Characters in `text` if it is a group as published, else 0. Strict UTF-8 exactly as Python
/// decodes it (no overlong forms, no surrogates, nothing past U+10FFFF), so the verifier refuses
/// what the draw refuses; no control characters, so every row stays on one line.
std::size_t groupLength(std::string_view text) {
    std::size_t characters = 0;
    for (std::size_t i = 0; i < text.size(); ++characters) {
        const auto lead = static_cast<unsigned char>(text[i]);
        if (lead < 0x20 || lead == 0x7F) return 0;
        const std::size_t length = sdk::Utf8::sequenceLength(text, i);
        if (length == 0) return 0;
        i += length;
    }
    return characters;
}

bool maskedPhone(std::string_view phone) {
    const auto digits = [&](std::size_t from, std::size_t count) {
        return std::all_of(phone.begin() + from, phone.begin() + from + count, isDigit);
    };
    if (phone.size() != 11) return false;
    const std::size_t head = phone[3] == '*' ? 3 : 4; // 前三后四 or 前四后三
    return digits(0, head) && phone.substr(head, 4) == "****" && digits(head + 4, 7 - head);
}

/// Values that sdk::Csv::field would defuse with a leading ' are refused instead: the published
/// bytes must read back as the same values, or the verifier and the draw would disagree.
void checkEntry(const Lottery::Entry& entry, const std::string& where) {
    if (entry.priority < 1 || entry.priority > 99) refuse(where + ": priority must be 1..99");
    const std::size_t characters = groupLength(entry.group);
    if (characters == 0 || characters > kMaxGroup) refuse(where + ": group must be 1..40 characters of UTF-8 text without control characters");
    if (std::string_view("=+-@").find(entry.group.front()) != std::string_view::npos)
        refuse(where + ": group must not start with = + - @");
    const std::string& no = entry.buyerNo;
    if (no.empty() || no.size() > kMaxBuyerNo || !std::all_of(no.begin(), no.end(), [](char c) { return isAsciiAlnum(c) || c == '-'; }) || no.front() == '-')
        refuse(where + ": buyer_no must be 1..32 ASCII letters, digits or '-', not starting with '-'");
    if (!maskedPhone(entry.phoneMasked)) refuse(where + ": phone must be masked like 138****1234 or 1380****234");
}

std::string listRow(const Lottery::Entry& entry) {
    return std::to_string(entry.priority) + "," + sdk::Csv::field(entry.group) + "," + sdk::Csv::field(entry.buyerNo) + "," +
           sdk::Csv::field(entry.phoneMasked);
}

/// The fields of one line under RFC 4180; quotes only around a whole field, doubled inside.
std::vector<std::string> splitFields(std::string_view line, const std::string& where) {
    std::vector<std::string> fields;
    std::size_t i = 0;
    while (true) {
        std::string field;
        if (i < line.size() && line[i] == '"') {
            for (++i;; ++i) {
                if (i >= line.size()) refuse(where + ": a quoted field is not closed");
                if (line[i] != '"') {
                    field += line[i];
                } else if (i + 1 < line.size() && line[i + 1] == '"') {
                    field += '"';
                    ++i;
                } else {
                    break;
                }
            }
            if (++i < line.size() && line[i] != ',') refuse(where + ": a quoted field must be followed by a comma");
        } else {
            for (; i < line.size() && line[i] != ','; ++i) {
                if (line[i] == '"') refuse(where + ": a quote inside a field that is not quoted");
                field += line[i];
            }
        }
        fields.push_back(std::move(field));
        if (i >= line.size()) return fields;
        ++i;
    }
}

/// The list exactly as listCsv writes it, or 400 naming the first line that is not.
std::vector<Lottery::Entry> parseList(std::string_view csv) {
    if (csv.substr(0, 3) == "\xEF\xBB\xBF") refuse("eligible.csv must not start with a byte-order mark");
    if (csv.find('\r') != std::string_view::npos) refuse("eligible.csv must end its lines with LF, not CRLF");
    if (csv.empty() || csv.back() != '\n') refuse("eligible.csv must end with a line break");
    std::vector<Lottery::Entry> entries;
    std::set<std::string> seen;
    std::size_t number = 1;
    for (std::size_t start = 0; start < csv.size(); ++number) {
        const std::size_t end = csv.find('\n', start);
        const std::string_view line = csv.substr(start, end - start);
        start = end + 1;
        const std::string where = "eligible.csv line " + std::to_string(number);
        if (number == 1) {
            if (line != kListHeader) refuse("eligible.csv must start with the header " + std::string(kListHeader));
            continue;
        }
        const auto fields = splitFields(line, where);
        if (fields.size() != 4) refuse(where + ": expected 4 fields, found " + std::to_string(fields.size()));
        const std::string& priority = fields[0];
        const bool canonical = (priority.size() == 1 || priority.size() == 2) && priority[0] != '0' && std::all_of(priority.begin(), priority.end(), isDigit);
        if (!canonical) refuse(where + ": priority must be 1..99 written without leading zeros");
        Lottery::Entry entry{std::stoi(priority), fields[1], fields[2], fields[3]};
        checkEntry(entry, where);
        if (listRow(entry) != line) refuse(where + ": fields must be quoted only where needed, as listCsv writes them");
        if (!entries.empty() && std::tie(entry.priority, entry.buyerNo) < std::tie(entries.back().priority, entries.back().buyerNo))
            refuse(where + ": rows must be sorted by priority, then buyer_no");
        if (!seen.insert(entry.buyerNo).second) refuse(where + ": buyer_no " + entry.buyerNo + " appears twice");
        entries.push_back(std::move(entry));
    }
    if (entries.empty()) refuse("eligible.csv has no buyers");
    return entries;
}

} // namespace

std::string Lottery::newSeed() {
    // The kernel's own randomness, never a seeded PRNG: a seed someone could reproduce would let
    // them know the order before the draw.
    std::ifstream urandom("/dev/urandom", std::ios::binary);
    char raw[kSeedBytes];
    if (!urandom.read(raw, sizeof raw)) throw std::runtime_error("no randomness for the lottery seed");
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (const char c : raw) {
        const auto byte = static_cast<unsigned char>(c);
        out += hex[byte >> 4];
        out += hex[byte & 15];
    }
    return out;
}

std::string Lottery::commitment(const std::string& seedHex) {
    checkSeed(seedHex);
    return sha256Hex(seedHex);
}

std::string Lottery::listCsv(std::vector<Entry> entries) {
    if (entries.empty()) refuse("the eligible list has no buyers");
    std::set<std::string> seen;
    for (const Entry& entry : entries) {
        checkEntry(entry, "buyer " + entry.buyerNo);
        if (!seen.insert(entry.buyerNo).second) refuse("buyer_no " + entry.buyerNo + " appears twice");
    }
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return std::tie(a.priority, a.buyerNo) < std::tie(b.priority, b.buyerNo); });
    std::string out = std::string(kListHeader) + "\n";
    for (const Entry& entry : entries) out += listRow(entry) + "\n";
    return out;
}

void Lottery::checkDigits(const std::string& digits) {
    if (digits.empty() || digits.size() > kMaxDigits || !std::all_of(digits.begin(), digits.end(), isDigit))
        refuse("the public digits must be 1..64 ASCII digits");
}

std::vector<Lottery::Drawn> Lottery::draw(const std::string& seedHex, const std::string& digits, const std::string& listCsv) {
    checkSeed(seedHex);
    checkDigits(digits);
    const auto entries = parseList(listCsv);
    const std::string key = sha256Hex(seedHex + "|" + digits + "|" + sha256Hex(listCsv));
    std::vector<Drawn> drawn;
    drawn.reserve(entries.size());
    for (const Entry& entry : entries) drawn.push_back({0, entry, sha256Hex(key + "|" + entry.buyerNo)});
    std::sort(drawn.begin(), drawn.end(), [](const Drawn& a, const Drawn& b) {
        return std::tie(a.entry.priority, a.ticket, a.entry.buyerNo) < std::tie(b.entry.priority, b.ticket, b.entry.buyerNo);
    });
    for (std::size_t i = 0; i < drawn.size(); ++i) drawn[i].order = static_cast<int>(i + 1);
    return drawn;
}

std::string Lottery::resultCsv(const std::vector<Drawn>& drawn) {
    std::string out = std::string(kResultHeader) + "\n";
    for (const Drawn& d : drawn) out += std::to_string(d.order) + "," + listRow(d.entry) + "," + d.ticket + "\n";
    return out;
}

} // namespace anchang::selection
