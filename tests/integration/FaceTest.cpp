// Face risk control through the HTTP API of a real anchangd with core, registration, channel and
// face: consent before any photo (and the refusal path that takes none), the desk's check, an
// alert for a channel visitor who had come on their own (and none for someone else), the risk
// officer's ruling holding and then refusing the channel's confirmation, retention on the test
// clock, deletion that leaves no embedding, an entrance camera that only gets frames somebody
// agreed to, hostile images, and the module saying so when no model is installed.
//
// The photos are ../shared/face/images (never committed); the tests that need them skip and say
// so when the folder is absent. The models come from scripts/face-models.
#include "support/DemoProject.h"
#include "support/Eventually.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

using namespace anchang::test;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kDay = 24LL * 3600 * 1000;

fs::path modelsDir() {
    if (const char* env = std::getenv("ANCHANG_MODELS_DIR"); env && *env) return env;
    return KernelProcess::sourceDir() / "var" / "models";
}
fs::path photos() { return KernelProcess::sourceDir() / ".." / "shared" / "face" / "images"; }

std::int64_t nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string encoded(const cv::Mat& image) {
    std::vector<unsigned char> bytes;
    cv::imencode(".jpg", image, bytes);
    return {bytes.begin(), bytes.end()};
}

std::string fileBytes(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// GTEST_SKIP returns from the function it is written in: it must be in the test's own body.
#define SKIP_WITHOUT_PHOTOS() \
    if (const std::string why = missingPhotos(); !why.empty()) GTEST_SKIP() << why

class Face : public DemoProject {
protected:
    void configure(KernelProcess::Options& o) override {
        o.modules = {"registration", "channel", "face"};
        o.settings.push_back("plugins.channel.demo_seed=" + (KernelProcess::sourceDir() / "config/demo/channel.json").string());
        o.settings.push_back("plugins.face.models_dir=" + modelsDir().string());
        o.settings.push_back("plugins.face.photo_retention_days=1");
        o.settings.push_back("plugins.face.embedding_retention_days=3");
        o.settings.push_back("test.clock=true");
    }
    void SetUp() override {
        DemoProject::SetUp();
        risk = login(kernel->port(), "risk");
        admin = login(kernel->port(), "admin");
    }
    /// Why a test that needs the shared photos and the models cannot run, or "".
    static std::string missingPhotos() {
        if (!fs::exists(photos() / "obama_1.jpg")) return "skipped: the shared face photos are absent (" + photos().string() + ")";
        if (!fs::exists(modelsDir() / "dlib_face_recognition_resnet_model_v1.dat"))
            return "skipped: no face models in " + modelsDir().string() + " (scripts/face-models)";
        return {};
    }
    std::int64_t consent(const std::string& phone, const std::string& decision = "accepted", const std::string& camera = "") {
        nlohmann::json body = {{"phone", phone}, {"name", "访客"}, {"decision", decision}, {"notice_version", "2026-12-v2"}};
        if (!camera.empty()) body["camera"] = camera;
        const auto made = api("POST", "/face/consents", body);
        EXPECT_EQ(made.status, 201) << made.body;
        return made.json()["consent"]["id"];
    }
    HttpResult capture(std::int64_t consentId, const std::string& bytes, const std::string& type = "image/jpeg") {
        return http(kernel->port(), "POST", "/api/v1/projects/1/face/captures?consent=" + std::to_string(consentId), bytes, desk, {{"Content-Type", type}});
    }
    /// Consent, photo and the registered visit, as the desk does it; the visit's answer, once face
    /// has taken the visit in (visit.registered arrives after the answer, and only then is the
    /// photo an earlier visit for the next one).
    nlohmann::json visitWithFace(const std::string& phone, const std::string& photo, nlohmann::json extensions = nlohmann::json::object()) {
        const auto id = consent(phone);
        const auto taken = capture(id, fileBytes(photos() / photo));
        EXPECT_EQ(taken.status, 201) << taken.body;
        extensions["face"] = {{"consent_id", id}, {"capture_id", taken.json()["capture"]["id"]}};
        const auto came = visit(phone, "访客", {{"extensions", extensions}});
        awaitVisitTakenIn(phone, taken.json()["capture"]["id"]);
        return came;
    }
    /// Waits until face has filed the registered visit with its photo (the photo's source is set).
    void awaitVisitTakenIn(const std::string& phone, const nlohmann::json& captureId) {
        EXPECT_TRUE(eventually([&] {
            const auto person = api("GET", "/face/people?phone=" + phone, nullptr, risk).json(); // kept: a loop over a temporary's member dangles
            for (const auto& c : person["captures"])
                if (c["id"] == captureId) return c["source"].is_string();
            return false;
        })) << phone << ": the visit never reached face";
    }
    nlohmann::json alerts(const std::string& status = "all") { return api("GET", "/face/alerts?status=" + status, nullptr, risk).json(); }
    void advance(std::int64_t ms) {
        ASSERT_EQ(http(kernel->port(), "POST", "/api/v1/test/clock/advance", nlohmann::json{{"ms", ms}}.dump(), admin).status, 200);
    }
    /// Runs the job now and waits for it; a run the moved clock already started (409) is waited
    /// for, then asked again, so the answer is a run that began after this call.
    void runJob(const std::string& plugin, const std::string& job) {
        for (int attempt = 0; attempt < 50; ++attempt) {
            const auto before = runs(plugin, job).size();
            const auto started = http(kernel->port(), "POST", "/api/v1/jobs/" + plugin + "/" + job + "/run", R"({"project_id":1})", admin);
            if (started.status == 409) {
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
                continue;
            }
            ASSERT_EQ(started.status, 202) << started.body;
            ASSERT_TRUE(eventually([&] {
                const auto now = runs(plugin, job);
                return now.size() > before && now[0]["outcome"] != "running";
            }));
            return;
        }
        FAIL() << plugin << "." << job << " stayed running";
    }
    nlohmann::json runs(const std::string& plugin, const std::string& job) {
        return http(kernel->port(), "GET", "/api/v1/jobs/runs?project_id=1&plugin=" + plugin + "&job=" + job, "", admin).json()["runs"];
    }
    std::string risk, admin;
};

} // namespace

