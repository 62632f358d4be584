#pragma once
/// ImportSheet — a spreadsheet a user brought, as an import rule sees it: the title row matched
/// against the columns the rule knows (in Chinese or English, "总价（元）" as "总价"), the data
/// rows with their sheet row numbers, and the errors found, each with its row, column and words
/// in both languages. Plain data in, plain data out: the rules that use it test in milliseconds.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace anchang::core {

class ImportSheet {
public:
    struct Column {
        std::string key;                  ///< "list_price"
        std::vector<std::string> titles;  ///< {"总价", "表价", "price"}: any of them names it
        bool required = false;
        nlohmann::json label;             ///< {"zh-CN","en"}, for messages
    };

    /// `rows` as kernel.table.read gives them, the first being the titles.
    ImportSheet(const std::vector<std::vector<std::string>>& rows, std::vector<Column> columns);

    /// Data rows that have any text, with their 1-based sheet row number.
    struct Row {
        int number;
        std::map<std::string, std::string> cells; ///< key -> trimmed text
        const std::string& operator[](const std::string& key) const;
    };
    const std::vector<Row>& rows() const { return rows_; }

    void error(int row, const std::string& column, const std::string& code, const std::string& zh, const std::string& en);
    const nlohmann::json& errors() const { return errors_; }
    bool ok() const { return errors_.empty(); }
    const Column* column(const std::string& key) const;

    /// "3,560,000", "356.8万", "3560000.00" -> yuan; nullopt for anything else.
    static std::optional<std::int64_t> yuan(const std::string& text);
    /// "98.2", "98.2㎡", "98.2 m²" -> 98.2.
    static std::optional<double> number(const std::string& text, const std::vector<std::string>& units);

private:
    std::vector<Column> columns_;
    std::vector<Row> rows_;
    nlohmann::json errors_ = nlohmann::json::array();
};

} // namespace anchang::core
