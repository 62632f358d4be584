// The lottery's rules, and the site's draw against scripts/verify-lottery: the two must agree bit
// for bit, or a notary could not check an opening day.
#include "Lottery.h"

#include <anchang/sdk/Error.hpp>

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

using anchang::selection::Lottery;

namespace {

// The golden vector, computed with scripts/verify-lottery --print.
const std::string kSeed = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const std::string kCommitment = "6c86c6aac5fb24bcf5d9939cb7d7d5645ce39418f449e03b262dd4fa14b4b92b";
const std::string kDigits = "38271";
const std::string kList = "priority,group,buyer_no,phone\n"
                          "1,无房户,A-001,138****1234\n"
                          "1,无房户,A-002,1390****567\n"
                          "1,\"本地, 社保\",A-010,137****0001\n"
                          "2,\"一套\"\"改善\"\"\",B-001,136****2222\n"
                          "2,改善,B-002,135****3333\n";
const std::string kResult = "order,priority,group,buyer_no,phone,ticket\n"
                            "1,1,无房户,A-002,1390****567,67845d3746d02442095f8889dc2011c4af850ea1d2ac21cf08c6c57bd87eb39f\n"
                            "2,1,\"本地, 社保\",A-010,137****0001,96769055afd87d301c3a8f891985ca699b6a05bfdb1ed5e74d4de3b6a36f2c6d\n"
                            "3,1,无房户,A-001,138****1234,f4e8f95afa560007cba3e7b92fb6a07595e463381eacbfe8b6c55d2e9b2757f3\n"
                            "4,2,改善,B-002,135****3333,047c0bd97e52f57940ba7d71d2053ac5dbc0c6786ca0db1d37dc0cc7a9e84909\n"
                            "5,2,\"一套\"\"改善\"\"\",B-001,136****2222,05b3a673c81635f38dbc68d5ea7e26fba55a627104c2d3bb35a737b3c441c454\n";

std::vector<Lottery::Entry> goldenEntries() {
    // Shuffled on purpose: listCsv puts them in the published order.
    return {{2, "改善", "B-002", "135****3333"},
            {1, "本地, 社保", "A-010", "137****0001"},
            {1, "无房户", "A-002", "1390****567"},
            {2, "一套\"改善\"", "B-001", "136****2222"},
            {1, "无房户", "A-001", "138****1234"}};
}

void expectInvalid(const std::function<void()>& action, const std::string& what) {
    try {
        action();
        ADD_FAILURE() << what << " was accepted";
    } catch (const anchang::sdk::Error& e) {
        EXPECT_EQ(e.status(), 400) << what;
        EXPECT_EQ(e.code(), "selection.invalid") << what;
    }
}

std::vector<std::string> tickets(const std::vector<Lottery::Drawn>& drawn) {
    std::vector<std::string> out;
    for (const auto& d : drawn) out.push_back(d.entry.buyerNo + ":" + d.ticket);
    return out;
}

std::string withByte(std::string text, const std::string& from, const std::string& to) {
    text.replace(text.find(from), from.size(), to);
    return text;
}

} // namespace

TEST(Lottery, SeedsAndTheirCommitment) {
    EXPECT_EQ(Lottery::commitment(kSeed), kCommitment);
    const std::string seed = Lottery::newSeed();
    EXPECT_EQ(seed.size(), 64u);
    EXPECT_TRUE(std::all_of(seed.begin(), seed.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); })) << seed;
    EXPECT_NE(seed, Lottery::newSeed());
    EXPECT_EQ(Lottery::commitment(seed).size(), 64u);
    for (const std::string& bad : std::vector<std::string>{std::string(), kSeed.substr(1), kSeed + "0", std::string(64, 'A'), std::string(63, '0') + "g", " " + kSeed.substr(1)})
        expectInvalid([&] { Lottery::commitment(bad); }, "seed '" + bad + "'");
}

