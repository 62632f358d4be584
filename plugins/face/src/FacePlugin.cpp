// face: face risk control (人脸风控), consent first, on the developer's own server. Routes and
// wiring; the rules live in BypassRule, ConsentWindow and RetentionPolicy, the records in
// CaptureDesk, AlertBook and FaceData, the engines in EngineRoom.

#include "AlertBook.h"
#include "CaptureDesk.h"
#include "EmbeddingText.h"
#include "FaceData.h"

#include <anchang/sdk/Plugin.hpp>

#include <Poco/Base64Decoder.h>

#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <thread>

using namespace anchang::sdk;

namespace anchang::face {

class FacePlugin : public Plugin {
public:
    void start(Host& host) override {
        const auto config = host.config();
        const double threshold = config.value("threshold", 0.5);
        // dlib's distances: 0.50 (MEASURED.md); SFace on the unit sphere: about 1.13 (cosine 0.363).
        if (threshold <= 0.2 || threshold >= 2.0) throw std::runtime_error("threshold must be between 0.2 and 2.0 (MEASURED.md: 0.50 for dlib)");
        const std::int64_t photoDays = config.value("photo_retention_days", 0);
        const std::int64_t embeddingDays = config.value("embedding_retention_days", 365);
        if (photoDays < 0 || photoDays > 365 || embeddingDays < 1 || embeddingDays > 3650)
            throw std::runtime_error("photo_retention_days must be 0-365 and embedding_retention_days 1-3650");
        const std::string detector = config.value("detector", std::string("hog"));
        if (detector != "hog" && detector != "mmod" && detector != "yunet") throw std::runtime_error("detector must be hog, mmod or yunet");
        const std::string recognizer = config.value("recognizer", std::string("dlib"));
        if (recognizer != "dlib" && recognizer != "sface") throw std::runtime_error("recognizer must be dlib or sface");
        if (recognizer == "sface" && detector != "yunet") throw std::runtime_error("the sface recognizer needs the yunet detector");
        const auto models = EngineRoom::modelsDir(config.value("models_dir", std::string{}));
        EngineOptions options;
        options.detector = detector == "mmod" ? Detector::mmod : detector == "yunet" ? Detector::yunet : Detector::hog;
        options.recognizer = recognizer == "sface" ? Recognizer::sface : Recognizer::dlib;
        // Operator-supplied ONNX files, by name in the models folder or by path.
        if (const std::string file = config.value("yunet_model", std::string{}); !file.empty()) options.yunetModel = models / file;
        if (const std::string file = config.value("sface_model", std::string{}); !file.empty()) options.sfaceModel = models / file;
        options.visitorOnly = true; // companions in the frame did not agree: their faces are not described

        rule_ = std::make_unique<BypassRule>(static_cast<float>(threshold));
        retention_ = std::make_unique<RetentionPolicy>(photoDays, embeddingDays);
        notice_ = std::make_unique<Notice>(Notice::fromConfig(config, photoDays, embeddingDays));
        host.degrade("loading the face models");
        const int engines = std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, 4);
        engines_ = std::make_unique<EngineRoom>(models, options, engines,
                                                [&host](const std::string& reason) { host.degrade(reason); });
        const auto hold = config.value("hold_channel_confirmation", nlohmann::json(true));
        if (!hold.is_boolean() && !hold.is_object()) throw std::runtime_error("hold_channel_confirmation must be true, false or {project code: true/false, default}");
        alerts_ = std::make_unique<AlertBook>(host, *rule_, hold);
        desk_ = std::make_unique<CaptureDesk>(host, *engines_, galleries_, *rule_, *retention_, *notice_, *alerts_, recognizer);
        // The engine as the processing record names it, in both languages (the names are products').
        const std::string detectorName = detector == "yunet" ? "OpenCV YuNet" : detector == "mmod" ? "dlib MMOD" : "dlib HOG";
        const nlohmann::json engine = {
            {"zh-CN", (recognizer == "sface" ? std::string("OpenCV SFace 特征（运营方自备 ONNX 模型）") : std::string("dlib ResNet 128 维特征（face-recognition-models 模型，CC0 许可）")) +
                          "；" + detectorName + " 人脸检测；5 点关键点对齐"},
            {"en", (recognizer == "sface" ? std::string("OpenCV SFace (operator-supplied ONNX)") : std::string("dlib ResNet 128-d (face-recognition-models, CC0)")) +
                       ", " + detectorName + " detector, 5-point landmarks"}};
        data_ = std::make_unique<FaceData>(host, galleries_, *retention_, *notice_, *engines_, static_cast<float>(threshold), engine);
        if (const std::string seed = config.value("demo_seed", std::string{}); !seed.empty()) loadDemo(host, seed);
        host.info("face gallery: " + std::to_string(desk_->load()) + " embeddings");
        routes(host);
        host.serve("face.visit.check", [this](const BusMessage& m) { return desk_->check(m.project(), m.body()); });
        host.serve("face.channel.confirmation", [this](const BusMessage& m) { return alerts_->confirmation(m.project(), m.body()); });
        host.subscribe("visit.registered", [this](const BusMessage& e) { desk_->visitRegistered(e.project(), e.body()); });
        host.subscribe("deal.subscribed", [this](const BusMessage& e) { desk_->subscribed(e.project(), e.body()); });
        host.job("retention_purge", [this](const Host::JobRun& run) { return data_->purge(run.project); });
    }

