#include "table/XlsxReader.h"

#include "anchang/sdk/Error.hpp"

#include <Poco/Exception.h>
#include <Poco/SAX/Attributes.h>
#include <Poco/SAX/DefaultHandler.h>
#include <Poco/SAX/InputSource.h>
#include <Poco/SAX/SAXParser.h>
#include <Poco/XML/XMLString.h>
#include <Poco/Zip/ZipArchive.h>
#include <Poco/Zip/ZipStream.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

namespace anchang {

namespace {

sdk::Error unreadable(const std::string& why) { return sdk::Error(422, "table.unreadable", "not a readable Excel workbook: " + why); }

/// One part of the package, uncompressed, at most `limit` bytes.
std::string part(const std::filesystem::path& file, const Poco::Zip::ZipArchive& archive, const std::string& name, std::size_t limit,
                 bool required) {
    const auto header = archive.findHeader(name);
    if (header == archive.headerEnd()) {
        if (required) throw unreadable("it has no " + name);
        return {};
    }
    if (header->second.getUncompressedSize() > limit) throw unreadable(name + " is larger than " + std::to_string(limit) + " bytes");
    std::ifstream in(file, std::ios::binary);
    Poco::Zip::ZipInputStream zip(in, header->second);
    std::string out;
    char buffer[65536];
    while (zip) {
        zip.read(buffer, sizeof buffer);
        out.append(buffer, static_cast<std::size_t>(zip.gcount()));
        // The header's size may lie: count what really comes out.
        if (out.size() > limit) throw unreadable(name + " is larger than " + std::to_string(limit) + " bytes");
    }
    return out;
}

/// Walks an XML text with callbacks for element starts, ends and characters.
class Walker : public Poco::XML::DefaultHandler {
public:
    std::function<void(const std::string& name, const Poco::XML::Attributes&)> onStart;
    std::function<void(const std::string& name)> onEnd;
    std::function<void(const char*, int)> onText;

    void startElement(const Poco::XML::XMLString&, const Poco::XML::XMLString& local, const Poco::XML::XMLString&,
                      const Poco::XML::Attributes& attributes) override {
        if (onStart) onStart(local, attributes);
    }
    void endElement(const Poco::XML::XMLString&, const Poco::XML::XMLString& local, const Poco::XML::XMLString&) override {
        if (onEnd) onEnd(local);
    }
    void characters(const Poco::XML::XMLChar ch[], int start, int length) override {
        if (onText) onText(ch + start, length);
    }

    void walk(const std::string& xml) {
        Poco::XML::SAXParser parser;
        parser.setFeature(Poco::XML::XMLReader::FEATURE_NAMESPACES, true);
        parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_GENERAL_ENTITIES, false);
        parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_PARAMETER_ENTITIES, false);
        parser.setContentHandler(this);
        std::istringstream in(xml);
        Poco::XML::InputSource source(in);
        parser.parse(&source);
    }
};

std::string attribute(const Poco::XML::Attributes& a, const std::string& local) {
    for (int i = 0; i < a.getLength(); ++i)
        if (a.getLocalName(i) == local) return a.getValue(i);
    return {};
}

/// "AB12" -> 27 (zero-based column), -1 when it is no cell reference.
long column(const std::string& reference) {
    long col = 0;
    std::size_t i = 0;
    for (; i < reference.size() && reference[i] >= 'A' && reference[i] <= 'Z'; ++i) col = col * 26 + (reference[i] - 'A' + 1);
    return i == 0 || col > 16384 ? -1 : col - 1;
}

/// "3.0" -> "3", as a person typed it; Excel keeps numbers as doubles.
std::string number(const std::string& text) {
    if (text.size() > 2 && text.ends_with(".0")) return text.substr(0, text.size() - 2);
    return text;
}

} // namespace

