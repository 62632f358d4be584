// Measures the face engine and gallery for plugins/face/MEASURED.md: detection and embedding
// time per photo, the quality verdicts, same- and different-person distances with the errors
// each threshold would make, what blur does to sharpness and embeddings, hostile images, and a
// 1:N search over 100,000 embeddings, and what a (simulated) mask does.
//
//   face_measure [IMAGES_DIR [MODELS_DIR [RUNS]]]
//     IMAGES_DIR defaults to ../shared/face/images, MODELS_DIR to var/models, RUNS to 10.
//
// The photos are labelled by file name (obama_2.jpg is "obama"); labelMultiFaces says how the
// faces of a photo named multi_* are.

#include "../../../plugins/face/src/FaceEngine.h"
#include "../../../plugins/face/src/Gallery.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace anchang::face;

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point start) { return std::chrono::duration<double, std::milli>(Clock::now() - start).count(); }

double percentile(std::vector<double> values, double p) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const auto at = std::min(values.size() - 1, std::size_t(p * double(values.size() - 1) + 0.5));
    return values[at];
}

std::vector<unsigned char> readFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

float distance(const Embedding& a, const Embedding& b) {
    float sum = 0;
    for (std::size_t i = 0; i < kEmbeddingSize; ++i) sum += (a[i] - b[i]) * (a[i] - b[i]);
    return std::sqrt(sum);
}

long residentKiB() {
    std::ifstream statm("/proc/self/statm");
    long pages = 0;
    long resident = 0;
    statm >> pages >> resident;
    return resident * 4;
}

struct Photo {
    std::string name;
    std::string label;
    std::vector<unsigned char> bytes;
};

struct LabelledFace {
    std::string photo;
    std::string label;
    Embedding embedding;
};

// Runs an engine over every photo RUNS times; prints the verdicts once and the time per photo.
std::vector<LabelledFace> measureEngine(FaceEngine& engine, const std::vector<Photo>& photos, int runs, const char* title) {
    std::printf("\n## %s: %d runs per photo (decode + detect + landmarks + quality + embed)\n", title, runs);
    std::printf("%-26s %11s %5s %9s %9s  faces\n", "photo", "size", "found", "p50 ms", "p99 ms");
    std::vector<LabelledFace> faces;
    std::vector<double> all;
    for (const Photo& photo : photos) {
        std::vector<double> times;
        Analysis analysis;
        for (int run = 0; run < runs; ++run) {
            const auto start = Clock::now();
            analysis = engine.analyse(std::span<const unsigned char>(photo.bytes));
            times.push_back(msSince(start));
        }
        all.insert(all.end(), times.begin(), times.end());
        std::printf("%-26s %5dx%-5d %5zu %9.1f %9.1f ", photo.name.c_str(), analysis.width, analysis.height, analysis.faces.size(), percentile(times, 0.5),
                    percentile(times, 0.99));
        for (const Face& face : analysis.faces) {
            std::printf(" [%dx%d eyes %.0fpx asym %.2f sharp %.0f score %.2f %s]", face.box.width, face.box.height, double(face.eyeDistance), double(face.asymmetry),
                        double(face.sharpness), double(face.detectionScore), qualityKey(face.quality));
            if (face.hasEmbedding) faces.push_back({photo.name, photo.label, face.embedding});
        }
        std::printf("\n");
    }
    std::printf("all photos: p50 %.1f ms, p99 %.1f ms\n", percentile(all, 0.5), percentile(all, 0.99));
    return faces;
}

// A face in a multi_* photo takes the label of its nearest labelled face only when that is
// unambiguous (nearer than 0.5, every other label farther than 0.75); otherwise it counts as a
// person of its own, different from everyone. multi_obama_and_biden.jpg has a third face, a child
// at the edge of the picture, that this keeps from being counted as Obama.
void labelMultiFaces(std::vector<LabelledFace>& faces) {
    int unknown = 0;
    for (LabelledFace& face : faces) {
        if (!face.label.empty()) continue;
        std::string nearest;
        float best = 1e9f;
        float secondBest = 1e9f;
        std::printf("%s: a face at", face.photo.c_str());
        for (const char* label : {"obama", "biden", "alex_lacamoire"}) {
            float closest = 1e9f;
            for (const LabelledFace& other : faces)
                if (other.label == label) closest = std::min(closest, distance(face.embedding, other.embedding));
            std::printf(" %s %.3f", label, double(closest));
            if (closest < best) {
                secondBest = best;
                best = closest;
                nearest = label;
            } else {
                secondBest = std::min(secondBest, closest);
            }
        }
        face.label = best < 0.5f && secondBest > 0.75f ? nearest : "unknown#" + std::to_string(++unknown);
        std::printf(" -> labelled %s\n", face.label.c_str());
    }
}