TEST_F(Face, ARefusalTakesNoPhotoAndTheVisitRegistersThroughTheNonFacePath) {
    const auto id = consent("13812340001", "refused");
    const auto refused = capture(id, "not even looked at");
    EXPECT_EQ(refused.status, 409);
    EXPECT_EQ(refused.errorCode(), "face.consent_refused");
    const auto came = visit("13812340001", "访客", {{"extensions", {{"face", {{"consent_id", id}, {"refused", true}, {"id_checked", true}}}}}});
    EXPECT_EQ(came["visit"]["checks"]["face"]["status"], "passed") << came;
    // Said no and the desk did not mark the ID as checked: the desk is warned, not left silent.
    const auto unchecked = visit("13812340004", "访客", {{"extensions", {{"face", {{"consent_id", consent("13812340004", "refused")}, {"refused", true}}}}}});
    EXPECT_EQ(unchecked["visit"]["checks"]["face"]["status"], "warning") << unchecked;
    const auto person = api("GET", "/face/people?phone=13812340001", nullptr, risk).json();
    EXPECT_EQ(person["consents"].size(), 1u);
    EXPECT_EQ(person["consents"][0]["decision"], "refused");
    EXPECT_EQ(person["captures"].size(), 0u);
    EXPECT_EQ(person["embeddings"], 0);
    // A visit without anything from face registers as ever, its check says skipped.
    EXPECT_EQ(visit("13812340002")["visit"]["checks"]["face"]["status"], "skipped");
    // Consent is only ever for the notice being shown.
    EXPECT_EQ(api("POST", "/face/consents", {{"phone", "13812340003"}, {"name", "访客"}, {"decision", "accepted"}, {"notice_version", "2019-v0"}}).errorCode(),
              "face.notice_outdated");
}

