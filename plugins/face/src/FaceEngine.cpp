#include "FaceEngine.h"

#include <dlib/dnn.h>
#include <dlib/image_processing.h>
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/opencv.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include <algorithm>
#include <numeric>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <optional>
#include <stdexcept>

namespace anchang::face {

namespace {

// The network definitions below are the ones the model files were trained with (dlib's
// dnn_face_recognition_ex.cpp and dnn_mmod_face_detection_ex.cpp): dlib deserialises weights
// into a type, so the type must match layer for layer. Batch normalisation is replaced by affine
// layers, as dlib does for inference.
using namespace dlib;

template <template <int, template <typename> class, int, typename> class Block, int N, template <typename> class BN, typename Subnet>
using residual = add_prev1<Block<N, BN, 1, tag1<Subnet>>>;
template <template <int, template <typename> class, int, typename> class Block, int N, template <typename> class BN, typename Subnet>
using residual_down = add_prev2<avg_pool<2, 2, 2, 2, skip1<tag2<Block<N, BN, 2, tag1<Subnet>>>>>>;
template <int N, template <typename> class BN, int Stride, typename Subnet>
using block = BN<con<N, 3, 3, 1, 1, relu<BN<con<N, 3, 3, Stride, Stride, Subnet>>>>>;
template <int N, typename Subnet> using ares = relu<residual<block, N, affine, Subnet>>;
template <int N, typename Subnet> using ares_down = relu<residual_down<block, N, affine, Subnet>>;
template <typename Subnet> using alevel0 = ares_down<256, Subnet>;
template <typename Subnet> using alevel1 = ares<256, ares<256, ares_down<256, Subnet>>>;
template <typename Subnet> using alevel2 = ares<128, ares<128, ares_down<128, Subnet>>>;
template <typename Subnet> using alevel3 = ares<64, ares<64, ares<64, ares_down<64, Subnet>>>>;
template <typename Subnet> using alevel4 = ares<32, ares<32, ares<32, Subnet>>>;
using ResNet = loss_metric<fc_no_bias<128, avg_pool_everything<alevel0<alevel1<alevel2<alevel3<alevel4<
    max_pool<3, 3, 2, 2, relu<affine<con<32, 7, 7, 2, 2, input_rgb_image_sized<150>>>>>>>>>>>>>;

template <long Filters, typename Subnet> using con5d = con<Filters, 5, 5, 2, 2, Subnet>;
template <long Filters, typename Subnet> using con5 = con<Filters, 5, 5, 1, 1, Subnet>;
template <typename Subnet> using downsampler = relu<affine<con5d<32, relu<affine<con5d<32, relu<affine<con5d<16, Subnet>>>>>>>>>;
template <typename Subnet> using rcon5 = relu<affine<con5<45, Subnet>>>;
using MmodNet = loss_mmod<con<1, 9, 9, 1, 1, rcon5<rcon5<rcon5<downsampler<input_rgb_image_pyramid<pyramid_down<6>>>>>>>>;

constexpr const char* kResNetFile = "dlib_face_recognition_resnet_model_v1.dat";
constexpr const char* kLandmarksFile = "shape_predictor_5_face_landmarks.dat";
constexpr const char* kMmodFile = "mmod_human_face_detector.dat";

// The chip the ResNet was trained on: 150x150 with a quarter of the face's size as margin.
constexpr unsigned long kChipSize = 150;
constexpr double kChipPadding = 0.25;

template <typename T>
void deserialiseFrom(const std::filesystem::path& file, T& model) {
    if (!std::filesystem::is_regular_file(file)) throw std::runtime_error("face model missing: " + file.string());
    try {
        deserialize(file.string()) >> model;
    } catch (const std::exception& e) {
        throw std::runtime_error("face model unreadable: " + file.string() + ": " + e.what());
    }
}

std::uint32_t bigEndian32(const unsigned char* p) { return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | p[3]; }

// The last position of needle in bytes, or npos.
std::size_t findLast(std::span<const unsigned char> bytes, std::initializer_list<unsigned char> needle) {
    if (bytes.size() < needle.size()) return std::string::npos;
    for (std::size_t i = bytes.size() - needle.size() + 1; i-- > 0;)
        if (std::equal(needle.begin(), needle.end(), bytes.begin() + static_cast<std::ptrdiff_t>(i))) return i;
    return std::string::npos;
}

ImageError inspectJpeg(std::span<const unsigned char> b, int& width, int& height) {
    // Walks the segments up to the frame header; an EXIF thumbnail's own frame header lies
    // inside an APP1 segment and is skipped with it.
    std::size_t i = 2;
    bool frame = false;
    while (i + 4 <= b.size() && !frame) {
        if (b[i] != 0xFF) return ImageError::not_an_image;
        const unsigned char marker = b[i + 1];
        if (marker == 0xFF) {
            ++i;
            continue;
        }
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
            i += 2;
            continue;
        }
        if (marker == 0xDA || marker == 0xD9) return ImageError::not_an_image;  // pixels before any frame header
        const std::size_t length = std::size_t(b[i + 2]) << 8 | b[i + 3];
        if (length < 2) return ImageError::not_an_image;
        const bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (sof) {
            if (i + 9 > b.size()) return ImageError::truncated;
            height = int(b[i + 5]) << 8 | b[i + 6];
            width = int(b[i + 7]) << 8 | b[i + 8];
            frame = true;
        }
        i += 2 + length;
    }
    if (!frame) return ImageError::truncated;
    // libjpeg decodes a cut-off file without failing and paints the missing rows grey, so the
    // image must reach its end-of-image marker. Walked forward, segment by segment and through
    // each scan's entropy-coded data (where a 0xFF is followed by 0x00, a fill 0xFF or a restart
    // marker): whatever follows the marker (a phone's "motion photo" appends a video) is not the
    // image's and is left alone.
    bool scanned = false;
    while (i + 2 <= b.size()) {
        if (b[i] != 0xFF) {
            if (!scanned) return ImageError::not_an_image;
            ++i; // entropy-coded data
            continue;
        }
        const unsigned char marker = b[i + 1];
        if (marker == 0x00 || marker == 0xFF || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
            i += marker == 0xFF ? 1 : 2;
            continue;
        }
        if (marker == 0xD9) return scanned ? ImageError::none : ImageError::truncated;
        if (i + 4 > b.size()) return ImageError::truncated;
        const std::size_t length = std::size_t(b[i + 2]) << 8 | b[i + 3];
        if (length < 2) return ImageError::not_an_image;
        if (marker == 0xDA) scanned = true;
        i += 2 + length;
    }
    return ImageError::truncated;
}

ImageError inspectPng(std::span<const unsigned char> b, int& width, int& height) {
    if (b.size() < 33) return ImageError::truncated;
    if (std::memcmp(b.data() + 12, "IHDR", 4) != 0) return ImageError::not_an_image;
    const std::uint32_t w = bigEndian32(b.data() + 16);
    const std::uint32_t h = bigEndian32(b.data() + 20);
    if (w > 0x7FFFFFFF || h > 0x7FFFFFFF) return ImageError::too_large;
    width = int(w);
    height = int(h);
    if (findLast(b, {'I', 'E', 'N', 'D'}) == std::string::npos) return ImageError::truncated;
    return ImageError::none;
}

Analysis refused(ImageError error, std::string message) {
    Analysis analysis;
    analysis.error = error;
    analysis.message = std::move(message);
    return analysis;
}

std::string describe(const char* what, float value, const char* comparison, float limit) {
    char text[160];
    std::snprintf(text, sizeof text, "%s %.2f %s %.2f", what, double(value), comparison, double(limit));
    return text;
}

}  // namespace