Table XlsxReader::read(const std::filesystem::path& file, const Table::Limits& limits) {
    try {
        std::ifstream in(file, std::ios::binary);
        const Poco::Zip::ZipArchive archive(in);

        // The first sheet, through the workbook and its relations.
        Table table;
        std::string sheetRel;
        Walker workbook;
        workbook.onStart = [&](const std::string& name, const Poco::XML::Attributes& a) {
            if (name == "sheet" && sheetRel.empty()) {
                table.sheet = attribute(a, "name");
                sheetRel = attribute(a, "id");
            }
        };
        workbook.walk(part(file, archive, "xl/workbook.xml", limits.maxPartBytes, true));
        std::string target;
        Walker rels;
        rels.onStart = [&](const std::string& name, const Poco::XML::Attributes& a) {
            if (name == "Relationship" && attribute(a, "Id") == sheetRel) target = attribute(a, "Target");
        };
        rels.walk(part(file, archive, "xl/_rels/workbook.xml.rels", limits.maxPartBytes, true));
        if (target.empty()) throw unreadable("the workbook names no sheet");
        target = target.starts_with("/") ? target.substr(1) : "xl/" + target;

        // Shared strings: the text of each <si>, runs joined, phonetic guides left out.
        std::vector<std::string> strings;
        bool inPhonetic = false;
        bool inText = false;
        Walker shared;
        shared.onStart = [&](const std::string& name, const Poco::XML::Attributes&) {
            if (name == "si") strings.emplace_back();
            else if (name == "rPh") inPhonetic = true;
            else if (name == "t") inText = !inPhonetic;
        };
        shared.onEnd = [&](const std::string& name) {
            if (name == "rPh") inPhonetic = false;
            else if (name == "t") inText = false;
        };
        shared.onText = [&](const char* text, int length) {
            if (inText && !strings.empty()) strings.back().append(text, static_cast<std::size_t>(length));
        };
        const std::string sst = part(file, archive, "xl/sharedStrings.xml", limits.maxPartBytes, false);
        shared.walk(sst.empty() ? std::string("<sst/>") : sst);

        // The sheet's cells.
        std::vector<std::string> row;
        long col = -1;
        std::string type;
        std::string value;
        bool capture = false;
        bool inInline = false;
        Walker sheet;
        sheet.onStart = [&](const std::string& name, const Poco::XML::Attributes& a) {
            if (table.truncated) return;
            if (name == "row") {
                row.clear();
                const std::string r = attribute(a, "r");
                // Rows skipped in the file (blank rows) stay blank here.
                if (!r.empty()) {
                    const long number = std::strtol(r.c_str(), nullptr, 10);
                    while (number > 1 && static_cast<long>(table.rows.size()) < number - 1 && table.rows.size() < limits.maxRows)
                        table.rows.emplace_back();
                }
            } else if (name == "c") {
                const std::string r = attribute(a, "r");
                col = r.empty() ? static_cast<long>(row.size()) : column(r);
                type = attribute(a, "t");
                value.clear();
            } else if (name == "v") {
                capture = true;
            } else if (name == "is") {
                inInline = true;
            } else if (name == "t" && inInline) {
                capture = true;
            }
        };
        sheet.onEnd = [&](const std::string& name) {
            if (table.truncated) return;
            if (name == "v" || name == "t") {
                capture = false;
            } else if (name == "is") {
                inInline = false;
            } else if (name == "c") {
                if (col < 0 || col >= static_cast<long>(limits.maxColumns)) return;
                std::string cell;
                if (type == "s") {
                    const auto index = std::strtoul(value.c_str(), nullptr, 10);
                    if (index < strings.size()) cell = strings[index];
                } else if (type == "b") {
                    cell = value == "1" ? "TRUE" : "FALSE";
                } else if (type == "inlineStr" || type == "str" || type == "e") {
                    cell = value;
                } else {
                    cell = number(value);
                }
                if (row.size() <= static_cast<std::size_t>(col)) row.resize(static_cast<std::size_t>(col) + 1);
                row[static_cast<std::size_t>(col)] = std::move(cell);
            } else if (name == "row") {
                if (table.rows.size() == limits.maxRows) {
                    table.truncated = true;
                    return;
                }
                table.rows.push_back(std::move(row));
                row.clear();
            }
        };
        sheet.onText = [&](const char* text, int length) {
            if (capture) value.append(text, static_cast<std::size_t>(length));
        };
        sheet.walk(part(file, archive, target, limits.maxPartBytes, true));
        while (!table.rows.empty() && std::all_of(table.rows.back().begin(), table.rows.back().end(), [](const auto& c) { return c.empty(); }))
            table.rows.pop_back();
        return table;
    } catch (const sdk::Error&) {
        throw;
    } catch (const Poco::Exception& e) {
        throw unreadable(e.displayText());
    } catch (const std::exception& e) {
        throw unreadable(e.what());
    }
}

} // namespace anchang