TEST_F(Face, AChannelVisitorWhoHadComeOnTheirOwnRaisesAnAlertAndTheRulingDecidesTheChannelsConfirmation) {
    SKIP_WITHOUT_PHOTOS();
    // Obama came on his own under one phone…
    visitWithFace("13812341001", "obama_1.jpg");
    // …and is brought back by a channel under another; Biden, brought by the same channel, came
    // only now.
    const std::string agent = login(kernel->port(), "agent1");
    auto report = [&](const std::string& phone) {
        const auto r = api("POST", "/channel/reports", {{"customer_name", "渠道客户"}, {"phone", phone}, {"expected_visit_at", nowMs() + 3 * 3600 * 1000}}, agent);
        EXPECT_EQ(r.status, 201) << r.body;
        return r.json();
    };
    const auto obamaReport = report("13812341002");
    const auto bidenReport = report("13812341003");
    const auto obama = visitWithFace("13812341002", "obama_2.jpg", {{"channel", {{"code", obamaReport["code"]}}}});
    EXPECT_EQ(obama["visit"]["checks"]["face"]["status"], "warning") << obama["visit"]["checks"];
    const auto biden = visitWithFace("13812341003", "biden_1.jpg", {{"channel", {{"code", bidenReport["code"]}}}});
    EXPECT_EQ(biden["visit"]["checks"]["face"]["status"], "passed") << biden["visit"]["checks"];

    nlohmann::json open;
    ASSERT_TRUE(eventually([&] {
        open = alerts("open");
        return open["alerts"].size() >= 1;
    })) << kernel->log();
    ASSERT_EQ(open["alerts"].size(), 1u) << open; // Biden raised nothing
    const auto alert = open["alerts"][0];
    EXPECT_EQ(alert["rule"], "channel_after_natural");
    EXPECT_LE(alert["distance"].get<double>(), 0.5);
    EXPECT_EQ(alert["earlier"]["phone"], "138****1001");
    EXPECT_EQ(alert["earlier"]["source"], "natural");
    EXPECT_EQ(alert["current"]["source"], "channel");
    EXPECT_EQ(alert["current"]["channel"], "链家·滨江");
    EXPECT_EQ(alert["current"]["visit_number"], obama["visit"]["number"]);
    EXPECT_EQ(alert["earlier"]["photo"], true); // this project keeps photos a day
    const auto photo = http(kernel->port(), "GET", "/api/v1/projects/1/face/captures/" + alert["earlier"]["capture_id"].dump() + "/photo", "", risk);
    EXPECT_EQ(photo.status, 200);
    EXPECT_EQ(photo.body.substr(0, 2), "\xff\xd8"); // a JPEG, re-encoded
    // Only the risk officer (and the manager) see alerts; only the officer rules.
    EXPECT_EQ(api("GET", "/face/alerts", nullptr, desk).status, 403);
    EXPECT_EQ(api("POST", "/face/alerts/" + alert["id"].dump() + "/rule", {{"verdict", "bypass"}, {"note", "x"}}, manager).status, 403);

    // The channel's customer subscribes: the confirmation waits for the ruling.
    const auto units = api("GET", "/units?status=available", nullptr, manager).json()["units"];
    ASSERT_FALSE(units.empty());
    const auto deal = api("POST", "/deals", {{"customer_id", obama["customer"]["id"]}, {"unit_id", units[0]["id"]}, {"amount", 50000}}, manager);
    ASSERT_EQ(deal.status, 201) << deal.body;
    auto reportStatus = [&](const nlohmann::json& r) {
        const auto reports = api("GET", "/channel/reports", nullptr, manager).json();
        for (const auto& row : reports["reports"])
            if (row["id"] == r["id"]) return row;
        return nlohmann::json();
    };
    ASSERT_TRUE(eventually([&] { return reportStatus(obamaReport)["held_since"].is_number(); })) << reportStatus(obamaReport);
    EXPECT_EQ(reportStatus(obamaReport)["status"], "visited");

    // Bad rulings change nothing; the first good one wins, the second is told.
    const std::string rule = "/face/alerts/" + alert["id"].dump() + "/rule";
    EXPECT_EQ(api("POST", rule, {{"verdict", "maybe"}, {"note", "?"}}, risk).status, 400);
    EXPECT_EQ(api("POST", rule, {{"verdict", "bypass"}}, risk).status, 400);
    EXPECT_EQ(api("POST", "/face/alerts/99999/rule", {{"verdict", "bypass"}, {"note", "n"}}, risk).status, 404);
    const auto ruled = api("POST", rule, {{"verdict", "bypass"}, {"note", "同一人，11 月已自然到访"}}, risk);
    ASSERT_EQ(ruled.status, 200) << ruled.body;
    EXPECT_EQ(ruled.json()["status"], "confirmed");
    EXPECT_EQ(ruled.json()["ruling"]["note"], "同一人，11 月已自然到访");
    EXPECT_EQ(api("POST", rule, {{"verdict", "dismissed"}, {"note", "again"}}, risk).errorCode(), "face.alert_ruled");

    // The channel asks again and is refused: no commission for a customer the site already had.
    runJob("channel", "confirmations_recheck");
    EXPECT_EQ(reportStatus(obamaReport)["status"], "rejected");
    EXPECT_EQ(reportStatus(obamaReport)["reason_code"], "confirmation_refused");
    const auto actions = auditActions();
    for (const std::string action : {"face.consent.accepted", "face.capture", "face.alert.raise", "face.photo.read", "face.alert.rule"})
        EXPECT_NE(std::find(actions.begin(), actions.end(), action), actions.end()) << action;
}

