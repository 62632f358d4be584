#pragma once
/// FaceEngine — from a photo to faces: each with its box, 5 landmarks, a quality verdict with its
/// reason, and (when the verdict is ok) its embedding. dlib does the detection (HOG, or MMOD when
/// its model is installed), the landmarks and the ResNet; OpenCV decodes and scales.
/// scripts/face-models installs the models.

#include "Embedding.h"

#include <opencv2/core.hpp>

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace anchang::face {

/// Why a face is refused instead of matched: a bad photo must be retaken, not matched badly.
enum class Quality { ok, too_small, too_blurred, side_view };

/// The stable key of a quality verdict ("ok", "too_small", ...), for JSON and UI keys.
const char* qualityKey(Quality quality);

/// Why a photo could not be read at all. Only JPEG and PNG are accepted: their headers are
/// checked here before any decoder sees them.
enum class ImageError { none, not_an_image, truncated, too_large };

/// The stable key of an image error ("not_an_image", ...).
const char* imageErrorKey(ImageError error);

/// One face found in a photo. Coordinates are in the photo's own pixels.
struct Face {
    cv::Rect box;
    /// dlib's 5 points: right eye outer and inner corner, left eye outer and inner corner, the
    /// base of the nose ("right" is the person's right, on the left of the picture).
    std::array<cv::Point2f, 5> landmarks;
    float detectionScore = 0;
    /// Distance between the two eye centres, in the photo's pixels.
    float eyeDistance = 0;
    /// Variance of the Laplacian of the aligned 150x150 chip: low means blurred.
    float sharpness = 0;
    /// How far the nose sits from the eyes' midpoint along the eye line, relative to the eye
    /// distance: 0 for a frontal face, growing as the head turns.
    float asymmetry = 0;
    Quality quality = Quality::ok;
    /// A sentence for logs and the risk officer, with the measured value and the limit.
    std::string reason;
    /// Filled only when quality is ok.
    bool hasEmbedding = false;
    Embedding embedding{};
};

/// What a photo gave: an error, or zero or more faces (each with its own verdict).
struct Analysis {
    ImageError error = ImageError::none;
    std::string message;
    int width = 0;
    int height = 0;
    std::vector<Face> faces;
    /// With EngineOptions::visitorOnly, the boxes of the faces beside the largest one: found,
    /// and nothing more (no landmarks, no embedding).
    std::vector<cv::Rect> others;
};

/// hog and mmod are dlib's (MEASURED.md); yunet is OpenCV's FaceDetectorYN with an
/// operator-supplied ONNX model (face_detection_yunet_2022mar.onnx loads on OpenCV 4.6).
enum class Detector { hog, mmod, yunet };

/// Who embeds: dlib's ResNet (the CC0 model scripts/face-models installs), or OpenCV's
/// FaceRecognizerSF with an operator-supplied SFace ONNX model (needs the yunet detector, whose
/// landmarks it aligns with). Their embeddings are not comparable: the plugin keeps each
/// embedding's model and searches only the configured one's.
enum class Recognizer { dlib, sface };

/// The limits, with the defaults MEASURED.md explains.
struct EngineOptions {
    Detector detector = Detector::hog;
    Recognizer recognizer = Recognizer::dlib;
    /// The ONNX files for yunet and sface, when chosen.
    std::filesystem::path yunetModel;
    std::filesystem::path sfaceModel;
    /// Photos above this are refused before decoding: 40 MP decodes to 120 MB of pixels.
    std::int64_t maxPixels = 40'000'000;
    /// The detector works on a copy scaled so its long side is this (and at most doubled):
    /// HOG's time grows with the pixels, and it finds no face smaller than about 80 px.
    int detectLongSide = 1280;
    /// Below these a face holds too little detail for a trustworthy embedding.
    float minEyeDistance = 30;
    int minBoxSide = 64;
    float minSharpness = 25;
    float maxAsymmetry = 0.35f;
    /// Only the largest face is described (landmarks, quality, embedding); the others are only
    /// boxed in Analysis::others. The plugin sets it: the largest face is the visitor who agreed,
    /// whoever stands beside them did not.
    bool visitorOnly = false;
};

/// Finds faces with dlib and describes each (or, with EngineOptions::visitorOnly, the largest)
/// with its ResNet embedding.
///
/// Not thread-safe: dlib's detector and networks keep per-call state, so a caller shares one
/// engine behind a mutex or gives each worker thread its own (the models take about 30 MB each
/// time they are loaded).
class FaceEngine {
public:
    /// Loads dlib_face_recognition_resnet_model_v1.dat and shape_predictor_5_face_landmarks.dat
    /// from dir, and mmod_human_face_detector.dat when options ask for MMOD. Throws
    /// std::runtime_error naming the missing or unreadable file.
    FaceEngine(const std::filesystem::path& dir, EngineOptions options = {});
    ~FaceEngine();
    FaceEngine(const FaceEngine&) = delete;
    FaceEngine& operator=(const FaceEngine&) = delete;

    /// Whether the model files the options need are in dir, so a module can say "no model
    /// installed" without trying to load them.
    static bool modelsPresent(const std::filesystem::path& dir, Detector detector = Detector::hog);
    /// The first model file `options` need that is not there, or "" when all are.
    static std::string missingModel(const std::filesystem::path& dir, const EngineOptions& options);

    /// Decodes an uploaded JPEG or PNG after checking its header (format, dimensions against
    /// maxPixels, and that the file is complete), applies its EXIF orientation, and analyses it.
    Analysis analyse(std::span<const unsigned char> encoded);

    /// Analyses a decoded 8-bit image (BGR, BGRA or grey).
    Analysis analyse(const cv::Mat& image);

    const EngineOptions& options() const { return options_; }

private:
    struct Models;
    EngineOptions options_;
    std::unique_ptr<Models> models_;
};

/// Reads the dimensions of a JPEG or PNG from its header and checks that its end marker is
/// present, without decoding the pixels. Exposed for the tests of hostile images.
ImageError inspectImage(std::span<const unsigned char> encoded, int& width, int& height);

}  // namespace anchang::face