TEST(Lottery, TheListHasOneCanonicalForm) {
    EXPECT_EQ(Lottery::listCsv(goldenEntries()), kList);

    // Characters, not bytes: forty Chinese characters are a group.
    std::string forty;
    for (int i = 0; i < 40; ++i) forty += "户";
    EXPECT_NO_THROW(Lottery::listCsv({{1, forty, "A1", "138****1234"}}));
    EXPECT_NO_THROW(Lottery::listCsv({{99, "g", std::string(32, '9'), "1380****234"}}));

    expectInvalid([] { Lottery::listCsv({}); }, "an empty list");
    expectInvalid([] { Lottery::listCsv({{1, "g", "A1", "138****1234"}, {2, "g", "A1", "139****1234"}}); }, "a buyer twice, even in two priorities");
    const auto one = [](Lottery::Entry entry) { return [entry] { Lottery::listCsv({entry}); }; };
    for (const std::string& bad : std::vector<std::string>{"", std::string(33, 'A'), "A 1", "A_1", "-A1", "认筹1", "A,1"})
        expectInvalid(one({1, "g", bad, "138****1234"}), "buyer_no '" + bad + "'");
    for (const std::string& bad : std::vector<std::string>{"", forty + "户", "=SUM(A1)", "+1", "-", "@x", "两\n行", "tab\t", std::string("\xC3", 1)})
        expectInvalid(one({1, bad, "A1", "138****1234"}), "group '" + bad + "'");
    for (const std::string& bad : std::vector<std::string>{"", "13800131234", "138***1234", "138*****234", "13****12345", "138****123a", "+86****1234"})
        expectInvalid(one({1, "g", "A1", bad}), "phone '" + bad + "'");
    for (const int bad : {0, 100, -1})
        expectInvalid(one({bad, "g", "A1", "138****1234"}), "priority " + std::to_string(bad));
}

TEST(Lottery, TheGoldenVectorAgreesWithTheVerifier) {
    const auto drawn = Lottery::draw(kSeed, kDigits, kList);
    ASSERT_EQ(drawn.size(), 5u);
    EXPECT_EQ(drawn[0].order, 1);
    EXPECT_EQ(drawn[0].entry.buyerNo, "A-002");
    EXPECT_EQ(drawn[0].ticket, "67845d3746d02442095f8889dc2011c4af850ea1d2ac21cf08c6c57bd87eb39f");
    EXPECT_EQ(drawn[3].entry.buyerNo, "B-002");
    EXPECT_EQ(drawn[4].entry.group, "一套\"改善\"");
    EXPECT_EQ(Lottery::resultCsv(drawn), kResult);
}

TEST(Lottery, TheOrderFollowsSeedDigitsAndEveryByteOfTheList) {
    const auto drawn = tickets(Lottery::draw(kSeed, kDigits, kList));
    EXPECT_EQ(tickets(Lottery::draw(kSeed, kDigits, kList)), drawn);
    EXPECT_NE(tickets(Lottery::draw(std::string(63, '0') + "1", kDigits, kList)), drawn);
    EXPECT_NE(tickets(Lottery::draw(kSeed, "38272", kList)), drawn);
    // Leading zeros are digits the representatives keyed, not a number.
    EXPECT_NE(tickets(Lottery::draw(kSeed, "038271", kList)), drawn);
    // A byte that orders nothing (a phone's last digit) still changes every ticket.
    const auto changed = tickets(Lottery::draw(kSeed, kDigits, withByte(kList, "135****3333", "135****3334")));
    for (std::size_t i = 0; i < drawn.size(); ++i) EXPECT_NE(changed[i], drawn[i]);
}

TEST(Lottery, APriorityChoosesBeforeTheNext) {
    std::vector<Lottery::Entry> entries;
    for (int i = 0; i < 60; ++i) entries.push_back({3 - i % 3, i % 2 ? "无房户" : "改善", "N" + std::to_string(i), "138****" + std::to_string(1000 + i)});
    const auto drawn = Lottery::draw(Lottery::newSeed(), "1", Lottery::listCsv(entries));
    ASSERT_EQ(drawn.size(), 60u);
    for (std::size_t i = 0; i < drawn.size(); ++i) {
        EXPECT_EQ(drawn[i].order, static_cast<int>(i + 1));
        if (i == 0) continue;
        const auto& before = drawn[i - 1];
        EXPECT_LE(before.entry.priority, drawn[i].entry.priority);
        if (before.entry.priority == drawn[i].entry.priority) {
            EXPECT_LT(before.ticket, drawn[i].ticket);
        }
    }
    EXPECT_EQ(drawn[19].entry.priority, 1);
    EXPECT_EQ(drawn[20].entry.priority, 2);
}