const char* qualityKey(Quality quality) {
    switch (quality) {
        case Quality::ok: return "ok";
        case Quality::too_small: return "too_small";
        case Quality::too_blurred: return "too_blurred";
        case Quality::side_view: return "side_view";
    }
    return "unknown";
}

const char* imageErrorKey(ImageError error) {
    switch (error) {
        case ImageError::none: return "none";
        case ImageError::not_an_image: return "not_an_image";
        case ImageError::truncated: return "truncated";
        case ImageError::too_large: return "too_large";
    }
    return "unknown";
}

ImageError inspectImage(std::span<const unsigned char> encoded, int& width, int& height) {
    width = height = 0;
    static constexpr unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    ImageError error = ImageError::not_an_image;
    if (encoded.size() >= 3 && encoded[0] == 0xFF && encoded[1] == 0xD8 && encoded[2] == 0xFF)
        error = inspectJpeg(encoded, width, height);
    else if (encoded.size() >= sizeof png && std::memcmp(encoded.data(), png, sizeof png) == 0)
        error = inspectPng(encoded, width, height);
    if (error == ImageError::none && (width <= 0 || height <= 0)) error = ImageError::not_an_image;
    return error;
}

struct FaceEngine::Models {
    frontal_face_detector hog = get_frontal_face_detector();
    std::optional<MmodNet> mmod;
    shape_predictor landmarks;
    ResNet resnet;
    cv::Ptr<cv::FaceDetectorYN> yunet;
    cv::Ptr<cv::FaceRecognizerSF> sface;
};

