#include "licence/Ed25519.h"
#include "licence/Licence.h"

#include <gtest/gtest.h>

using anchang::Ed25519;
using anchang::Licence;

namespace {

const Ed25519::KeyPair& vendor() {
    static const Ed25519::KeyPair keys = Ed25519::generate();
    return keys;
}

nlohmann::json terms() {
    return {{"id", "L-1"}, {"customer", "滨江置业"}, {"modules", {"registration", "channel"}}, {"projects", 2},
            {"issued_at", "2026-01-01"}, {"expires_at", "2027-06-30"}};
}

} // namespace

TEST(Licence, AValidLicenceCoversItsModules) {
    auto licence = Licence::parse(Licence::issue(terms(), vendor().privatePem), vendor().publicPem, "2026-11-22");
    EXPECT_EQ(licence.state(), Licence::State::Valid);
    EXPECT_TRUE(licence.covers("channel"));
    EXPECT_FALSE(licence.covers("selection"));
    EXPECT_EQ(licence.projects(), 2);
}

TEST(Licence, ReformattingIsFineButEditingIsRefused) {
    auto file = nlohmann::json::parse(Licence::issue(terms(), vendor().privatePem));
    EXPECT_TRUE(Licence::parse(file.dump(8), vendor().publicPem, "2026-11-22").usable());
    file["licence"]["modules"].push_back("selection");
    auto edited = Licence::parse(file.dump(), vendor().publicPem, "2026-11-22");
    EXPECT_EQ(edited.state(), Licence::State::Refused);
    EXPECT_NE(edited.problem().find("signature does not match"), std::string::npos);
    EXPECT_FALSE(edited.covers("registration"));
}

TEST(Licence, AnotherVendorsKeyIsRefused) {
    auto other = Ed25519::generate();
    auto licence = Licence::parse(Licence::issue(terms(), other.privatePem), vendor().publicPem, "2026-11-22");
    EXPECT_EQ(licence.state(), Licence::State::Refused);
}

TEST(Licence, ExpiredKeepsModulesReadable) {
    auto licence = Licence::parse(Licence::issue(terms(), vendor().privatePem), vendor().publicPem, "2027-07-01");
    EXPECT_EQ(licence.state(), Licence::State::Expired);
    EXPECT_TRUE(licence.covers("registration"));
    EXPECT_NE(licence.problem().find("2027-06-30"), std::string::npos);
    // The expiry day itself is still valid.
    EXPECT_EQ(Licence::parse(Licence::issue(terms(), vendor().privatePem), vendor().publicPem, "2027-06-30").state(),
              Licence::State::Valid);
}

TEST(Licence, GarbageIsRefusedNotFatal) {
    for (const char* text : {"", "{", "[]", "{\"licence\":{}}", "{\"licence\":{},\"signature\":7}",
                             "{\"licence\":{},\"signature\":\"!!!\"}"})
        EXPECT_EQ(Licence::parse(text, vendor().publicPem, "2026-11-22").state(), Licence::State::Refused) << text;
    EXPECT_EQ(Licence::load("/nonexistent/licence.json", vendor().publicPem, "2026-11-22").state(), Licence::State::Missing);
    EXPECT_EQ(Licence::parse(Licence::issue(terms(), vendor().privatePem), "not a key", "2026-11-22").state(),
              Licence::State::Refused);
}

TEST(Licence, TheIssuerChecksTerms) {
    auto bad = terms();
    bad["projects"] = 0;
    EXPECT_THROW(Licence::issue(bad, vendor().privatePem), std::invalid_argument);
    bad = terms();
    bad["expires_at"] = "next year";
    EXPECT_THROW(Licence::issue(bad, vendor().privatePem), std::invalid_argument);
}
