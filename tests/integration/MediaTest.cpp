// The media store through a real anchangd and the gallery fixture module: uploads stream to
// disk and come back byte for byte to those the kind lets see them, with OpenCV thumbnails;
// hostile files (wrong bytes, cut short, a decompression bomb, path tricks, too large) are
// refused with a reason and leave nothing behind; expired files go with the kernel's nightly
// job on the test clock; a module looks a file up over the bus, in its own project only.
#include "support/DemoProject.h"
#include "support/Eventually.h"

#include <Poco/DigestEngine.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/SHA2Engine.h>
#include <gtest/gtest.h>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <filesystem>

using namespace anchang::test;

namespace {

std::string encode(const cv::Mat& image, const std::string& ext) {
    std::vector<unsigned char> bytes;
    cv::imencode(ext, image, bytes);
    return {bytes.begin(), bytes.end()};
}

/// A 640 x 480 picture with enough detail that JPEG cannot squeeze it to nothing.
std::string photo(const std::string& ext = ".jpg") {
    cv::Mat image(480, 640, CV_8UC3);
    cv::randu(image, cv::Scalar::all(0), cv::Scalar::all(255));
    return encode(image, ext);
}

std::string sha256(const std::string& bytes) {
    Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
    sha.update(bytes.data(), bytes.size());
    return Poco::DigestEngine::digestToHex(sha.digest());
}

class Media : public DemoProject {
protected:
    void configure(KernelProcess::Options& options) override {
        options.alsoPlugins = {KernelProcess::binaryDir() / "module-fixtures" / "gallery"};
        // A low ceiling, so that a small file can be a decompression bomb.
        options.settings.push_back("media.maxPixels=1000000");
        options.settings.push_back("test.clock=true");
    }
    void SetUp() override {
        DemoProject::SetUp();
        admin = login(kernel->port(), "admin");
    }
    HttpResult upload(const std::string& kind, const std::string& bytes, const std::string& name = "photo.jpg", const std::string& token = "") {
        return http(kernel->port(), "POST", "/api/v1/projects/1/media/gallery/" + kind + "?name=" + name, bytes, token.empty() ? desk : token);
    }
    HttpResult get(const std::string& id, const std::string& token, const std::string& suffix = "") {
        return http(kernel->port(), "GET", "/api/v1/projects/1/media/" + id + suffix, "", token);
    }
    std::size_t filesOnDisk() {
        std::size_t n = 0;
        for (const auto& entry : std::filesystem::recursive_directory_iterator(kernel->dataDir() / "media"))
            if (entry.is_regular_file()) ++n;
        return n;
    }
    std::string admin;
};

} // namespace

TEST_F(Media, APhotoIsKeptServedByteForByteAndThumbnailed) {
    const std::string bytes = photo();
    const auto stored = upload("photo", bytes);
    ASSERT_EQ(stored.status, 201) << stored.body;
    const auto record = stored.json();
    EXPECT_EQ(record["content_type"], "image/jpeg");
    EXPECT_EQ(record["width"], 640);
    EXPECT_EQ(record["height"], 480);
    EXPECT_EQ(record["bytes"], bytes.size());
    EXPECT_EQ(record["sha256"], sha256(bytes));
    EXPECT_TRUE(record["expires_at"].is_number()); // photos are kept 30 days
    const std::string id = record["id"];
    EXPECT_EQ(id.size(), 32u);

    const auto served = get(id, manager);
    ASSERT_EQ(served.status, 200);
    EXPECT_EQ(served.body, bytes);
    EXPECT_EQ(served.headers.at("Content-Type"), "image/jpeg");
    EXPECT_EQ(served.headers.at("X-Content-Type-Options"), "nosniff");
    EXPECT_NE(served.headers.at("Content-Disposition").find("photo.jpg"), std::string::npos);

    const auto thumb = get(id, manager, "/thumbnail?width=160");
    ASSERT_EQ(thumb.status, 200) << thumb.body;
    const cv::Mat small = cv::imdecode(std::vector<unsigned char>(thumb.body.begin(), thumb.body.end()), cv::IMREAD_COLOR);
    EXPECT_EQ(small.cols, 160);
    EXPECT_EQ(small.rows, 120);
    EXPECT_EQ(get(id, manager, "/thumbnail?width=161").errorCode(), "media.bad_width");
    // Never wider than the picture itself.
    const auto wide = get(id, manager, "/thumbnail?width=1280");
    EXPECT_EQ(cv::imdecode(std::vector<unsigned char>(wide.body.begin(), wide.body.end()), cv::IMREAD_COLOR).cols, 640);

    // PNG and WebP are photos too.
    EXPECT_EQ(upload("photo", photo(".png"), "a.png").json()["content_type"], "image/png");
    EXPECT_EQ(upload("photo", photo(".webp"), "a.webp").json()["width"], 640);
}

