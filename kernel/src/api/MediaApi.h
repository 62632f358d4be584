#pragma once
/// anchang::MediaApi — uploads to and downloads from the media store (MediaLibrary).
///
///   POST   /api/v1/projects/{project}/media/{plugin}/{kind}?name=  the raw file as the body -> 201 record
///   GET    /api/v1/projects/{project}/media/{id}                   the file
///   GET    /api/v1/projects/{project}/media/{id}/info              its record
///   GET    /api/v1/projects/{project}/media/{id}/thumbnail?width=  a JPEG 160/320/640/1280 wide
///   DELETE /api/v1/projects/{project}/media/{id}
///
/// Who may upload, delete and see comes from the kind's manifest entry (upload, read), checked
/// with the caller's roles in that project; another project's id is simply not found.

#include <nlohmann/json.hpp>

namespace anchang {

class AccessPolicy;
class AuditLog;
class HttpExchange;
class MediaLibrary;
class Router;

class MediaApi {
public:
    MediaApi(MediaLibrary& media, const AccessPolicy& policy, AuditLog& audit) : media_(media), policy_(policy), audit_(audit) {}
    void install(Router& router);

private:
    /// The record of the path's file, after checking the caller holds the kind's `read` (or,
    /// with `upload` true, its upload permission).
    nlohmann::json permitted(HttpExchange& ex, bool upload);

    MediaLibrary& media_;
    const AccessPolicy& policy_;
    AuditLog& audit_;
};

} // namespace anchang
