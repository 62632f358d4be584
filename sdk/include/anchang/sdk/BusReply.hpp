#pragma once
/// anchang::sdk::BusReply — the answer to a bus request, success or failure.

#include "anchang/abi.h"
#include "anchang/sdk/Error.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace anchang::sdk {

struct BusReply {
    /// ANCHANG_OK or one of anchang_status.
    int status = 0;
    /// The service's reply body on success; {"code","message"} on failure.
    nlohmann::json body;

    bool ok() const { return status == 0; }
    /// True when no running module offers the service (its module is not enabled).
    bool unavailable() const { return status == ANCHANG_E_UNAVAILABLE; }
    std::string code() const { return body.is_object() ? body.value("code", std::string{"bus.failed"}) : "bus.failed"; }
    std::string message() const { return body.is_object() ? body.value("message", std::string{}) : std::string{}; }

    /// The error as an sdk::Error with an HTTP status the caller can pass on.
    Error error() const {
        int httpStatus = body.is_object() ? body.value("status", 0) : 0;
        if (httpStatus == 0) {
            switch (status) {
            case ANCHANG_E_INVALID: httpStatus = 400; break;
            case ANCHANG_E_NOT_FOUND: httpStatus = 404; break;
            case ANCHANG_E_DENIED: httpStatus = 403; break;
            case ANCHANG_E_CONFLICT: httpStatus = 409; break;
            case ANCHANG_E_UNAVAILABLE: httpStatus = 503; break;
            case ANCHANG_E_TIMEOUT: httpStatus = 504; break;
            default: httpStatus = 500;
            }
        }
        return Error(httpStatus, code(), message());
    }
};

} // namespace anchang::sdk
