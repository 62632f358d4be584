#include "ReportCode.h"

#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cctype>
#include <stdexcept>

namespace anchang::channel {

namespace {

constexpr const char* kAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"; // Crockford's base32
constexpr std::size_t kIdBytes = 5;
constexpr std::size_t kMacBytes = 5;

int valueOf(char c) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (c == 'O') c = '0'; // read aloud, O and I/L are zero and one
    if (c == 'I' || c == 'L') c = '1';
    for (int i = 0; i < 32; ++i)
        if (kAlphabet[i] == c) return i;
    return -1;
}

} // namespace

std::string ReportCode::mac(const char* purpose, std::int64_t project, std::int64_t id, std::int64_t agent) const {
    const std::string message = std::string(purpose) + "|" + std::to_string(project) + "|" + std::to_string(id) + "|" + std::to_string(agent);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()), reinterpret_cast<const unsigned char*>(message.data()), message.size(),
         digest, &length);
    return std::string(reinterpret_cast<const char*>(digest), kMacBytes);
}

std::string ReportCode::encode(std::int64_t id, const std::string& mac) {
    if (id <= 0 || id >= (std::int64_t{1} << (8 * kIdBytes))) throw std::out_of_range("id out of the code's range");
    std::string bytes;
    for (int i = kIdBytes - 1; i >= 0; --i) bytes += static_cast<char>((id >> (8 * i)) & 0xFF);
    bytes += mac;
    // 80 bits -> 16 characters of 5 bits.
    std::string code;
    unsigned buffer = 0;
    int bits = 0;
    for (const unsigned char byte : bytes) {
        buffer = (buffer << 8) | byte;
        bits += 8;
        while (bits >= 5) {
            code += kAlphabet[(buffer >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    return code.substr(0, 4) + "-" + code.substr(4, 4) + "-" + code.substr(8, 4) + "-" + code.substr(12, 4);
}

std::string ReportCode::issue(std::int64_t project, std::int64_t report, std::int64_t agent) const {
    return encode(report, mac("channel.report", project, report, agent));
}

std::string ReportCode::companyLink(std::int64_t project, std::int64_t company) const {
    return encode(company, mac("channel.company_link", project, company, 0));
}

std::optional<std::int64_t> ReportCode::linkedCompany(std::int64_t project, const std::string& token) const {
    const auto decoded = decode(token);
    if (!decoded) return std::nullopt;
    const std::string expected = mac("channel.company_link", project, decoded->report, 0);
    if (CRYPTO_memcmp(expected.data(), decoded->mac.data(), expected.size()) != 0) return std::nullopt;
    return decoded->report;
}

std::optional<ReportCode::Decoded> ReportCode::decode(const std::string& code) {
    std::string bytes;
    unsigned buffer = 0;
    int bits = 0, characters = 0;
    for (const char c : code) {
        if (c == '-' || c == ' ') continue;
        const int value = valueOf(c);
        if (value < 0 || ++characters > 16) return std::nullopt;
        buffer = (buffer << 5) | static_cast<unsigned>(value);
        bits += 5;
        if (bits >= 8) {
            bytes += static_cast<char>((buffer >> (bits - 8)) & 0xFF);
            bits -= 8;
        }
    }
    if (characters != 16) return std::nullopt;
    Decoded out;
    for (std::size_t i = 0; i < kIdBytes; ++i) out.report = (out.report << 8) | static_cast<unsigned char>(bytes[i]);
    out.mac = bytes.substr(kIdBytes, kMacBytes);
    if (out.report <= 0) return std::nullopt;
    return out;
}

bool ReportCode::genuine(std::int64_t project, std::int64_t agent, const Decoded& decoded) const {
    const std::string expected = mac("channel.report", project, decoded.report, agent);
    return decoded.mac.size() == expected.size() && CRYPTO_memcmp(expected.data(), decoded.mac.data(), expected.size()) == 0;
}

std::string ReportCode::newSecret() {
    unsigned char raw[32];
    if (RAND_bytes(raw, sizeof raw) != 1) throw std::runtime_error("no randomness for the report code key");
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (const unsigned char b : raw) {
        out += hex[b >> 4];
        out += hex[b & 15];
    }
    return out;
}

} // namespace anchang::channel