void measureThresholds(const std::vector<LabelledFace>& faces) {
    std::vector<float> same;
    std::vector<float> different;
    std::printf("\n## pairs\n");
    for (std::size_t a = 0; a < faces.size(); ++a)
        for (std::size_t b = a + 1; b < faces.size(); ++b) {
            const float d = distance(faces[a].embedding, faces[b].embedding);
            const bool isSame = faces[a].label == faces[b].label;
            (isSame ? same : different).push_back(d);
            std::printf("%-6s %.3f  %s / %s\n", isSame ? "same" : "diff", double(d), faces[a].photo.c_str(), faces[b].photo.c_str());
        }
    std::sort(same.begin(), same.end());
    std::sort(different.begin(), different.end());
    const auto summary = [](const char* what, const std::vector<float>& d) {
        if (d.empty()) return;
        std::printf("%s: %zu pairs, min %.3f, median %.3f, max %.3f\n", what, d.size(), double(d.front()), double(d[d.size() / 2]), double(d.back()));
    };
    std::printf("\n## distances\n");
    summary("same person", same);
    summary("different people", different);
    std::printf("\n## thresholds (a match is distance < threshold)\n%9s %22s %26s\n", "threshold", "false matches", "false non-matches");
    for (int t = 45; t <= 65; t += 1) {
        const float threshold = float(t) / 100;
        const auto fm = std::count_if(different.begin(), different.end(), [&](float d) { return d < threshold; });
        const auto fnm = std::count_if(same.begin(), same.end(), [&](float d) { return d >= threshold; });
        std::printf("%9.2f %12ld of %-8zu %14ld of %-8zu\n", double(threshold), long(fm), different.size(), long(fnm), same.size());
    }
}

// Blurs each photo and shows what it does to the chip's sharpness and to the embedding: the
// blur limit must refuse faces before their embeddings drift towards a false non-match.
void measureBlur(FaceEngine& lenient, const std::vector<Photo>& photos) {
    std::printf("\n## blur: sharpness / distance to the sharp photo's embedding (first face), by Gaussian sigma in chip-sized pixels\n");
    for (const Photo& photo : photos) {
        const cv::Mat image = cv::imdecode(cv::Mat(photo.bytes), cv::IMREAD_COLOR);
        const Analysis sharp = lenient.analyse(image);
        if (sharp.faces.empty() || !sharp.faces[0].hasEmbedding) continue;
        std::printf("%-26s", photo.name.c_str());
        // Sigma is scaled to the face, so that a sigma means the same blur on the 150 px chip
        // whatever the photo's resolution.
        const double chipScale = sharp.faces[0].eyeDistance / 45.0;
        for (double sigma : {0.0, 1.0, 1.5, 2.0, 3.0, 4.0}) {
            cv::Mat blurred = image;
            if (sigma > 0) cv::GaussianBlur(image, blurred, cv::Size(), sigma * chipScale);
            const Analysis analysis = lenient.analyse(blurred);
            if (analysis.faces.empty() || !analysis.faces[0].hasEmbedding) {
                std::printf("  s%.1f: lost", sigma);
                continue;
            }
            std::printf("  s%.1f: %5.0f / %.3f", sigma, double(analysis.faces[0].sharpness),
                        double(distance(analysis.faces[0].embedding, sharp.faces[0].embedding)));
        }
        std::printf("\n");
    }
}