TEST_F(Face, ACoBuyerWhoHadComeOnTheirOwnBeforeTheChannelsVisitRaisesAnAlertAtTheSubscription) {
    SKIP_WITHOUT_PHOTOS();
    // Biden came on his own; later a channel brought Obama, a new customer.
    visitWithFace("13812347001", "biden_1.jpg");
    advance(60 * 1000);
    const std::string agent = login(kernel->port(), "agent1");
    const auto report = api("POST", "/channel/reports", {{"customer_name", "渠道客户"}, {"phone", "13812347002"}, {"expected_visit_at", nowMs() + 3 * 3600 * 1000}}, agent);
    ASSERT_EQ(report.status, 201) << report.body;
    const auto obama = visitWithFace("13812347002", "obama_1.jpg", {{"channel", {{"code", report.json()["code"]}}}});
    ASSERT_TRUE(eventually([&] { return api("GET", "/face/people?phone=13812347002", nullptr, risk).json()["captures"][0]["source"] == "channel"; }));
    EXPECT_EQ(alerts("all")["alerts"].size(), 0u);
    // At the subscription Biden is added as co-buyer under a third phone, photographed with consent.
    advance(60 * 1000);
    ASSERT_EQ(capture(consent("13812347003"), fileBytes(photos() / "biden_2.jpg")).status, 201);
    const auto linked = api("POST", "/customers/" + obama["customer"]["id"].dump() + "/persons", {{"phone", "13812347003"}, {"name", "共同购房人"}, {"relation", "parent"}}, manager);
    ASSERT_EQ(linked.status, 201) << linked.body;
    const auto units = api("GET", "/units?status=available", nullptr, manager).json()["units"];
    ASSERT_FALSE(units.empty());
    ASSERT_EQ(api("POST", "/deals", {{"customer_id", obama["customer"]["id"]}, {"unit_id", units[0]["id"]}, {"amount", 50000}}, manager).status, 201);
    nlohmann::json found;
    ASSERT_TRUE(eventually([&] {
        found = alerts("open");
        return found["alerts"].size() == 1;
    })) << found << kernel->log();
    const auto alert = found["alerts"][0];
    EXPECT_EQ(alert["rule"], "cobuyer_earlier_visit");
    EXPECT_EQ(alert["earlier"]["phone"], "138****7001");
    EXPECT_EQ(alert["current"]["phone"], "138****7002"); // the channel's visit, beside the earlier one
    EXPECT_EQ(alert["customer_id"], obama["customer"]["id"]);
}

TEST_F(Face, AProjectThatDoesNotHoldConfirmationsLetsTheChannelConfirmWhileTheAlertWaits) {
    SKIP_WITHOUT_PHOTOS();
    restart({R"(plugins.face.hold_channel_confirmation={"binjiang": false, "default": true})"});
    risk = login(kernel->port(), "risk");
    visitWithFace("13812348001", "obama_1.jpg");
    const auto report = api("POST", "/channel/reports", {{"customer_name", "渠道客户"}, {"phone", "13812348002"}, {"expected_visit_at", nowMs() + 3 * 3600 * 1000}},
                            login(kernel->port(), "agent1"));
    ASSERT_EQ(report.status, 201) << report.body;
    const auto obama = visitWithFace("13812348002", "obama_2.jpg", {{"channel", {{"code", report.json()["code"]}}}});
    ASSERT_TRUE(eventually([&] { return alerts("open")["alerts"].size() == 1; }));
    const auto units = api("GET", "/units?status=available", nullptr, manager).json()["units"];
    ASSERT_FALSE(units.empty());
    ASSERT_EQ(api("POST", "/deals", {{"customer_id", obama["customer"]["id"]}, {"unit_id", units[0]["id"]}, {"amount", 50000}}, manager).status, 201);
    ASSERT_TRUE(eventually([&] {
        const auto reports = api("GET", "/channel/reports", nullptr, manager).json();
        for (const auto& row : reports["reports"])
            if (row["id"] == report.json()["id"]) return row["status"] == "subscribed";
        return false;
    }));
}

