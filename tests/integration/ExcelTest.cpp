// Excel in and out through a real anchangd and the real core module: a price list (一房一价) and
// customers come in as .xlsx or .csv (GB18030 too, as Excel in China saves it), are previewed
// row by row, and are written all or nothing; the price list and customers go out as .xlsx.
#include "support/DemoProject.h"
#include "support/TempDir.h"
#include "table/XlsxReader.h"
#include "table/XlsxWriter.h"

#include <gtest/gtest.h>
#include <iconv.h>

#include <fstream>
#include <sstream>

using namespace anchang::test;

namespace {

std::string slurp(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

/// An .xlsx made with libxlsxwriter, as Excel would hand it over.
std::string workbook(const std::vector<std::string>& titles, const std::vector<std::vector<nlohmann::json>>& rows) {
    TempDir dir;
    nlohmann::json columns = nlohmann::json::array();
    for (std::size_t i = 0; i < titles.size(); ++i) columns.push_back({{"key", std::to_string(i)}, {"title", titles[i]}});
    nlohmann::json objects = nlohmann::json::array();
    for (const auto& row : rows) {
        nlohmann::json o = nlohmann::json::object();
        for (std::size_t i = 0; i < row.size(); ++i) o[std::to_string(i)] = row[i];
        objects.push_back(o);
    }
    anchang::XlsxWriter::write(dir.file("in.xlsx"), "价目表", columns, objects);
    return slurp(dir.file("in.xlsx"));
}

std::string gb18030(const std::string& utf8) {
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    std::string out(utf8.size() * 2, '\0');
    char* src = const_cast<char*>(utf8.data());
    std::size_t left = utf8.size(), room = out.size();
    char* dst = out.data();
    iconv(cd, &src, &left, &dst, &room);
    iconv_close(cd);
    out.resize(out.size() - room);
    return out;
}

const std::vector<std::string> kPriceTitles = {"楼栋", "楼层", "房号", "户型", "建筑面积（㎡）", "总价（元）"};

class Excel : public DemoProject {
protected:
    /// Uploads a file for an import and answers its id.
    std::string upload(const std::string& bytes, const std::string& name, const std::string& token = "") {
        const auto stored = http(kernel->port(), "POST", "/api/v1/projects/1/media/core/import?name=" + name, bytes, token.empty() ? manager : token);
        EXPECT_EQ(stored.status, 201) << stored.body;
        return stored.json().value("id", "");
    }
    HttpResult import(const std::string& what, const std::string& file, bool commit, const std::string& token = "") {
        return api("POST", "/" + what + "/import", {{"file", file}, {"commit", commit}}, token.empty() ? manager : token);
    }
    std::size_t unitCount() { return api("GET", "/units", nullptr, manager).json()["units"].size(); }
    nlohmann::json unit(const std::string& building, const std::string& number) {
        const auto units = api("GET", "/units", nullptr, manager).json();
        for (const auto& u : units["units"])
            if (u["building"] == building && u["number"] == number) return u;
        return nullptr;
    }
};

} // namespace

TEST_F(Excel, APriceListIsPreviewedRowByRowThenWrittenAllOrNothing) {
    const std::size_t before = unitCount();
    const auto oldPrice = unit("1号楼", "1201")["list_price"].get<std::int64_t>();
    const std::string flawed = upload(workbook(kPriceTitles, {{"1号楼", 12, "1201", "三室两厅两卫", 98.2, 3300000},
                                                              {"9号楼", 3, "301", "两室两厅一卫", 78.6, "245.6万"},
                                                              {"9号楼", 3, "302", "两室两厅一卫", 78.6, "不知道"}}),
                                      "价目表.xlsx");
    const auto preview = import("units", flawed, false);
    ASSERT_EQ(preview.status, 200) << preview.body;
    const auto plan = preview.json()["preview"];
    EXPECT_FALSE(plan["ok"]);
    EXPECT_EQ(plan["summary"]["update"], 1);
    EXPECT_EQ(plan["summary"]["create"], 1);
    ASSERT_EQ(plan["errors"].size(), 1u);
    EXPECT_EQ(plan["errors"][0]["row"], 4);
    EXPECT_EQ(plan["errors"][0]["code"], "import.bad_price");

    // Committing a file with a bad row writes none of it.
    const auto refused = import("units", flawed, true);
    EXPECT_EQ(refused.status, 422);
    EXPECT_EQ(refused.errorCode(), "import.invalid");
    EXPECT_EQ(unitCount(), before);
    EXPECT_EQ(unit("1号楼", "1201")["list_price"], oldPrice);

    const std::string fixed = upload(workbook(kPriceTitles, {{"1号楼", 12, "1201", "三室两厅两卫", 98.2, 3300000},
                                                             {"9号楼", 3, "301", "两室两厅一卫", 78.6, "245.6万"},
                                                             {"9号楼", 3, "302", "两室两厅一卫", 78.6, 2460000}}),
                                     "价目表.xlsx");
    const auto written = import("units", fixed, true);
    ASSERT_EQ(written.status, 200) << written.body;
    EXPECT_TRUE(written.json()["committed"]);
    EXPECT_EQ(unitCount(), before + 2);
    EXPECT_EQ(unit("1号楼", "1201")["list_price"], 3300000);
    EXPECT_EQ(unit("9号楼", "301")["list_price"], 2456000);
    EXPECT_EQ(unit("9号楼", "301")["status"], "available");
    const auto actions = auditActions();
    EXPECT_NE(std::find(actions.begin(), actions.end(), "units.import"), actions.end());
    // The same file again changes nothing.
    EXPECT_EQ(import("units", fixed, false).json()["preview"]["summary"]["unchanged"], 3);
}

TEST_F(Excel, CustomersComeInFromAGbkCsvWithTheirConsultants) {
    const std::string csv = gb18030("姓名,手机,性别,来源,置业顾问,首访日期\r\n"
                                    "钱先生,13911112222,男,老带新,consultant1,2026-03-08\r\n"
                                    "\"孙, 女士\",13911113333,女,自然来访,,\r\n");
    const std::string file = upload(csv, "客户.csv");
    const auto preview = import("customers", file, false);
    ASSERT_EQ(preview.status, 200) << preview.body;
    const auto plan = preview.json()["preview"];
    ASSERT_TRUE(plan["ok"]) << plan;
    EXPECT_EQ(plan["lines"][1]["name"], "孙, 女士");
    EXPECT_EQ(plan["lines"][0]["phone"], "139****2222");

    ASSERT_EQ(import("customers", file, true).status, 200);
    const auto found = api("GET", "/customers?phone=13911112222", nullptr, manager).json()["customers"];
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0]["owner_id"], userId("consultant1"));
    EXPECT_EQ(found[0]["source"], "referral");
    // Importing the same people again is refused, row by row: an import never merges.
    const auto again = import("customers", upload(csv, "客户.csv"), true);
    EXPECT_EQ(again.status, 422);
    EXPECT_EQ(again.json()["preview"]["errors"].size(), 2u);
}

