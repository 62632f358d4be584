#pragma once
/// Workbooks — Excel in and out for core: the price list (一房一价) and customers.
///
/// An import is two calls on one uploaded file (the media kind "import"): a preview that reads
/// it through the kernel (kernel.table.read) and checks every row with PriceListImport or
/// CustomerImport, writing nothing; and a commit that checks again against the data as it is
/// then and writes every row or none, in one transaction, audited. An export writes the rows
/// through the kernel (kernel.table.write, libxlsxwriter) into the media kind "export" and
/// answers its record, which the page downloads.

#include "CustomerBook.h"
#include "ProjectProfile.h"

#include <anchang/sdk/Host.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace anchang::core {

class Workbooks {
public:
    struct Actor {
        std::int64_t id;
        std::string username;
    };
    /// The answer of an import: {"committed", "preview":{...}} and the HTTP status (422 when a
    /// commit was refused for its errors).
    struct Outcome {
        nlohmann::json body;
        int status = 200;
    };

    Workbooks(const sdk::Host& host, const CustomerBook& customers, const ProjectProfile& profile)
        : host_(host), customers_(customers), profile_(profile) {}

    Outcome importUnits(std::int64_t project, const nlohmann::json& request, const Actor& actor) const;
    Outcome importCustomers(std::int64_t project, const nlohmann::json& request, const Actor& actor) const;
    nlohmann::json exportUnits(std::int64_t project, const std::string& lang) const;
    nlohmann::json exportCustomers(std::int64_t project, const std::string& lang, const Actor& actor) const;

private:
    /// The rows of the request's file, which must be this project's core import upload.
    std::vector<std::vector<std::string>> rows(std::int64_t project, const nlohmann::json& request) const;
    nlohmann::json save(std::int64_t project, const std::string& name, const std::string& sheet, const nlohmann::json& columns,
                        const nlohmann::json& rows) const;

    const sdk::Host& host_;
    const CustomerBook& customers_;
    const ProjectProfile& profile_;
};

} // namespace anchang::core
