#include "auth/DeviceTrust.h"

#include "anchang/sdk/Json.hpp"
#include "auth/TokenService.h"
#include "crypto/Hmac.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <Poco/RandomStream.h>
#include <Poco/Timestamp.h>

#include <nlohmann/json.hpp>

#include <iomanip>
#include <sstream>

namespace anchang {

namespace {

constexpr const char* kPurpose = "device";

std::string encode(const std::string& bytes) {
    std::ostringstream out;
    Poco::Base64Encoder encoder(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
    encoder.rdbuf()->setLineLength(0);
    encoder << bytes;
    encoder.close();
    return out.str();
}

std::optional<std::string> decode(const std::string& text) {
    try {
        std::istringstream in(text);
        Poco::Base64Decoder decoder(in, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
        std::string bytes((std::istreambuf_iterator<char>(decoder)), std::istreambuf_iterator<char>());
        return bytes;
    } catch (...) {
        return std::nullopt;
    }
}

std::int64_t nowSeconds() { return Poco::Timestamp().epochTime(); }

} // namespace

std::string DeviceTrust::issue(std::int64_t userId, std::int64_t generation, std::string deviceId) const {
    if (deviceId.empty()) {
        unsigned char random[12];
        Poco::RandomInputStream().read(reinterpret_cast<char*>(random), sizeof random);
        std::ostringstream hex;
        for (unsigned char byte : random) hex << std::hex << std::setw(2) << std::setfill('0') << static_cast<int>(byte);
        deviceId = hex.str();
    }
    const std::string payload =
        encode(nlohmann::json{{"u", userId}, {"d", deviceId}, {"g", generation}, {"e", nowSeconds() + ttlSeconds_}}.dump());
    return payload + "." + tokens_.sign(kPurpose, payload);
}

std::optional<DeviceTrust::Device> DeviceTrust::verify(const std::string& token) const {
    const auto dot = token.find('.');
    if (token.size() > 512 || dot == std::string::npos) return std::nullopt;
    const std::string payload = token.substr(0, dot);
    if (!Hmac::same(tokens_.sign(kPurpose, payload), token.substr(dot + 1))) return std::nullopt;
    const auto bytes = decode(payload);
    if (!bytes) return std::nullopt;
    const nlohmann::json claims = sdk::Json::parse(*bytes);
    if (!claims.is_object() || !claims.contains("u") || !claims["u"].is_number_integer() || !claims.contains("d") ||
        !claims["d"].is_string() || !claims.contains("g") || !claims["g"].is_number_integer() || !claims.contains("e") ||
        !claims["e"].is_number_integer() || claims["e"].get<std::int64_t>() <= nowSeconds())
        return std::nullopt;
    return Device{claims["u"].get<std::int64_t>(), claims["d"].get<std::string>(), claims["g"].get<std::int64_t>()};
}

} // namespace anchang
