// FaceEngine on real photos: the same person matches, different people do not, poor photos are
// refused with their reason, hostile files never reach a decoder. The photos live outside the
// repository (../shared/face/images, never committed) and the models are installed by
// scripts/face-models; without them these tests skip and say which is missing.
#include "FaceEngine.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <algorithm>
#include <map>

using namespace anchang::face;
namespace fs = std::filesystem;

namespace {

fs::path modelsDir() {
    if (const char* env = std::getenv("ANCHANG_MODELS_DIR"); env && *env) return env;
    return fs::path(ANCHANG_SOURCE_DIR) / "var" / "models";
}

fs::path imagesDir() { return fs::path(ANCHANG_SOURCE_DIR) / ".." / "shared" / "face" / "images"; }

std::vector<unsigned char> bytesOf(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

float distance(const Embedding& a, const Embedding& b) {
    float sum = 0;
    for (std::size_t i = 0; i < a.size(); ++i) sum += (a[i] - b[i]) * (a[i] - b[i]);
    return std::sqrt(sum);
}

// GTEST_SKIP returns from the function it is written in: it must be in the test's own body.
#define SKIP_WITHOUT_PHOTOS() \
    if (const std::string why = missingPhotos(); !why.empty()) GTEST_SKIP() << why

class FaceEngineTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (!FaceEngine::modelsPresent(modelsDir())) return;
        engine_ = new FaceEngine(modelsDir());
    }
    static void TearDownTestSuite() {
        delete engine_;
        engine_ = nullptr;
    }
    void SetUp() override {
        if (!engine_) GTEST_SKIP() << "no face models in " << modelsDir() << ": run scripts/face-models";
    }
    /// Why a test that needs the shared photos cannot run, or "".
    static std::string missingPhotos() {
        return fs::exists(imagesDir() / "obama_1.jpg") ? std::string{} : "skipped: the shared test photos are absent (" + imagesDir().string() + ")";
    }
    static FaceEngine* engine_;
};
FaceEngine* FaceEngineTest::engine_ = nullptr;

} // namespace

TEST_F(FaceEngineTest, TheSamePersonMatchesAndDifferentPeopleDoNotAtTheCalibratedThreshold) {
    SKIP_WITHOUT_PHOTOS();
    const std::map<std::string, std::string> people = {{"obama_1", "obama"}, {"obama_2", "obama"}, {"obama_3", "obama"}, {"obama_4", "obama"},
                                                        {"biden_1", "biden"}, {"biden_2", "biden"}, {"alex_lacamoire_1", "alex"}, {"alex_lacamoire_2", "alex"}};
    std::vector<std::pair<std::string, Embedding>> embedded;
    for (const auto& [photo, person] : people) {
        const auto analysis = engine_->analyse(bytesOf(imagesDir() / (photo + ".jpg")));
        ASSERT_EQ(analysis.error, ImageError::none) << photo;
        ASSERT_EQ(analysis.faces.size(), 1u) << photo;
        ASSERT_TRUE(analysis.faces[0].hasEmbedding) << photo << ": " << analysis.faces[0].reason;
        embedded.emplace_back(person, analysis.faces[0].embedding);
    }
    int same = 0, different = 0;
    for (std::size_t i = 0; i < embedded.size(); ++i)
        for (std::size_t j = i + 1; j < embedded.size(); ++j) {
            const float d = distance(embedded[i].second, embedded[j].second);
            if (embedded[i].first == embedded[j].first) {
                EXPECT_LE(d, 0.5f) << embedded[i].first;
                ++same;
            } else {
                EXPECT_GT(d, 0.5f) << embedded[i].first << " / " << embedded[j].first;
                ++different;
            }
        }
    EXPECT_EQ(same, 8);
    EXPECT_EQ(different, 20);
}

TEST_F(FaceEngineTest, EveryFaceOfAGroupPhotoIsFound) {
    SKIP_WITHOUT_PHOTOS();
    const auto analysis = engine_->analyse(bytesOf(imagesDir() / "multi_obama_and_biden.jpg"));
    ASSERT_EQ(analysis.error, ImageError::none);
    EXPECT_GE(analysis.faces.size(), 2u);
}