TEST_F(Face, PhotosAndEmbeddingsGoWhenTheirRetentionEnds) {
    SKIP_WITHOUT_PHOTOS();
    visitWithFace("13812342001", "biden_2.jpg");
    auto person = [&] { return api("GET", "/face/people?phone=13812342001", nullptr, risk).json(); };
    ASSERT_EQ(person()["captures"].size(), 1u);
    EXPECT_EQ(person()["captures"][0]["photo"], true);
    EXPECT_EQ(person()["embeddings"], 1);
    advance(kDay + 1000);
    runJob("face", "retention_purge");
    EXPECT_EQ(person()["captures"][0]["photo"], false);
    EXPECT_EQ(person()["embeddings"], 1);
    advance(2 * kDay);
    runJob("face", "retention_purge");
    EXPECT_EQ(person()["embeddings"], 0);
}

TEST_F(Face, DeletingAPersonLeavesNoEmbeddingAndTheirFaceMatchesNothingAfterwards) {
    SKIP_WITHOUT_PHOTOS();
    visitWithFace("13812343001", "alex_lacamoire_1.jpg");
    // Two officers exporting at the same moment get two receipts, two numbers.
    HttpResult first, second;
    std::thread other([&] { second = api("POST", "/face/people/export", {{"phone", "13812343001"}}, risk); });
    first = api("POST", "/face/people/export", {{"phone", "13812343001"}}, risk);
    other.join();
    ASSERT_EQ(first.status, 200) << first.body;
    ASSERT_EQ(second.status, 200) << second.body;
    EXPECT_NE(first.json()["receipt"]["id"], second.json()["receipt"]["id"]);
    const auto exported = first;
    ASSERT_EQ(exported.status, 200) << exported.body;
    EXPECT_EQ(exported.json()["data"]["captures"][0]["embeddings"][0]["embedding"].size(), 128u);
    EXPECT_EQ(exported.json()["receipt"]["embeddings"], 1);
    EXPECT_TRUE(exported.json()["data"]["explained"]["zh-CN"].is_string()); // the person's copy says what its fields are
    EXPECT_EQ(api("POST", "/face/people/delete", {{"phone", "13812343001"}}, risk).status, 400); // a reason is required
    EXPECT_EQ(api("POST", "/face/people/delete", {{"phone", "13812343001"}, {"reason", "x"}}, desk).status, 403);
    const auto erased = api("POST", "/face/people/delete", {{"phone", "13812343001"}, {"reason", "本人申请删除"}}, risk);
    ASSERT_EQ(erased.status, 200) << erased.body;
    const auto receipt = erased.json()["receipt"];
    EXPECT_EQ(receipt["embeddings"], 1);
    EXPECT_EQ(receipt["phone"], "138****3001");
    EXPECT_TRUE(receipt["id"].get<std::string>().starts_with("FD-"));
    const auto after = api("GET", "/face/people?phone=13812343001", nullptr, risk).json();
    EXPECT_EQ(after["embeddings"], 0);
    EXPECT_EQ(after["captures"].size(), 0u);
    // The same face under another phone finds nobody: the gallery forgot it too.
    const auto again = capture(consent("13812343002"), fileBytes(photos() / "alex_lacamoire_2.jpg"));
    ASSERT_EQ(again.status, 201) << again.body;
    EXPECT_TRUE(again.json()["faces"][0]["match"].is_null()) << again.body;
    const auto record = api("GET", "/face/record", nullptr, manager).json();
    EXPECT_EQ(record["counts"]["deletions"], 1);
    EXPECT_EQ(record["counts"]["exports"], 2);
}