void measureHostile(FaceEngine& engine, const std::vector<Photo>& photos) {
    std::printf("\n## hostile input\n");
    const auto show = [&](const char* what, const std::vector<unsigned char>& bytes) {
        const auto start = Clock::now();
        const Analysis a = engine.analyse(std::span<const unsigned char>(bytes));
        std::printf("%-44s -> %-13s %zu faces, %.1f ms: %s\n", what, imageErrorKey(a.error), a.faces.size(), msSince(start), a.message.c_str());
    };
    const std::vector<unsigned char>& jpeg = photos.front().bytes;
    show("a JPEG cut in half", std::vector<unsigned char>(jpeg.begin(), jpeg.begin() + static_cast<std::ptrdiff_t>(jpeg.size() / 2)));
    show("a JPEG without its last 2 bytes", std::vector<unsigned char>(jpeg.begin(), jpeg.end() - 2));
    show("text", std::vector<unsigned char>{'h', 'e', 'l', 'l', 'o'});
    show("empty", {});
    std::vector<unsigned char> png;
    cv::imencode(".png", cv::Mat(64, 64, CV_8UC3, cv::Scalar(90, 120, 200)), png);
    show("a 64x64 PNG", png);
    png[16] = png[17] = png[20] = png[21] = 0;
    png[18] = png[22] = 0xC3;
    png[19] = png[23] = 0x50;  // 50000x50000 in the header, 64x64 in the data
    show("a PNG claiming 50000x50000", png);
    png.resize(png.size() - 12);
    show("a PNG without its IEND chunk", png);
    std::vector<unsigned char> big;
    cv::imencode(".jpg", cv::Mat(8000, 6000, CV_8UC3, cv::Scalar(128, 128, 128)), big);
    show("a real 8000x6000 JPEG (48 MP)", big);
}

// Masked faces, simulated: no photo here shows a mask, so a surgical-mask-coloured shape is drawn
// over each face from just below the nose to below the chin (from dlib's own landmarks), and the
// masked photo goes through the ordinary engine. What this shows is what dlib does with the lower
// half of a face hidden; a real mask (folds, shadows, a different colour) may do worse.
void measureMasks(FaceEngine& engine, const std::vector<Photo>& photos, const std::vector<LabelledFace>& faces) {
    std::printf("\n## masked faces (simulated: lower face covered from the nose down)\n");
    std::printf("%-26s %-9s %-12s %14s %18s\n", "photo", "found", "verdict", "to own unmasked", "nearest other person");
    int found = 0, embedded = 0, within = 0, falseMatches = 0, total = 0;
    for (const Photo& photo : photos) {
        if (photo.label.empty()) continue;
        ++total;
        cv::Mat image = cv::imdecode(photo.bytes, cv::IMREAD_COLOR);
        const Analysis plain = engine.analyse(image);
        if (plain.faces.size() != 1) continue;
        const Face& face = plain.faces[0];
        const cv::Point2f nose = face.landmarks[4];
        const float eye = face.eyeDistance;
        const float left = std::min(face.landmarks[0].x, face.landmarks[2].x) - 0.35f * eye;
        const float right = std::max(face.landmarks[0].x, face.landmarks[2].x) + 0.35f * eye;
        const float top = nose.y - 0.12f * eye;
        const float bottom = float(face.box.y + face.box.height) + 0.25f * float(face.box.height);
        std::vector<cv::Point> mask = {{int(left), int(top)}, {int(right), int(top)}, {int(right - 0.1f * eye), int(bottom)}, {int(left + 0.1f * eye), int(bottom)}};
        cv::fillConvexPoly(image, mask, cv::Scalar(222, 200, 170), cv::LINE_AA);
        const Analysis masked = engine.analyse(image);
        if (masked.faces.empty()) {
            std::printf("%-26s %-9s\n", photo.name.c_str(), "no");
            continue;
        }
        ++found;
        const Face& m = masked.faces[0];
        if (!m.hasEmbedding) {
            std::printf("%-26s %-9s %-12s %s\n", photo.name.c_str(), "yes", qualityKey(m.quality), m.reason.c_str());
            continue;
        }
        ++embedded;
        float own = 9, other = 9;
        for (const LabelledFace& f : faces) {
            const float d = distance(m.embedding, f.embedding);
            if (f.photo == photo.name) own = d;
            else if (f.label != photo.label && !f.label.empty()) other = std::min(other, d);
        }
        if (own <= 0.5f) ++within;
        if (other <= 0.5f) ++falseMatches;
        std::printf("%-26s %-9s %-12s %14.3f %18.3f\n", photo.name.c_str(), "yes", "ok", double(own), double(other));
    }
    std::printf("found %d of %d, embedded %d, same person within 0.50: %d, another person within 0.50: %d\n", found, total, embedded, within, falseMatches);
}