TEST_F(FaceEngineTest, TheVisitorOnlyEngineDescribesTheLargestFaceAndOnlyBoxesTheOthers) {
    SKIP_WITHOUT_PHOTOS();
    EngineOptions options;
    options.visitorOnly = true;
    FaceEngine visitorOnly(modelsDir(), options);
    const auto bytes = bytesOf(imagesDir() / "multi_obama_and_biden.jpg");
    const auto all = engine_->analyse(bytes);
    const auto one = visitorOnly.analyse(bytes);
    ASSERT_EQ(one.error, ImageError::none);
    ASSERT_EQ(one.faces.size(), 1u);
    EXPECT_EQ(one.others.size(), all.faces.size() - 1);
    for (const Face& face : all.faces) EXPECT_LE(face.box.area(), one.faces[0].box.area());
    for (const cv::Rect& other : one.others) EXPECT_LE(other.area(), one.faces[0].box.area());
}

TEST_F(FaceEngineTest, AStripTooThinForAFaceIsRefusedNotScaledToNothing) {
    std::vector<unsigned char> strip;
    cv::imencode(".png", cv::Mat(2, 100000, CV_8UC3, cv::Scalar(90, 90, 90)), strip);
    const auto analysis = engine_->analyse(strip);
    EXPECT_EQ(analysis.error, ImageError::not_an_image) << analysis.message;
    EXPECT_NE(analysis.message.find("has a side under"), std::string::npos) << analysis.message; // refused before OpenCV saw it
}

TEST_F(FaceEngineTest, ABlurredPhotoIsRefusedWithItsReasonInsteadOfMatched) {
    SKIP_WITHOUT_PHOTOS();
    cv::Mat image = cv::imread((imagesDir() / "obama_1.jpg").string());
    cv::GaussianBlur(image, image, cv::Size(0, 0), 12);
    const auto analysis = engine_->analyse(image);
    // Either too blurred to be found at all, or found and refused: never embedded.
    for (const auto& face : analysis.faces) {
        EXPECT_NE(face.quality, Quality::ok) << face.reason;
        EXPECT_FALSE(face.hasEmbedding);
    }
}

TEST_F(FaceEngineTest, ATinyFaceIsRefusedAsTooSmall) {
    SKIP_WITHOUT_PHOTOS();
    // obama_1 at a fifth of its size: the face is found (eyes ~21 px apart) but holds too little
    // detail to embed; at 0.3 (eyes ~31 px) it passes.
    cv::Mat image = cv::imread((imagesDir() / "obama_1.jpg").string());
    auto framed = [&](double scale) {
        cv::Mat small;
        cv::resize(image, small, cv::Size(), scale, scale, cv::INTER_AREA);
        cv::Mat canvas(1200, 1200, CV_8UC3, cv::Scalar(200, 200, 200));
        small.copyTo(canvas(cv::Rect(500, 500, small.cols, small.rows)));
        return engine_->analyse(canvas);
    };
    const auto tiny = framed(0.2);
    ASSERT_EQ(tiny.faces.size(), 1u);
    EXPECT_EQ(tiny.faces[0].quality, Quality::too_small) << tiny.faces[0].reason;
    EXPECT_FALSE(tiny.faces[0].hasEmbedding);
    const auto enough = framed(0.3);
    ASSERT_EQ(enough.faces.size(), 1u);
    EXPECT_EQ(enough.faces[0].quality, Quality::ok) << enough.faces[0].reason;
}

TEST_F(FaceEngineTest, OpenCVsYuNetCanDetectForDlibsEmbeddingAndTheSamePeopleStillMatch) {
    SKIP_WITHOUT_PHOTOS();
    const fs::path yunet = fs::path(ANCHANG_SOURCE_DIR) / ".." / "shared" / "face" / "models" / "face_detection_yunet_2022mar.onnx";
    if (!fs::exists(yunet)) GTEST_SKIP() << "skipped: no YuNet model at " << yunet << " (operators supply it)";
    EngineOptions options;
    options.detector = Detector::yunet;
    options.yunetModel = yunet;
    FaceEngine engine(modelsDir(), options);
    std::map<std::string, Embedding> byPhoto;
    for (const std::string photo : {"obama_1", "obama_2", "biden_1", "biden_2"}) {
        const auto analysis = engine.analyse(bytesOf(imagesDir() / (photo + ".jpg")));
        ASSERT_FALSE(analysis.faces.empty()) << photo;
        // The largest face is the visitor, as the desk takes it (YuNet also reports faces in the
        // background that HOG does not see).
        const auto visitor = std::max_element(analysis.faces.begin(), analysis.faces.end(), [](const Face& a, const Face& b) { return a.box.area() < b.box.area(); });
        ASSERT_TRUE(visitor->hasEmbedding) << photo << ": " << visitor->reason;
        byPhoto[photo] = visitor->embedding;
    }
    EXPECT_LE(distance(byPhoto["obama_1"], byPhoto["obama_2"]), 0.5f);
    EXPECT_LE(distance(byPhoto["biden_1"], byPhoto["biden_2"]), 0.5f);
    EXPECT_GT(distance(byPhoto["obama_1"], byPhoto["biden_1"]), 0.5f);
}