TEST_F(Media, AnUploadOverTheGeneralLimitThatWaitsForContinueIsToldToGoOn) {
    // A photo may have 2 MiB, past the 1 MiB of other bodies: a client that asks first
    // ("Expect: 100-continue", as curl does past 1 KiB) is told to go on, then sends it.
    const std::string body(1536 * 1024, 'x');
    Poco::Net::StreamSocket client(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(kernel->port())));
    client.setReceiveTimeout(Poco::Timespan(5, 0));
    const std::string head = "POST /api/v1/projects/1/media/gallery/photo?name=big.jpg HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + desk +
                             "\r\nExpect: 100-continue\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    client.sendBytes(head.data(), static_cast<int>(head.size()));
    char buffer[4096];
    const int n = client.receiveBytes(buffer, sizeof buffer);
    ASSERT_GT(n, 0);
    EXPECT_TRUE(std::string(buffer, static_cast<std::size_t>(n)).starts_with("HTTP/1.1 100 Continue\r\n\r\n"));
    for (std::size_t sent = 0; sent < body.size();)
        sent += static_cast<std::size_t>(client.sendBytes(body.data() + sent, static_cast<int>(std::min<std::size_t>(65536, body.size() - sent))));
    std::string answer;
    while (answer.find("}}") == std::string::npos) {
        const int more = client.receiveBytes(buffer, sizeof buffer);
        if (more <= 0) break;
        answer.append(buffer, static_cast<std::size_t>(more));
    }
    // Read whole and judged: not a JPEG.
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 415")) << answer;
    EXPECT_NE(answer.find("media.type_refused"), std::string::npos) << answer;
}

TEST_F(Media, TheKindSaysWhoMayUploadAndWhoMaySee) {
    const auto stored = upload("photo", photo());
    ASSERT_EQ(stored.status, 201);
    const std::string id = stored.json()["id"];
    // The receptionist takes the photo but may not look through the gallery; the consultant
    // looks but may not upload.
    EXPECT_EQ(get(id, desk).status, 403);
    EXPECT_EQ(get(id, desk, "/thumbnail").status, 403);
    const std::string consultant = login(kernel->port(), "consultant1");
    EXPECT_EQ(get(id, consultant, "/info").status, 200);
    EXPECT_EQ(upload("photo", photo(), "x.jpg", consultant).status, 403);
    EXPECT_EQ(http(kernel->port(), "DELETE", "/api/v1/projects/1/media/" + id, "", consultant).status, 403);
    // A brochure is for every member.
    const std::string pdf = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";
    const auto brochure = upload("brochure", pdf, "楼书.pdf");
    ASSERT_EQ(brochure.status, 201) << brochure.body;
    const auto read = get(brochure.json()["id"], desk);
    EXPECT_EQ(read.body, pdf);
    EXPECT_NE(read.headers.at("Content-Disposition").find("%E6%A5%BC%E4%B9%A6.pdf"), std::string::npos);
    EXPECT_NE(read.headers.at("Content-Security-Policy").find("sandbox"), std::string::npos);

    // Another project's id is not found, whoever asks.
    const auto other = http(kernel->port(), "POST", "/api/v1/projects", R"({"code":"other","name":"另一个项目"})", admin);
    ASSERT_EQ(other.status, 201) << other.body;
    const std::string otherProject = std::to_string(other.json()["id"].get<std::int64_t>());
    EXPECT_EQ(http(kernel->port(), "GET", "/api/v1/projects/" + otherProject + "/media/" + id, "", admin).errorCode(), "media.not_found");
    EXPECT_EQ(get("0123456789abcdef0123456789abcdef", manager).errorCode(), "media.not_found");
    EXPECT_EQ(get("../../anchang.db", manager).status, 404);

    // Deleting is audited and takes the bytes with it.
    const std::size_t before = filesOnDisk();
    ASSERT_EQ(http(kernel->port(), "DELETE", "/api/v1/projects/1/media/" + id, "", manager).status, 204);
    EXPECT_EQ(get(id, manager).status, 404);
    EXPECT_EQ(filesOnDisk(), before - 1);
    const auto actions = auditActions();
    EXPECT_NE(std::find(actions.begin(), actions.end(), "media.delete"), actions.end());
}