FaceEngine::FaceEngine(const std::filesystem::path& dir, EngineOptions options) : options_(options), models_(std::make_unique<Models>()) {
    if (const std::string missing = missingModel(dir, options_); !missing.empty()) throw std::runtime_error("face model missing: " + missing);
    if (options_.recognizer == Recognizer::sface && options_.detector != Detector::yunet)
        throw std::runtime_error("the sface recognizer aligns with YuNet's landmarks: choose the yunet detector");
    deserialiseFrom(dir / kLandmarksFile, models_->landmarks);
    if (options_.recognizer == Recognizer::dlib) deserialiseFrom(dir / kResNetFile, models_->resnet);
    if (options_.detector == Detector::mmod) deserialiseFrom(dir / kMmodFile, models_->mmod.emplace());
    try {
        if (options_.detector == Detector::yunet) models_->yunet = cv::FaceDetectorYN::create(options_.yunetModel.string(), "", cv::Size(320, 320), 0.8f);
        if (options_.recognizer == Recognizer::sface) models_->sface = cv::FaceRecognizerSF::create(options_.sfaceModel.string(), "");
    } catch (const cv::Exception& e) {
        throw std::runtime_error("an ONNX face model did not load: " + std::string(e.what()));
    }
}

std::string FaceEngine::missingModel(const std::filesystem::path& dir, const EngineOptions& options) {
    std::error_code ignored;
    auto absent = [&](const std::filesystem::path& file) { return !std::filesystem::is_regular_file(file, ignored); };
    if (absent(dir / kLandmarksFile)) return (dir / kLandmarksFile).string();
    if (options.recognizer == Recognizer::dlib && absent(dir / kResNetFile)) return (dir / kResNetFile).string();
    if (options.detector == Detector::mmod && absent(dir / kMmodFile)) return (dir / kMmodFile).string();
    if (options.detector == Detector::yunet && (options.yunetModel.empty() || absent(options.yunetModel)))
        return options.yunetModel.empty() ? std::string("the YuNet model (yunet_model)") : options.yunetModel.string();
    if (options.recognizer == Recognizer::sface && (options.sfaceModel.empty() || absent(options.sfaceModel)))
        return options.sfaceModel.empty() ? std::string("the SFace model (sface_model)") : options.sfaceModel.string();
    return {};
}

FaceEngine::~FaceEngine() = default;

bool FaceEngine::modelsPresent(const std::filesystem::path& dir, Detector detector) {
    EngineOptions options;
    options.detector = detector;
    return missingModel(dir, options).empty();
}

Analysis FaceEngine::analyse(std::span<const unsigned char> encoded) {
    int width = 0;
    int height = 0;
    const ImageError error = inspectImage(encoded, width, height);
    if (error == ImageError::not_an_image) return refused(error, "photo refused: not a JPEG or PNG image");
    if (error != ImageError::none) return refused(error, std::string("photo refused: ") + imageErrorKey(error));
    if (std::int64_t(width) * height > options_.maxPixels)
        return refused(ImageError::too_large, "photo refused: " + std::to_string(width) + "x" + std::to_string(height) + " is above " +
                                                  std::to_string(options_.maxPixels) + " pixels");
    // cv::_InputArray over the caller's bytes: imdecode reads them without a copy.
    const cv::Mat bytes(1, int(encoded.size()), CV_8U, const_cast<unsigned char*>(encoded.data()));
    cv::Mat image;
    try {
        image = cv::imdecode(bytes, cv::IMREAD_COLOR);
    } catch (const cv::Exception& e) {
        return refused(ImageError::not_an_image, std::string("photo refused: ") + e.what());
    }
    if (image.empty()) return refused(ImageError::not_an_image, "photo refused: it could not be decoded");
    try {
        return analyse(image);
    } catch (const cv::Exception& e) {
        // An upload is anyone's bytes: whatever OpenCV could not work with is a refused photo, not a 500.
        return refused(ImageError::not_an_image, std::string("photo refused: ") + e.what());
    }
}