TEST_F(Excel, ThePriceListAndCustomersGoOutAsWorkbooks) {
    const auto exported = api("POST", "/units/export", nlohmann::json::object(), manager);
    ASSERT_EQ(exported.status, 201) << exported.body;
    EXPECT_EQ(exported.json()["content_type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    const auto bytes = http(kernel->port(), "GET", "/api/v1/projects/1/media/" + exported.json()["id"].get<std::string>(), "", manager);
    ASSERT_EQ(bytes.status, 200);
    TempDir dir;
    std::ofstream(dir.file("out.xlsx"), std::ios::binary) << bytes.body;
    const auto table = anchang::XlsxReader::read(dir.file("out.xlsx"), {});
    EXPECT_EQ(table.sheet, "一房一价");
    ASSERT_EQ(table.rows.size(), unitCount() + 1);
    EXPECT_EQ(table.rows[0][0], "楼栋");
    EXPECT_EQ(table.rows[0][5], "总价（元）");

    // What goes out comes back in unchanged.
    const std::string again = upload(bytes.body, "一房一价.xlsx");
    const auto roundTrip = import("units", again, false).json()["preview"];
    EXPECT_TRUE(roundTrip["ok"]) << roundTrip["errors"];
    EXPECT_EQ(roundTrip["summary"]["unchanged"], unitCount());

    const auto customers = api("POST", "/customers/export", nlohmann::json::object(), manager);
    ASSERT_EQ(customers.status, 201) << customers.body;
    const auto actions = auditActions();
    EXPECT_NE(std::find(actions.begin(), actions.end(), "customers.export"), actions.end());
}

TEST_F(Excel, RefusesTheWrongRoleTheWrongFileAndABrokenWorkbook) {
    const std::string consultant = login(kernel->port(), "consultant1");
    const std::string file = upload(workbook(kPriceTitles, {{"1号楼", 12, "1201", "三室两厅两卫", 98.2, 3300000}}), "p.xlsx");
    EXPECT_EQ(import("units", file, true, consultant).status, 403);
    EXPECT_EQ(api("POST", "/customers/export", nlohmann::json::object(), consultant).status, 403);
    EXPECT_EQ(http(kernel->port(), "POST", "/api/v1/projects/1/media/core/import?name=x.xlsx", "a,b\n1,2\n", consultant).status, 403);
    EXPECT_EQ(import("units", "0123456789abcdef0123456789abcdef", false).status, 404);
    EXPECT_EQ(api("POST", "/units/import", {{"file", 7}}, manager).status, 400);
    EXPECT_EQ(api("POST", "/units/import", {{"file", file}, {"commit", "yes"}}, manager).status, 400);
    // A PDF is no spreadsheet, whatever it is called.
    EXPECT_EQ(http(kernel->port(), "POST", "/api/v1/projects/1/media/core/import?name=p.xlsx", "%PDF-1.4\n%%EOF\n", manager).errorCode(),
              "media.type_refused");
    // A ZIP that is whole but no workbook.
    std::string zip = workbook(kPriceTitles, {});
    const auto at = zip.find("xl/workbook.xml");
    ASSERT_NE(at, std::string::npos);
    for (auto pos = zip.find("xl/workbook.xml"); pos != std::string::npos; pos = zip.find("xl/workbook.xml", pos + 1)) zip[pos + 3] = 'W';
    const auto broken = import("units", upload(zip, "broken.xlsx"), false);
    EXPECT_EQ(broken.status, 422);
    EXPECT_EQ(broken.errorCode(), "table.unreadable");
}
