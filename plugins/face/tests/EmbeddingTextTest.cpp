// EmbeddingText: an embedding reads back bit for bit; a damaged row is refused, not half-read.
#include "EmbeddingText.h"

#include <gtest/gtest.h>

using namespace anchang::face;

TEST(EmbeddingText, ReadsBackExactly) {
    Embedding e{};
    for (std::size_t i = 0; i < e.size(); ++i) e[i] = static_cast<float>(i) * -0.0137f + 0.5f;
    const std::string text = EmbeddingText::encode(e);
    EXPECT_EQ(text.size(), 683u); // 512 bytes, base64 without padding or line breaks
    const auto back = EmbeddingText::decode(text);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, e);
}

TEST(EmbeddingText, RefusesTextOfTheWrongLength) {
    EXPECT_FALSE(EmbeddingText::decode(""));
    EXPECT_FALSE(EmbeddingText::decode("AAAA"));
    Embedding e{};
    EXPECT_FALSE(EmbeddingText::decode(EmbeddingText::encode(e) + "AAAA"));
}
