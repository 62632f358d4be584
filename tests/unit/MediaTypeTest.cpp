// MediaType reads a file's kind, completeness and pixel size from its bytes; MediaLibrary keeps
// only a clean display name. Both see strangers' input first.
#include "media/MediaLibrary.h"
#include "media/MediaType.h"
#include "support/TempDir.h"

#include <gtest/gtest.h>

#include <fstream>

using anchang::MediaLibrary;
using anchang::MediaType;

namespace {

MediaType::Shape inspect(const std::string& bytes, const std::string& type) {
    anchang::test::TempDir dir;
    const auto file = dir.file("f");
    std::ofstream(file, std::ios::binary) << bytes;
    return MediaType::inspect(file, type);
}

const std::string kPng = std::string("\x89PNG\r\n\x1a\n", 8) + std::string("\x00\x00\x00\x0dIHDR\x00\x00\x01\x00\x00\x00\x00\x80\x08\x02\x00\x00\x00", 21) +
                         "CRC!" + std::string("\x00\x00\x00\x00IEND", 8) + "CRC!";

} // namespace

TEST(MediaType, TellsTheTypeFromTheBytesNotTheName) {
    EXPECT_EQ(MediaType::sniff("\xFF\xD8\xFF\xE0"), "image/jpeg");
    EXPECT_EQ(MediaType::sniff(kPng), "image/png");
    EXPECT_EQ(MediaType::sniff(std::string("RIFF\x10\x00\x00\x00WEBPVP8 ", 16)), "image/webp");
    EXPECT_EQ(MediaType::sniff("%PDF-1.7"), "application/pdf");
    EXPECT_EQ(MediaType::sniff(std::string("\x00\x00\x00\x18" "ftypmp42", 12)), "video/mp4");
    EXPECT_EQ(MediaType::sniff(std::string("RIFF\x10\x00\x00\x00WAVEfmt ", 16)), "");
    EXPECT_EQ(MediaType::sniff(std::string("\x7F" "ELF\x02\x01\x01\x00", 8)), "");
    EXPECT_EQ(MediaType::sniff(std::string("PK\x03\x04", 4)), MediaType::kXlsx);
    // Text is text: only a kind that takes CSV takes it, whatever it says it is.
    EXPECT_EQ(MediaType::sniff("<svg onload=alert(1)>"), "text/csv");
    EXPECT_EQ(MediaType::sniff("GIF89a"), "text/csv");
    EXPECT_EQ(MediaType::sniff(std::string("GIF89a\x00\x01", 8)), "");
    EXPECT_EQ(MediaType::sniff(""), "");
}

TEST(MediaType, ReadsAPngsSizeAndNoticesWhenItIsCutShort) {
    const auto whole = inspect(kPng, "image/png");
    EXPECT_TRUE(whole.complete);
    EXPECT_EQ(whole.width, 256);
    EXPECT_EQ(whole.height, 128);
    EXPECT_FALSE(inspect(kPng.substr(0, kPng.size() - 6), "image/png").complete);
    // A chunk claiming 4 GB ends past the file.
    std::string lying = kPng;
    lying.replace(8, 4, "\xFF\xFF\xFF\xF0");
    EXPECT_FALSE(inspect(lying, "image/png").complete);
}

TEST(MediaType, FindsAJpegsEndOnlyAfterItsScan) {
    const std::string head = std::string("\xFF\xD8\xFF\xC0\x00\x0B\x08\x01\xE0\x02\x80\x01\x01\x11\x00", 15);
    const std::string scan = std::string("\xFF\xDA\x00\x08\x01\x01\x00\x00\x3F\x00", 10) + std::string("\x12\xFF\x00\x34", 4);
    const auto whole = inspect(head + scan + "\xFF\xD9", "image/jpeg");
    EXPECT_TRUE(whole.complete);
    EXPECT_EQ(whole.width, 640);
    EXPECT_EQ(whole.height, 480);
    EXPECT_FALSE(inspect(head + scan, "image/jpeg").complete);
    // An end marker before the scan is not the end.
    EXPECT_FALSE(inspect(std::string("\xFF\xD8\xFF\xD9", 4), "image/jpeg").complete);
}

TEST(MediaType, ChecksPdfAndMp4Ends) {
    EXPECT_TRUE(inspect("%PDF-1.4\n...\n%%EOF\n", "application/pdf").complete);
    EXPECT_FALSE(inspect("%PDF-1.4\n...", "application/pdf").complete);
    const std::string box = std::string("\x00\x00\x00\x10" "ftypisom\x00\x00\x00\x00", 16);
    EXPECT_TRUE(inspect(box, "video/mp4").complete);
    EXPECT_FALSE(inspect(box + std::string("\x00\x00\x01\x00mdat", 8), "video/mp4").complete);
}

TEST(MediaLibrary, KeepsACleanNameWithoutFolders) {
    EXPECT_EQ(MediaLibrary::cleanName("../../etc/passwd"), "passwd");
    EXPECT_EQ(MediaLibrary::cleanName("C:\\fakepath\\楼书 (2).pdf"), "楼书 (2).pdf");
    EXPECT_EQ(MediaLibrary::cleanName(std::string("a\x00" "b\r\n.jpg", 9)), "ab.jpg");
    EXPECT_EQ(MediaLibrary::cleanName(".."), "file");
    EXPECT_EQ(MediaLibrary::cleanName(".htaccess"), "htaccess");
    EXPECT_EQ(MediaLibrary::cleanName(""), "file");
    // Cut at 120 bytes, never inside a character (each 楼 is 3 bytes).
    std::string long_;
    for (int i = 0; i < 50; ++i) long_ += "楼";
    EXPECT_EQ(MediaLibrary::cleanName(long_).size(), 120u);
    EXPECT_EQ(MediaLibrary::cleanName("x" + long_).size(), 118u);
}