    /// The loader thread ends before the host it reports to goes.
    void stop() override { engines_.reset(); }

private:
    static Actor actor(const Request& r) { return {r.userId(), r.displayName().empty() ? r.username() : r.displayName()}; }

    static std::string decode64(const std::string& text) {
        std::istringstream in(text);
        Poco::Base64Decoder decoder(in);
        return {std::istreambuf_iterator<char>(decoder), std::istreambuf_iterator<char>()};
    }

    void routes(Host& host) {
        host.route("notice.get", [this](const Request&) { return Response::json(desk_->notice()); });
        host.route("consents.create", [this](const Request& r) { return Response::created(desk_->consent(r.idParam("project"), r.json(), actor(r))); });
        host.route("captures.create", [this](const Request& r) {
            const auto consent = r.numberQuery("consent");
            if (!consent) throw Error::invalid("face.invalid", "say which consent the photo is under: ?consent=ID");
            return Response::created(desk_->capture(r.idParam("project"), *consent, r.body(), r.header("content-type").value_or(""), actor(r)));
        });
        host.route("cameras.capture", [this](const Request& r) {
            return Response::created(desk_->cameraCapture(r.idParam("project"), r.param("camera"), r.body(), r.header("content-type").value_or(""), actor(r)));
        });
        host.route("captures.photo", [this](const Request& r) {
            return Response::text(decode64(desk_->photo(r.idParam("project"), r.idParam("id", "face.photo_not_kept"), actor(r))), "image/jpeg");
        });
        host.route("alerts.list", [this](const Request& r) { return Response::json(alerts_->list(r.idParam("project"), r.query("status").value_or("open"))); });
        host.route("alerts.get", [this](const Request& r) { return Response::json(alerts_->get(r.idParam("project"), r.idParam("id", "face.alert_not_found"), actor(r))); });
        host.route("alerts.rule", [this](const Request& r) {
            return Response::json(alerts_->rule(r.idParam("project"), r.idParam("id", "face.alert_not_found"), r.json(), actor(r)));
        });
        host.route("people.get", [this](const Request& r) { return Response::json(data_->person(r.idParam("project"), r.query("phone").value_or(""), actor(r))); });
        host.route("people.export", [this](const Request& r) { return Response::json(data_->exportPerson(r.idParam("project"), r.json(), actor(r))); });
        host.route("people.delete", [this](const Request& r) { return Response::json(data_->erasePerson(r.idParam("project"), r.json(), actor(r))); });
        host.route("record.get", [this](const Request& r) { return Response::json(data_->record(r.idParam("project"))); });
    }

