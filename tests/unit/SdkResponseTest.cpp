#include "anchang/sdk/Response.hpp"

#include <gtest/gtest.h>

#include <initializer_list>

using anchang::sdk::Error;
using anchang::sdk::Response;

namespace {

/// The error shape as the README gives it, built as an object: what the written-out body must
/// equal byte for byte.
std::string asObject(const Error& e, const std::string& requestId) {
    const bool internal = e.status() >= 500;
    nlohmann::json error = {{"code", e.code()},
                            {"message", internal ? "internal error, request id " + requestId : std::string(e.what())},
                            {"request_id", requestId}};
    if (!internal && !e.detail().is_null()) error["detail"] = e.detail();
    return nlohmann::json{{"error", std::move(error)}}.dump();
}

} // namespace

TEST(SdkResponse, AnErrorIsTheKernelsShapeByteForByte) {
    const Error plain = Error::conflict("selection.sold", "this unit has just been sold");
    const Error quoted = Error::invalid("form.invalid", "字段 \"phone\" 不对\n\\ <tab>\t");
    Error detailed = Error::conflict("selection.not_yet", "your batch opens at 5");
    detailed.withDetail({{"opens_at", 5}, {"batch", {1, 2}}});
    const Error internal(500, "internal", "the database said: secret");
    for (const Error* e : std::initializer_list<const Error*>{&plain, &quoted, &detailed, &internal}) {
        const auto response = Response::error(*e, "req-\"1\"");
        EXPECT_EQ(response.body, asObject(*e, "req-\"1\"")) << e->code();
        EXPECT_EQ(response.status, e->status());
        EXPECT_EQ(response.contentType, "application/json; charset=utf-8");
    }
    // What went wrong inside is for the log, never the client.
    EXPECT_EQ(Response::error(internal, "r").body.find("secret"), std::string::npos);
}