TEST_F(Media, HostileFilesAreRefusedWithAReasonAndLeaveNothing) {
    // The name says JPEG, the bytes say otherwise.
    EXPECT_EQ(upload("photo", "<script>alert(1)</script>", "evil.jpg").errorCode(), "media.type_refused");
    EXPECT_EQ(upload("photo", "%PDF-1.4\n%%EOF\n", "fake.jpg").errorCode(), "media.type_refused");
    EXPECT_EQ(upload("brochure", encode(cv::Mat::zeros(64, 64, CV_8UC3), ".jpg"), "brochure.pdf").errorCode(), "media.type_refused");
    // Cut short in transfer or on someone's disk.
    const std::string whole = photo();
    const auto truncated = upload("photo", whole.substr(0, whole.size() / 2));
    EXPECT_EQ(truncated.status, 422);
    EXPECT_EQ(truncated.errorCode(), "media.truncated");
    // A small PNG that would decode to 16 million pixels.
    const std::string bomb = encode(cv::Mat::zeros(4000, 4000, CV_8UC1), ".png");
    ASSERT_LT(bomb.size(), 200000u);
    EXPECT_EQ(upload("photo", bomb, "bomb.png").errorCode(), "media.too_many_pixels");
    // Whole in structure, damaged inside: a PNG whose image data fails its checksum.
    std::string broken = photo(".png");
    for (std::size_t i = broken.size() / 3; i < broken.size() / 3 + 64; ++i) broken[i] = static_cast<char>(broken[i] ^ 0x5A);
    EXPECT_EQ(upload("photo", broken, "broken.png").errorCode(), "media.undecodable");
    // Too large: refused, and the client still reads the answer.
    const auto large = upload("brochure", "%PDF-1.4\n" + std::string(300000, 'x') + "\n%%EOF\n");
    EXPECT_EQ(large.status, 413);
    EXPECT_EQ(large.errorCode(), "media.too_large");
    EXPECT_EQ(upload("photo", "").errorCode(), "media.empty");
    EXPECT_EQ(http(kernel->port(), "POST", "/api/v1/projects/1/media/gallery/video", photo(), desk).errorCode(), "media.unknown_kind");
    EXPECT_EQ(http(kernel->port(), "POST", "/api/v1/projects/1/media/registration/photo", photo(), desk).errorCode(), "media.unknown_kind");
    // Nothing refused stayed on disk, not even half-written.
    EXPECT_EQ(filesOnDisk(), 0u);

    // Path tricks in the name change nothing but the name shown.
    const auto tricked = upload("photo", whole, "..%2F..%2F..%2Fetc%2Fpasswd.jpg");
    ASSERT_EQ(tricked.status, 201) << tricked.body;
    EXPECT_EQ(tricked.json()["name"], "passwd.jpg");
    EXPECT_TRUE(std::filesystem::exists(kernel->dataDir() / "media" / "1" / tricked.json()["id"].get<std::string>()));
    EXPECT_EQ(upload("photo", whole, "%00%01..%5C..%5Cboot.ini%0A").json()["name"], "boot.ini");
}

TEST_F(Media, ExpiredFilesGoWithTheKernelsPurgeJob) {
    const auto kept = upload("brochure", "%PDF-1.4\n%%EOF\n", "kept.pdf");
    const auto expiring = upload("photo", photo());
    ASSERT_EQ(kept.status, 201);
    ASSERT_EQ(expiring.status, 201);
    ASSERT_EQ(http(kernel->port(), "POST", "/api/v1/test/clock/advance", R"({"ms":2678400000})", admin).status, 200); // 31 days
    // The hourly job comes due on the moved clock and runs by itself; the run that purged says
    // so once it has finished (its record comes after the file is gone, so wait for both).
    auto purgedRun = [&] {
        const auto runs = http(kernel->port(), "GET", "/api/v1/jobs/runs?plugin=kernel&job=media_purge", "", admin).json()["runs"];
        return std::any_of(runs.begin(), runs.end(), [](const auto& run) { return run["items"] == 1; });
    };
    ASSERT_TRUE(eventually([&] { return get(expiring.json()["id"], manager).status == 404 && purgedRun(); }));
    EXPECT_EQ(get(kept.json()["id"], manager).status, 200);
    EXPECT_EQ(filesOnDisk(), 1u);
}

TEST_F(Media, AModuleLooksAFileUpOverTheBusInItsOwnProjectOnly) {
    const auto stored = upload("photo", photo());
    ASSERT_EQ(stored.status, 201);
    const auto found = api("GET", "/gallery/" + stored.json()["id"].get<std::string>(), nullptr, manager);
    ASSERT_EQ(found.status, 200) << found.body;
    EXPECT_EQ(found.json()["sha256"], stored.json()["sha256"]);
    EXPECT_EQ(api("GET", "/gallery/0123456789abcdef0123456789abcdef", nullptr, manager).status, 404);
}