Analysis FaceEngine::analyse(const cv::Mat& image) {
    if (image.empty() || image.depth() != CV_8U || (image.channels() != 1 && image.channels() != 3 && image.channels() != 4))
        return refused(ImageError::not_an_image, "photo refused: not an 8-bit grey, BGR or BGRA image");
    if (std::int64_t(image.cols) * image.rows > options_.maxPixels) return refused(ImageError::too_large, "photo refused: above the pixel limit");

    // A side shorter than the smallest face allowed holds no face worth describing, and a strip
    // thousands of pixels long would scale to nothing for the detector.
    if (std::min(image.cols, image.rows) < options_.minBoxSide)
        return refused(ImageError::not_an_image, "photo refused: " + std::to_string(image.cols) + "x" + std::to_string(image.rows) + " has a side under " +
                                                     std::to_string(options_.minBoxSide) + " px");
    Analysis analysis;
    analysis.width = image.cols;
    analysis.height = image.rows;
    cv::Mat bgr = image;
    if (image.channels() == 1) cv::cvtColor(image, bgr, cv::COLOR_GRAY2BGR);
    if (image.channels() == 4) cv::cvtColor(image, bgr, cv::COLOR_BGRA2BGR);

    // YuNet's landmarks degrade on faces above ~300 px: it looks at a 640-px copy.
    const int longSide = options_.detector == Detector::yunet ? std::min(options_.detectLongSide, 640) : options_.detectLongSide;
    const double scale = std::min(2.0, double(longSide) / std::max(bgr.cols, bgr.rows));
    cv::Mat work = bgr;
    if (std::abs(scale - 1.0) > 0.01) {
        const cv::Size size(std::max(1, int(std::lround(bgr.cols * scale))), std::max(1, int(std::lround(bgr.rows * scale))));
        cv::resize(bgr, work, size, 0, 0, scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
    }

    std::vector<std::pair<rectangle, float>> found;
    std::vector<cv::Mat> yunetRows; // in the full photo's pixels, for SFace's alignment
    const cv_image<bgr_pixel> workView(work);
    if (models_->yunet) {
        cv::Mat detections;
        models_->yunet->setInputSize(work.size());
        models_->yunet->detect(work, detections);
        for (int r = 0; r < detections.rows; ++r) {
            const float* d = detections.ptr<float>(r);
            found.emplace_back(rectangle(long(d[0]), long(d[1]), long(d[0] + d[2]), long(d[1] + d[3])), d[14]);
            cv::Mat row = detections.row(r).clone();
            row.colRange(0, 14) /= scale;
            yunetRows.push_back(row);
        }
    } else if (models_->mmod) {
        matrix<rgb_pixel> rgb;
        assign_image(rgb, workView);
        for (const auto& d : (*models_->mmod)(rgb)) found.emplace_back(d.rect, float(d.detection_confidence));
    } else {
        std::vector<rect_detection> detections;
        models_->hog(workView, detections);
        for (const auto& d : detections) found.emplace_back(d.rect, float(d.detection_confidence));
    }

    auto inPhoto = [&](const rectangle& workBox) {
        return rectangle(long(std::lround(workBox.left() / scale)), long(std::lround(workBox.top() / scale)), long(std::lround(workBox.right() / scale)),
                         long(std::lround(workBox.bottom() / scale)));
    };
    auto clipped = [&](const rectangle& box) { return cv::Rect(int(box.left()), int(box.top()), int(box.width()), int(box.height())) & cv::Rect(0, 0, bgr.cols, bgr.rows); };
    // Which faces are described: all, or only the largest (the others are boxed and left alone).
    std::vector<std::size_t> described(found.size());
    std::iota(described.begin(), described.end(), std::size_t{0});
    if (options_.visitorOnly && found.size() > 1) {
        const std::size_t largest = static_cast<std::size_t>(
            std::max_element(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first.area() < b.first.area(); }) - found.begin());
        for (std::size_t n = 0; n < found.size(); ++n)
            if (n != largest) analysis.others.push_back(clipped(inPhoto(found[n].first)));
        described = {largest};
    }

    // Landmarks and chips come from the full-resolution photo: the detector only needs a small
    // copy, the embedding wants every pixel of the face.
    const cv_image<bgr_pixel> full(bgr);
    std::vector<matrix<rgb_pixel>> chips;
    std::vector<std::size_t> embedded;
    std::vector<cv::Mat> aligned; // SFace's inputs, beside `chips`
    for (const std::size_t n : described) {
        const auto& [workBox, score] = found[n];
        const rectangle box = inPhoto(workBox);
        const full_object_detection shape = models_->landmarks(full, box);
        Face face;
        face.box = clipped(box);
        face.detectionScore = score;
        for (unsigned long p = 0; p < 5; ++p) face.landmarks[p] = cv::Point2f(float(shape.part(p).x()), float(shape.part(p).y()));

        const cv::Point2f eyeA = (face.landmarks[0] + face.landmarks[1]) * 0.5f;
        const cv::Point2f eyeB = (face.landmarks[2] + face.landmarks[3]) * 0.5f;
        face.eyeDistance = float(cv::norm(eyeB - eyeA));
        if (face.eyeDistance > 0) {
            // Projected on the eye line, so that a tilted (rolled) head is not taken for a turned one.
            const cv::Point2f axis = (eyeB - eyeA) / face.eyeDistance;
            face.asymmetry = std::abs((face.landmarks[4] - (eyeA + eyeB) * 0.5f).dot(axis)) / face.eyeDistance;
        }

        matrix<rgb_pixel> chip;
        extract_image_chip(full, get_face_chip_details(shape, kChipSize, kChipPadding), chip);
        cv::Mat grey;
        cv::cvtColor(toMat(chip), grey, cv::COLOR_RGB2GRAY);
        cv::Mat laplacian;
        cv::Laplacian(grey, laplacian, CV_64F);
        cv::Scalar mean;
        cv::Scalar deviation;
        cv::meanStdDev(laplacian, mean, deviation);
        face.sharpness = float(deviation[0] * deviation[0]);

        const int side = std::min(face.box.width, face.box.height);
        if (face.eyeDistance < options_.minEyeDistance || side < options_.minBoxSide) {
            face.quality = Quality::too_small;
            face.reason = face.eyeDistance < options_.minEyeDistance ? describe("eye distance (px)", face.eyeDistance, "<", options_.minEyeDistance)
                                                                     : describe("face box side (px)", float(side), "<", float(options_.minBoxSide));
        } else if (face.asymmetry > options_.maxAsymmetry) {
            face.quality = Quality::side_view;
            face.reason = describe("nose offset / eye distance", face.asymmetry, ">", options_.maxAsymmetry);
        } else if (face.sharpness < options_.minSharpness) {
            face.quality = Quality::too_blurred;
            face.reason = describe("variance of the Laplacian", face.sharpness, "<", options_.minSharpness);
        } else {
            if (models_->sface) {
                cv::Mat crop;
                models_->sface->alignCrop(bgr, yunetRows[n], crop);
                aligned.push_back(crop);
            }
            chips.push_back(std::move(chip));
            embedded.push_back(analysis.faces.size());
        }
        analysis.faces.push_back(std::move(face));
    }

    if (models_->sface) {
        for (std::size_t i = 0; i < embedded.size(); ++i) {
            cv::Mat feature;
            models_->sface->feature(aligned[i], feature);
            cv::Mat unit;
            cv::normalize(feature.reshape(1, 1), unit); // on the unit sphere, distance = sqrt(2 - 2 cos)
            Face& face = analysis.faces[embedded[i]];
            for (std::size_t k = 0; k < kEmbeddingSize && k < std::size_t(unit.cols); ++k) face.embedding[k] = unit.at<float>(0, int(k));
            face.hasEmbedding = true;
        }
    } else if (!chips.empty()) {
        const std::vector<matrix<float, 0, 1>> descriptors = models_->resnet(chips);
        for (std::size_t i = 0; i < embedded.size(); ++i) {
            Face& face = analysis.faces[embedded[i]];
            std::copy(descriptors[i].begin(), descriptors[i].end(), face.embedding.begin());
            face.hasEmbedding = true;
        }
    }
    return analysis;
}

}  // namespace anchang::face