void measureGallery() {
    constexpr std::size_t kCount = 100'000;
    constexpr int kQueries = 2000;
    std::mt19937 random(15);
    std::normal_distribution<float> normal(0, 1);
    const auto randomEmbedding = [&] {
        Embedding e;
        float norm = 0;
        for (float& v : e) {
            v = normal(random);
            norm += v * v;
        }
        // dlib's descriptors have a length near 1; so do these.
        for (float& v : e) v /= std::sqrt(norm);
        return e;
    };
    const long before = residentKiB();
    Gallery gallery;
    gallery.reserve(kCount);
    for (std::size_t i = 0; i < kCount; ++i) gallery.add(std::int64_t(i), randomEmbedding());
    const long after = residentKiB();
    std::vector<double> times;
    float sink = 0;
    for (int q = 0; q < kQueries; ++q) {
        const Embedding query = randomEmbedding();
        const auto start = Clock::now();
        const std::vector<Match> top = gallery.best(query, 5);
        times.push_back(msSince(start));
        sink += top.front().distance;
    }
    const auto start = Clock::now();
    for (std::int64_t id = 0; id < 1000; ++id) gallery.remove(id * 97);
    const double removeMs = msSince(start);
    std::printf("\n## gallery: %zu random unit embeddings, %d queries, k=5\n", kCount, kQueries);
    std::printf("search p50 %.2f ms, p99 %.2f ms; memory %.1f MB by count, resident +%.1f MB; 1000 removals %.2f ms (checksum %.1f)\n",
                percentile(times, 0.5), percentile(times, 0.99), double(gallery.memoryBytes()) / 1e6, double(after - before) / 1024, removeMs, double(sink));
}

}  // namespace

int main(int argc, char** argv) {
    const fs::path images = argc > 1 ? argv[1] : "../shared/face/images";
    const fs::path models = argc > 2 ? argv[2] : "var/models";
    const int runs = argc > 3 ? std::atoi(argv[3]) : 10;
    if (!fs::is_directory(images)) {
        std::printf("skipped: no test photos at %s\n", images.c_str());
        return 0;
    }
    if (!FaceEngine::modelsPresent(models)) {
        std::printf("skipped: no face models at %s (run scripts/face-models)\n", models.c_str());
        return 0;
    }

    std::vector<Photo> photos;
    for (const fs::directory_entry& entry : fs::directory_iterator(images)) {
        if (entry.path().extension() != ".jpg") continue;
        std::string stem = entry.path().stem().string();
        const std::string label = stem.starts_with("multi_") ? "" : stem.substr(0, stem.rfind('_'));
        photos.push_back({entry.path().filename().string(), label, readFile(entry.path())});
    }
    std::sort(photos.begin(), photos.end(), [](const Photo& a, const Photo& b) { return a.name < b.name; });

    auto start = Clock::now();
    FaceEngine hog(models);
    std::printf("HOG engine loaded in %.0f ms\n", msSince(start));
    std::vector<LabelledFace> faces = measureEngine(hog, photos, runs, "HOG detector");
    labelMultiFaces(faces);
    measureThresholds(faces);
    measureHostile(hog, photos);

    EngineOptions lenientOptions;
    lenientOptions.minEyeDistance = 0;
    lenientOptions.minBoxSide = 0;
    lenientOptions.minSharpness = 0;
    lenientOptions.maxAsymmetry = 1e9f;
    FaceEngine lenient(models, lenientOptions);
    measureBlur(lenient, photos);

    if (FaceEngine::modelsPresent(models, Detector::mmod)) {
        EngineOptions mmodOptions;
        mmodOptions.detector = Detector::mmod;
        start = Clock::now();
        FaceEngine mmod(models, mmodOptions);
        std::printf("\nMMOD engine loaded in %.0f ms\n", msSince(start));
        measureEngine(mmod, photos, std::max(1, runs / 5), "MMOD detector");
    }

    // OpenCV's YuNet (operator-supplied ONNX; ../shared/face/models has the 2022mar one) as the
    // detector, dlib's ResNet still embedding.
    if (const fs::path yunet = images / ".." / "models" / "face_detection_yunet_2022mar.onnx"; fs::exists(yunet)) {
        EngineOptions yunetOptions;
        yunetOptions.detector = Detector::yunet;
        yunetOptions.yunetModel = yunet;
        FaceEngine engine(models, yunetOptions);
        std::vector<LabelledFace> yunetFaces = measureEngine(engine, photos, runs, "YuNet detector, dlib ResNet");
        labelMultiFaces(yunetFaces);
        measureThresholds(yunetFaces);
    }

    measureMasks(hog, photos, faces);
    measureGallery();
    return 0;
}
