#include "api/MediaApi.h"

#include "anchang/sdk/Error.hpp"
#include "audit/AuditLog.h"
#include "auth/AccessPolicy.h"
#include "http/HttpExchange.h"
#include "http/Router.h"
#include "media/MediaLibrary.h"

namespace anchang {

namespace {

/// RFC 5987: the name as UTF-8, percent-encoded, for Content-Disposition's filename*.
std::string encoded(const std::string& name) {
    static const char* digits = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : name) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += digits[c >> 4];
            out += digits[c & 15];
        }
    }
    return out;
}

bool holds(const AccessPolicy& policy, const HttpExchange& ex, const std::string& permission) {
    return permission == "authenticated" || policy.allows(*ex.principal, permission, ex.project);
}

} // namespace

nlohmann::json MediaApi::permitted(HttpExchange& ex, bool upload) {
    auto record = media_.describe(*ex.project, ex.param("id"));
    const auto* kind = media_.kind(record["plugin"], record["kind"]);
    // The owner is not running: its permissions say nothing now, so nobody sees its files.
    if (!kind) throw sdk::Error::notFound("media.not_found", "the module that keeps this file is not running");
    const std::string& needed = upload ? kind->upload : kind->read;
    if (!holds(policy_, ex, needed)) throw sdk::Error::forbidden("auth.forbidden", "this needs the permission " + needed);
    return record;
}

void MediaApi::install(Router& router) {
    Router::Route upload{"POST", RoutePattern("/api/v1/projects/{project}/media/{plugin}/{kind}"), "authenticated", "kernel", [this](HttpExchange& ex) {
        const auto* kind = media_.kind(ex.param("plugin"), ex.param("kind"));
        if (!kind) throw sdk::Error::notFound("media.unknown_kind", "no running module keeps files of kind " + ex.param("plugin") + "/" + ex.param("kind"));
        if (!holds(policy_, ex, kind->upload)) throw sdk::Error::forbidden("auth.forbidden", "this needs the permission " + kind->upload);
        auto& request = ex.request();
        MediaLibrary::Upload what{*ex.project, ex.param("plugin"), ex.param("kind"), ex.queryValue("name").value_or(""), ex.principal->userId,
                                  request.getChunkedTransferEncoding() ? -1 : static_cast<std::int64_t>(request.getContentLength())};
        const auto record = media_.store(what, request.stream());
        ex.sendJson(201, record);
    }};
    upload.streamsBody = true;
    router.add(std::move(upload));

    router.add({"GET", RoutePattern("/api/v1/projects/{project}/media/{id}"), "authenticated", "kernel", [this](HttpExchange& ex) {
        const auto record = permitted(ex, false);
        ex.response().set("Content-Disposition", "inline; filename*=UTF-8''" + encoded(record["name"]));
        ex.response().set("ETag", "\"" + record["sha256"].get<std::string>() + "\"");
        ex.sendFile(media_.file(record), record["content_type"]);
    }});

    router.add({"GET", RoutePattern("/api/v1/projects/{project}/media/{id}/info"), "authenticated", "kernel",
                [this](HttpExchange& ex) { ex.sendJson(200, permitted(ex, false)); }});

    router.add({"GET", RoutePattern("/api/v1/projects/{project}/media/{id}/thumbnail"), "authenticated", "kernel", [this](HttpExchange& ex) {
        const auto width = ex.numberQuery("width").value_or(320);
        const auto record = permitted(ex, false);
        ex.sendFile(media_.thumbnail(record, static_cast<int>(std::clamp<std::int64_t>(width, 0, 1 << 20))), "image/jpeg");
    }});

    router.add({"DELETE", RoutePattern("/api/v1/projects/{project}/media/{id}"), "authenticated", "kernel", [this](HttpExchange& ex) {
        const auto record = permitted(ex, true);
        media_.remove(*ex.project, record["id"], [&](const nlohmann::json& r) {
            audit_.append({ex.principal->userId, ex.principal->username, *ex.project, "media.delete", "media:" + r["id"].get<std::string>(),
                           {{"plugin", r["plugin"]}, {"kind", r["kind"]}, {"name", r["name"]}, {"sha256", r["sha256"]}}});
        });
        ex.send(204, "", "");
    }});
}

} // namespace anchang