TEST(FaceModels, AnEngineThatLacksAModelSaysWhichOne) {
    EngineOptions sface;
    sface.detector = Detector::yunet;
    sface.recognizer = Recognizer::sface;
    sface.yunetModel = "/nowhere/yunet.onnx";
    EXPECT_EQ(FaceEngine::missingModel("/nowhere", sface), "/nowhere/shape_predictor_5_face_landmarks.dat");
    EngineOptions yunet;
    yunet.detector = Detector::yunet;
    EXPECT_NE(FaceEngine::missingModel("/nowhere", yunet).find("landmarks"), std::string::npos);
    EXPECT_THROW(FaceEngine("/nowhere", sface), std::runtime_error);
}

TEST(FaceImages, HostileFilesAreRefusedFromTheirHeaderBeforeAnyDecoderSeesThem) {
    int width = 0, height = 0;
    auto inspect = [&](const std::vector<unsigned char>& bytes) { return inspectImage(bytes, width, height); };
    const std::string text = "{\"phone\": \"13800000000\"}";
    EXPECT_EQ(inspect(std::vector<unsigned char>(text.begin(), text.end())), ImageError::not_an_image);
    EXPECT_EQ(inspect({}), ImageError::not_an_image);
    // A PNG whose header claims 100,000 x 100,000 pixels (a decompression bomb).
    std::vector<unsigned char> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
                                      0x00, 0x01, 0x86, 0xa0, 0x00, 0x01, 0x86, 0xa0, 8, 2, 0, 0, 0, 0, 0, 0, 0};
    const auto bomb = inspect(png);
    EXPECT_TRUE(bomb == ImageError::too_large || bomb == ImageError::truncated);
    EXPECT_EQ(width, 100000);
    // A real JPEG cut in half.
    cv::Mat image(480, 640, CV_8UC3, cv::Scalar(90, 120, 150));
    std::vector<unsigned char> jpeg;
    cv::Mat noise(480, 640, CV_8UC3);
    cv::randu(noise, cv::Scalar::all(0), cv::Scalar::all(255));
    cv::imencode(".jpg", noise, jpeg, {cv::IMWRITE_JPEG_PROGRESSIVE, 1}); // several scans, 0xFF bytes stuffed in each
    EXPECT_EQ(inspect(jpeg), ImageError::none);
    // What a phone appends after the image (a "motion photo"'s video) is not the image's, even
    // when it holds the bytes of a start-of-scan marker.
    auto motion = jpeg;
    for (const unsigned char byte : {0x00, 0xFF, 0xDA, 0x00, 0x0C, 0x42, 0xFF}) motion.push_back(byte);
    EXPECT_EQ(inspect(motion), ImageError::none);
    jpeg.resize(jpeg.size() / 2);
    EXPECT_EQ(inspect(jpeg), ImageError::truncated);
    // One missing only its end-of-image marker, which libjpeg would decode and paint grey.
    std::vector<unsigned char> plain;
    cv::imencode(".jpg", image, plain);
    plain.resize(plain.size() - 2);
    EXPECT_EQ(inspect(plain), ImageError::truncated);
}

TEST_F(FaceEngineTest, ADecompressionBombIsRefusedWithoutDecoding) {
    std::vector<unsigned char> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
                                      0x00, 0x01, 0x86, 0xa0, 0x00, 0x01, 0x86, 0xa0, 8, 2, 0, 0, 0, 0, 0, 0, 0};
    EXPECT_NE(engine_->analyse(png).error, ImageError::none);
}