    /// config/demo/face.json, once, into an empty project: made-up embeddings (no one's face),
    /// visits in time order, and the alerts the real rule raises on them.
    void loadDemo(Host& host, const std::string& file) {
        std::ifstream in(file);
        const auto seed = nlohmann::json::parse(in, nullptr, false);
        if (!seed.is_object()) {
            host.warning("face demo seed unreadable: " + file);
            return;
        }
        std::int64_t project = 0;
        const auto projects = host.request("kernel.projects.list", nlohmann::json::object());
        for (const auto& p : projects["projects"])
            if (p["code"] == seed.value("project", "")) project = p["id"];
        if (!project || host.db().one("SELECT id FROM face_consents WHERE project_id = ?", {project})) {
            host.info("face demo seed: no project " + seed.value("project", "") + ", or it has face data already");
            return;
        }
        auto visits = seed.value("visits", nlohmann::json::array());
        std::stable_sort(visits.begin(), visits.end(), [](const auto& a, const auto& b) { return a.value("days_ago", 0) > b.value("days_ago", 0); });
        const std::int64_t now = host.now();
        std::int64_t risk = 0;
        std::string riskName = "risk";
        if (const auto users = host.request("kernel.users.get", {{"usernames", {"risk"}}}, project)["users"]; !users.empty()) {
            risk = users[0]["id"];
            riskName = users[0].value("display_name", riskName);
        }
        host.db().transaction([&] {
            for (const auto& v : visits) {
                const std::int64_t at = now - v.value("days_ago", 0) * RetentionPolicy::kDayMs;
                Embedding e{};
                std::mt19937 person(static_cast<unsigned>(v.value("person", 1)));
                std::normal_distribution<float> unit(0.0f, 0.088f);
                for (auto& x : e) x = unit(person);
                std::mt19937 visit(static_cast<unsigned>(at & 0xffffffff));
                std::normal_distribution<float> noise(0.0f, 0.012f);
                for (auto& x : e) x += noise(visit);
                const std::int64_t consent = host.db().query("INSERT INTO face_consents (project_id, phone, name, decision, notice_version, created_by, created_at) "
                                                             "VALUES (?, ?, ?, 'accepted', ?, 0, ?) RETURNING id",
                                                             {project, v["phone"], v["name"], notice_->version(), at})[0]["id"];
                const std::int64_t capture = host.db().query("INSERT INTO face_captures (project_id, consent_id, phone, name, width, height, faces, source, channel, created_by, created_at) "
                                                             "VALUES (?, ?, ?, ?, 1280, 960, 1, ?, ?, 0, ?) RETURNING id",
                                                             {project, consent, v["phone"], v["name"], v["source"], v.value("channel", nlohmann::json(nullptr)), at})[0]["id"];
                const std::int64_t id = host.db().query("INSERT INTO face_embeddings (project_id, capture_id, face_index, box, vector, expires_at) VALUES (?, ?, 0, ?, ?, ?) RETURNING id",
                                                        {project, capture, R"({"x":420,"y":210,"w":300,"h":300})", EmbeddingText::encode(e), retention_->embeddingUntil(at)})[0]["id"];
                const auto row = *host.db().one("SELECT * FROM face_captures WHERE id = ?", {capture});
                const Sighting current{capture, v["phone"], 0, v["source"], at, 0};
                if (const auto finding = rule_->atVisit(current, desk_->nearest(project, e, 16))) {
                    const auto earlier = *host.db().one("SELECT * FROM face_captures WHERE id = ?", {finding->earlier.captureId});
                    alerts_->raise(project, *finding, AlertBook::snapshot(row), AlertBook::snapshot(earlier), nullptr);
                    if (v.contains("ruling") && risk)
                        host.db().exec("UPDATE face_alerts SET status = ?, note = ?, ruled_by = ?, ruled_by_name = ?, ruled_at = ? WHERE project_id = ? AND capture_id = ?",
                                       {v["ruling"]["verdict"] == "bypass" ? "confirmed" : "dismissed", v["ruling"]["note"], risk, riskName, now, project, capture});
                    if (v.contains("ruling") && risk) host.call("kernel.alert.resolve", {{"kind", "face.bypass"}, {"subject", "face_alert:" + std::to_string((*host.db().one("SELECT id FROM face_alerts WHERE project_id = ? AND capture_id = ?", {project, capture}))["id"].get<std::int64_t>())}}, project);
                }
                galleries_.add(project, id, e);
            }
        });
    }

    Galleries galleries_;
    std::unique_ptr<BypassRule> rule_;
    std::unique_ptr<RetentionPolicy> retention_;
    std::unique_ptr<Notice> notice_;
    std::unique_ptr<EngineRoom> engines_;
    std::unique_ptr<AlertBook> alerts_;
    std::unique_ptr<CaptureDesk> desk_;
    std::unique_ptr<FaceData> data_;
};

}  // namespace anchang::face

ANCHANG_PLUGIN(anchang::face::FacePlugin)