TEST_F(Face, ADeletionWhileAPhotoIsBeingAnalysedLeavesNothingBehind) {
    SKIP_WITHOUT_PHOTOS();
    // The engine takes 100-250 ms over a photo, outside any transaction: a deletion acknowledged
    // meanwhile must not be followed by that photo's capture and embeddings. The
    // deletion is sent a little after the photo so that it usually lands during the analysis; every
    // other landing must leave nothing behind too.
    const std::string photo = fileBytes(photos() / "obama_4.jpg");
    for (int round = 0; round < 3; ++round) {
        const std::string phone = "1381234500" + std::to_string(round);
        const auto id = consent(phone);
        HttpResult taken;
        std::thread taking([&] { taken = capture(id, photo); });
        std::this_thread::sleep_for(std::chrono::milliseconds(40));
        const auto erased = api("POST", "/face/people/delete", {{"phone", phone}, {"reason", "本人申请删除"}}, risk);
        taking.join();
        ASSERT_EQ(erased.status, 200) << erased.body;
        if (taken.status != 201) {
            EXPECT_EQ(taken.errorCode(), "face.consent_withdrawn") << taken.body;
        }
        const auto after = api("GET", "/face/people?phone=" + phone, nullptr, risk).json();
        EXPECT_EQ(after["embeddings"], 0) << "round " << round << ": capture " << taken.status << ", " << after;
        EXPECT_EQ(after["captures"].size(), 0u) << after;
    }
}

TEST_F(Face, OnlyTheVisitorsFaceIsKeptAndOneNearlyAsLargeAsTheirsRefusesThePhoto) {
    SKIP_WITHOUT_PHOTOS();
    // The visitor close to the PAD, someone further back: only the visitor's face is described.
    cv::Mat canvas(1000, 1400, CV_8UC3, cv::Scalar(200, 200, 200)), visitor, behind;
    const cv::Mat obama = cv::imread((photos() / "obama_1.jpg").string());
    cv::resize(obama, visitor, cv::Size(), 900.0 / obama.rows, 900.0 / obama.rows, cv::INTER_AREA);
    visitor.copyTo(canvas(cv::Rect(20, 50, visitor.cols, visitor.rows)));
    const cv::Mat biden = cv::imread((photos() / "biden_2.jpg").string());
    cv::resize(biden, behind, cv::Size(), 380.0 / biden.rows, 380.0 / biden.rows, cv::INTER_AREA);
    behind.copyTo(canvas(cv::Rect(canvas.cols - behind.cols - 20, 80, behind.cols, behind.rows)));
    const auto id = consent("13812347001");
    const auto taken = capture(id, encoded(canvas));
    ASSERT_EQ(taken.status, 201) << taken.body;
    EXPECT_EQ(taken.json()["faces"].size(), 1u) << taken.body;
    EXPECT_EQ(taken.json()["companions"], 1) << taken.body;
    visit("13812347001", "访客", {{"extensions", {{"face", {{"consent_id", id}, {"capture_id", taken.json()["capture"]["id"]}}}}}});
    awaitVisitTakenIn("13812347001", taken.json()["capture"]["id"]);
    EXPECT_EQ(api("GET", "/face/people?phone=13812347001", nullptr, risk).json()["embeddings"], 1);
    // The one behind never agreed: their face was not kept, so it matches nothing later…
    const auto later = capture(consent("13812347002"), fileBytes(photos() / "biden_1.jpg"));
    ASSERT_EQ(later.status, 201) << later.body;
    EXPECT_TRUE(later.json()["faces"][0]["match"].is_null()) << later.body;
    // …while the visitor's does.
    const auto again = capture(consent("13812347003"), fileBytes(photos() / "obama_2.jpg"));
    ASSERT_EQ(again.status, 201) << again.body;
    EXPECT_EQ(again.json()["faces"][0]["match"]["phone"], "138****7001") << again.body;
    // Two faces of about the same size: which is the visitor would be a guess.
    const auto pair = capture(consent("13812347004"), fileBytes(photos() / "multi_obama_and_biden.jpg"));
    EXPECT_EQ(pair.errorCode(), "face.several_faces") << pair.body;
}