TEST(Lottery, TheDrawRefusesWhatWasNotPublished) {
    for (const std::string& bad : std::vector<std::string>{std::string(), kSeed.substr(1), std::string(64, 'F'), kCommitment + " "})
        expectInvalid([&] { Lottery::draw(bad, kDigits, kList); }, "seed '" + bad + "'");
    for (const std::string& bad : std::vector<std::string>{"", std::string(65, '1'), "12a", "１２", " 1", "-1"})
        expectInvalid([&] { Lottery::draw(kSeed, bad, kList); }, "digits '" + bad + "'");
    EXPECT_NO_THROW(Lottery::checkDigits(std::string(64, '0')));

    const std::string header = "priority,group,buyer_no,phone\n";
    for (const std::string& bad : std::vector<std::string>{
             std::string(),
             header,
             "\xEF\xBB\xBF" + kList,
             withByte(kList, "\n", "\r\n"),
             kList.substr(0, kList.size() - 1),
             kList + "\n",
             withByte(kList, "priority,group", "priority, group"),
             withByte(kList, "1,无房户,A-001", "1,\"无房户\",A-001"),
             withByte(kList, "1,无房户,A-001", "01,无房户,A-001"),
             withByte(kList, "A-001,138****1234", "A-001,138****1234,"),
             withByte(kList, "\"本地, 社保\"", "\"本地, 社保"),
             withByte(kList, "\"本地, 社保\"", "\"本地\"x"),
             withByte(kList, "A-010", "A-000"),
             withByte(kList, "A-010", "A-002"),
             withByte(kList, "B-001", "A-001"),
             withByte(kList, "2,改善,B-002", "1,改善,B-002"),
             withByte(kList, "138****1234", "13800131234"),
             withByte(kList, "无房户,A-001", std::string("\xC0\xAF,A-001")),
             withByte(kList, "无房户,A-001", std::string("\xED\xA0\x80,A-001")),
             withByte(kList, "无房户,A-001", std::string("\xF4\x90\x80\x80,A-001")),
         })
        expectInvalid([&] { Lottery::draw(kSeed, kDigits, bad); }, "list\n" + bad);
}

class VerifyLottery : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() / ("anchang-lottery-" + Lottery::newSeed().substr(0, 16));
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    void write(const std::string& name, const std::string& bytes) {
        std::ofstream(dir_ / name, std::ios::binary) << bytes;
    }

    /// Publishes a draw as the site does: the five files the verifier reads.
    void publish(const std::string& seed, const std::string& digits, const std::string& list) {
        write("eligible.csv", list);
        write("commitment.txt", Lottery::commitment(seed) + "\n");
        write("seed.txt", seed + "\n");
        write("digits.txt", digits + "\n");
        write("result.csv", Lottery::resultCsv(Lottery::draw(seed, digits, list)));
    }

    /// The verifier's exit status; its output is kept for the failure message.
    int verify() {
        const auto path = [&](const char* name) { return " '" + (dir_ / name).string() + "'"; };
        const std::string command = "python3 '" ANCHANG_SOURCE_DIR "/scripts/verify-lottery' --list" + path("eligible.csv") + " --commitment" +
                                    path("commitment.txt") + " --seed" + path("seed.txt") + " --digits" + path("digits.txt") + " --result" +
                                    path("result.csv") + " >" + path("verdict.txt") + " 2>&1";
        const int status = std::system(command.c_str());
        std::ostringstream verdict;
        verdict << std::ifstream(dir_ / "verdict.txt").rdbuf();
        verdict_ = verdict.str();
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }

    std::filesystem::path dir_;
    std::string verdict_;
};

TEST_F(VerifyLottery, AgreesWithTheSiteAndFindsEveryChange) {
    publish(kSeed, kDigits, kList);
    ASSERT_EQ(verify(), 0) << verdict_;
    EXPECT_NE(verdict_.find("5 buyers"), std::string::npos) << verdict_;

    write("eligible.csv", withByte(kList, "135****3333", "135****3334"));
    EXPECT_EQ(verify(), 1) << verdict_;
    write("eligible.csv", kList);

    write("seed.txt", std::string(63, '0') + "1\n");
    EXPECT_EQ(verify(), 1) << verdict_;
    EXPECT_NE(verdict_.find("commitment"), std::string::npos) << verdict_;
    write("seed.txt", kSeed + "\n");

    write("digits.txt", "38272\n");
    EXPECT_EQ(verify(), 1) << verdict_;
    write("digits.txt", kDigits + "\n");

    write("eligible.csv", withByte(kList, "\n", "\r\n"));
    EXPECT_EQ(verify(), 2) << verdict_;
    write("eligible.csv", kList);

    ASSERT_EQ(verify(), 0) << verdict_;
}

TEST_F(VerifyLottery, AgreesOnAFreshDrawOfManyBuyers) {
    std::vector<Lottery::Entry> entries;
    for (int i = 0; i < 300; ++i)
        entries.push_back({1 + i % 4, i % 5 ? "无房户" : "本地, \"社保\"", "R" + std::to_string(7 * i % 1000), i % 2 ? "139****" + std::to_string(2000 + i) : "1370****" + std::to_string(100 + i)});
    publish(Lottery::newSeed(), "9081726354", Lottery::listCsv(entries));
    EXPECT_EQ(verify(), 0) << verdict_;
}
