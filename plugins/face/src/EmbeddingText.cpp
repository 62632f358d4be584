#include "EmbeddingText.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>

#include <bit>
#include <cstring>
#include <sstream>

namespace anchang::face {

static_assert(std::endian::native == std::endian::little, "embeddings are stored as little-endian floats");

std::string EmbeddingText::encode(const Embedding& embedding) {
    std::ostringstream out;
    Poco::Base64Encoder encoder(out, Poco::BASE64_NO_PADDING);
    encoder.rdbuf()->setLineLength(0);
    encoder.write(reinterpret_cast<const char*>(embedding.data()), sizeof(float) * embedding.size());
    encoder.close();
    return out.str();
}

std::optional<Embedding> EmbeddingText::decode(const std::string& text) {
    std::istringstream in(text);
    Poco::Base64Decoder decoder(in, Poco::BASE64_NO_PADDING);
    std::string bytes((std::istreambuf_iterator<char>(decoder)), std::istreambuf_iterator<char>());
    Embedding embedding{};
    if (bytes.size() != sizeof(float) * embedding.size()) return std::nullopt;
    std::memcpy(embedding.data(), bytes.data(), bytes.size());
    return embedding;
}

}  // namespace anchang::face