TEST_F(Face, APhotoWhoseVisitWasNeverRegisteredIsNobodysEarlierVisitAndGoesAfterADay) {
    SKIP_WITHOUT_PHOTOS();
    // Photographed under a mistyped phone, never registered…
    const auto stray = capture(consent("13812348001"), fileBytes(photos() / "obama_1.jpg"));
    ASSERT_EQ(stray.status, 201) << stray.body;
    // …so the same face under the right phone is a first visit, with no warning and no alert.
    const auto came = visitWithFace("13812348010", "obama_2.jpg");
    EXPECT_EQ(came["visit"]["checks"]["face"]["status"], "passed") << came["visit"]["checks"];
    const auto registered = capture(consent("13812348011"), fileBytes(photos() / "obama_3.jpg"));
    ASSERT_EQ(registered.status, 201) << registered.body;
    EXPECT_EQ(registered.json()["faces"][0]["match"]["phone"], "138****8010") << registered.body; // the registered visit, not the stray
    advance(kDay + 1000);
    runJob("face", "retention_purge");
    EXPECT_EQ(api("GET", "/face/people?phone=13812348001", nullptr, risk).json()["captures"].size(), 0u);
    EXPECT_EQ(api("GET", "/face/people?phone=13812348010", nullptr, risk).json()["embeddings"], 1);
    EXPECT_TRUE(alerts()["alerts"].empty()) << alerts();
}

TEST_F(Face, AnEntranceCameraGetsOnlyTheFramesSomebodyAgreedTo) {
    SKIP_WITHOUT_PHOTOS();
    const std::string frame = fileBytes(photos() / "obama_3.jpg");
    auto camera = [&](const std::string& name) {
        return http(kernel->port(), "POST", "/api/v1/projects/1/face/cameras/" + name + "/captures", frame, desk, {{"Content-Type", "image/jpeg"}});
    };
    EXPECT_EQ(camera("entrance-1").errorCode(), "face.no_consent");
    consent("13812344001", "accepted", "entrance-1");
    EXPECT_EQ(camera("entrance-2").errorCode(), "face.no_consent");
    EXPECT_EQ(camera("entrance-1").status, 201);
    EXPECT_EQ(camera("entrance-1").errorCode(), "face.no_consent"); // one frame per consent
    consent("13812344002", "accepted", "entrance-1");
    advance(3 * 60 * 1000); // the visitor walked away
    EXPECT_EQ(camera("entrance-1").errorCode(), "face.no_consent");
    // Two visitors agreed for one camera: it cannot tell whose face it sees, and stores neither.
    consent("13812344003", "accepted", "entrance-1");
    consent("13812344004", "accepted", "entrance-1");
    EXPECT_EQ(camera("entrance-1").errorCode(), "face.camera_ambiguous");
    for (const std::string phone : {"13812344003", "13812344004"})
        EXPECT_EQ(api("GET", "/face/people?phone=" + phone, nullptr, risk).json()["captures"].size(), 0u) << phone;
}

TEST_F(Face, HostileAndPoorPhotosAreRefusedWithAReasonAndStoreNothing) {
    // Made-up pictures only, so this runs wherever the models are, shared photos or not.
    if (!fs::exists(modelsDir() / "dlib_face_recognition_resnet_model_v1.dat")) GTEST_SKIP() << "skipped: no face models in " << modelsDir();
    const auto id = consent("13812345001");
    EXPECT_EQ(capture(id, "{\"phone\": 1}").errorCode(), "face.image_invalid");
    cv::Mat noise(480, 640, CV_8UC3);
    cv::randu(noise, cv::Scalar::all(0), cv::Scalar::all(255));
    const std::string jpeg = encoded(noise);
    EXPECT_EQ(capture(id, jpeg.substr(0, jpeg.size() / 2)).errorCode(), "face.image_invalid");
    const std::string bomb = std::string("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\x01\x86\xa0\0\x01\x86\xa0\x08\x02\0\0\0\0\0\0\0", 33);
    EXPECT_EQ(capture(id, bomb, "image/png").errorCode(), "face.image_invalid");
    EXPECT_EQ(capture(id, jpeg, "application/json").status, 415);
    EXPECT_EQ(capture(id, std::string(1'200'000, 'x')).status, 413);
    EXPECT_EQ(capture(99999, jpeg).errorCode(), "face.consent_not_found");
    EXPECT_EQ(http(kernel->port(), "POST", "/api/v1/projects/1/face/captures", jpeg, desk, {{"Content-Type", "image/jpeg"}}).status, 400);
    // A strip too thin to hold a face (it once scaled to nothing inside OpenCV: a 500).
    std::vector<unsigned char> strip;
    cv::imencode(".png", cv::Mat(1, 60000, CV_8UC3, cv::Scalar(90, 90, 90)), strip);
    const auto thin = capture(id, std::string(strip.begin(), strip.end()), "image/png");
    EXPECT_EQ(thin.errorCode(), "face.image_invalid") << thin.body;
    EXPECT_NE(thin.body.find("has a side under 64 px"), std::string::npos) << thin.body; // refused before OpenCV, not caught after
    // A picture with nobody in it.
    EXPECT_EQ(capture(id, jpeg).errorCode(), "face.no_face");
    // Malformed consents.
    EXPECT_EQ(api("POST", "/face/consents", {{"phone", "12"}, {"name", "a"}, {"decision", "accepted"}, {"notice_version", "2026-12-v2"}}).status, 400);
    EXPECT_EQ(api("POST", "/face/consents", {{"phone", "13812345001"}, {"name", 5}, {"decision", "accepted"}, {"notice_version", "2026-12-v2"}}).status, 400);
    EXPECT_EQ(http(kernel->port(), "POST", "/api/v1/projects/1/face/consents", std::string(5000, '[') + std::string(5000, ']'), desk).status, 400);
    const nlohmann::json agreed = {{"phone", "13812345001"}, {"name", "访客"}, {"decision", "accepted"}, {"notice_version", "2026-12-v2"}};
    auto withField = [&](const std::string& key, const std::string& value) {
        auto body = agreed;
        body[key] = value;
        return api("POST", "/face/consents", body);
    };
    // A signature is kept as proof, so it must be a PNG; a name is printed, so no control characters.
    EXPECT_EQ(withField("signature", "data:image/png;base64,!!!notbase64<script>").status, 400);
    EXPECT_EQ(withField("signature", "data:image/png;base64,aGVsbG8gd29ybGQ=").status, 400); // base64, not a PNG
    EXPECT_EQ(withField("signature", "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==").status, 201);
    EXPECT_EQ(withField("name", std::string("王") + '\0' + "先生").status, 400);
    // A face too small to trust (needs a real face: the shared photos).
    if (missingPhotos().empty()) {
        cv::Mat small, canvas(1200, 1200, CV_8UC3, cv::Scalar(200, 200, 200));
        cv::resize(cv::imread((photos() / "obama_1.jpg").string()), small, cv::Size(), 0.2, 0.2, cv::INTER_AREA);
        small.copyTo(canvas(cv::Rect(500, 500, small.cols, small.rows)));
        const auto tiny = capture(id, encoded(canvas));
        EXPECT_EQ(tiny.errorCode(), "face.too_small") << tiny.body;
    } else {
        std::printf("%s: the too-small face is not checked\n", missingPhotos().c_str());
    }
    EXPECT_EQ(api("GET", "/face/people?phone=13812345001", nullptr, risk).json()["captures"].size(), 0u);
    // Ten minutes later the consent no longer covers a photo.
    advance(11 * 60 * 1000);
    EXPECT_EQ(capture(id, jpeg).errorCode(), "face.consent_expired");
}

TEST_F(Face, WithoutAModelTheModuleSaysSoAndEverythingElseWorks) {
    restart({"plugins.face.models_dir=" + data.path().string() + "/no-models-here"});
    nlohmann::json face;
    ASSERT_TRUE(eventually([&] {
        const auto modules = http(kernel->port(), "GET", "/api/v1/modules").json();
        for (const auto& m : modules["modules"])
            if (m["id"] == "face") face = m;
        return face["state"] == "degraded" && face["reason"].get<std::string>().find("no face model") != std::string::npos;
    })) << face;
    EXPECT_EQ(api("GET", "/face/notice").json()["engine"]["ready"], false);
    const auto id = consent("13812346001");
    EXPECT_EQ(capture(id, "\xff\xd8\xff").status, 503);
    // The desk falls back to the non-face path and registers.
    const auto came = visit("13812346001", "访客", {{"extensions", {{"face", {{"consent_id", consent("13812346001", "refused")}, {"refused", true}, {"id_checked", true}}}}}});
    EXPECT_EQ(came["visit"]["checks"]["face"]["status"], "passed");
}
