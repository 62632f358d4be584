#include "form/JsonSchemaSubset.h"

#include "anchang/sdk/Phone.hpp"

#include <Poco/Exception.h>
#include <Poco/RegularExpression.h>

#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <set>

namespace anchang {

namespace {

const std::set<std::string>& keywords() {
    static const std::set<std::string> all = {"type", "enum", "required", "properties", "items", "minLength", "maxLength",
                                              "pattern", "minimum", "maximum", "format", "title", "description", "default",
                                              "$schema"};
    return all;
}

std::size_t codePoints(const std::string& text) {
    std::size_t count = 0;
    for (unsigned char c : text)
        if ((c & 0xC0) != 0x80) ++count;
    return count;
}

bool isType(const std::string& type, const nlohmann::json& value) {
    if (type == "string") return value.is_string();
    if (type == "number") return value.is_number();
    if (type == "integer") {
        if (value.is_number_integer()) return true;
        return value.is_number_float() && std::isfinite(value.get<double>()) && std::floor(value.get<double>()) == value.get<double>();
    }
    if (type == "boolean") return value.is_boolean();
    if (type == "object") return value.is_object();
    if (type == "array") return value.is_array();
    if (type == "null") return value.is_null();
    return false;
}

std::string escapePointer(const std::string& key) {
    std::string out;
    for (char c : key) {
        if (c == '~') out += "~0";
        else if (c == '/') out += "~1";
        else out += c;
    }
    return out;
}

/// Compiled patterns, shared by every thread (PCRE matching is reentrant). Bounded: schemas
/// come from project staff, and a few hundred patterns is plenty.
std::shared_ptr<const Poco::RegularExpression> compiled(const std::string& pattern) {
    static std::mutex mutex;
    static std::map<std::string, std::shared_ptr<const Poco::RegularExpression>> cache;
    std::lock_guard lock(mutex);
    auto it = cache.find(pattern);
    if (it != cache.end()) return it->second;
    if (cache.size() >= 256) cache.clear();
    auto expression = std::make_shared<const Poco::RegularExpression>(pattern, Poco::RegularExpression::RE_UTF8);
    cache.emplace(pattern, expression);
    return expression;
}

bool matches(const std::string& pattern, const std::string& text) {
    // An unanchored search, as JSON Schema wants. PCRE's match limit bounds backtracking: a
    // pathological pattern fails instead of hanging the request, and counts as no match.
    try {
        Poco::RegularExpression::Match match;
        return compiled(pattern)->match(text, 0, match) > 0;
    } catch (const Poco::Exception&) {
        return false;
    }
}

void validateInto(const nlohmann::json& schema, const nlohmann::json& value, const std::string& path,
                  std::vector<JsonSchemaSubset::Violation>& out) {
    if (schema.is_boolean()) {
        if (!schema.get<bool>()) out.push_back({path, "false", "no value is allowed here"});
        return;
    }
    if (!schema.is_object()) return;
    auto add = [&](const char* keyword, std::string message) { out.push_back({path, keyword, std::move(message)}); };

    if (auto it = schema.find("type"); it != schema.end()) {
        bool ok = false;
        if (it->is_string()) ok = isType(*it, value);
        else if (it->is_array())
            for (const auto& t : *it) ok = ok || (t.is_string() && isType(t, value));
        if (!ok) {
            add("type", "must be of type " + it->dump());
            return; // the other keywords would only repeat the same complaint
        }
    }
    if (auto it = schema.find("enum"); it != schema.end() && it->is_array()) {
        bool found = false;
        for (const auto& option : *it) {
            // JSON Schema compares numbers by value: 1 equals 1.0.
            if (option == value || (option.is_number() && value.is_number() && option.get<double>() == value.get<double>()))
                found = true;
        }
        if (!found) add("enum", "must be one of " + it->dump());
    }
    if (value.is_string()) {
        const std::string& text = value.get_ref<const std::string&>();
        if (auto it = schema.find("minLength"); it != schema.end() && it->is_number() && codePoints(text) < it->get<double>())
            add("minLength", "must have at least " + it->dump() + " characters");
        if (auto it = schema.find("maxLength"); it != schema.end() && it->is_number() && codePoints(text) > it->get<double>())
            add("maxLength", "must have at most " + it->dump() + " characters");
        if (auto it = schema.find("pattern"); it != schema.end() && it->is_string() && !matches(*it, text))
            add("pattern", "must match " + it->get<std::string>());
        if (auto it = schema.find("format"); it != schema.end() && it->is_string()) {
            if (*it == "date" && !JsonSchemaSubset::isDate(text)) add("format", "must be a date YYYY-MM-DD");
            if (*it == "phone" && JsonSchemaSubset::normalizePhone(text).empty()) add("format", "must be a mobile phone number");
        }
    }
    if (value.is_number()) {
        const double number = value.get<double>();
        if (auto it = schema.find("minimum"); it != schema.end() && it->is_number() && number < it->get<double>())
            add("minimum", "must be at least " + it->dump());
        if (auto it = schema.find("maximum"); it != schema.end() && it->is_number() && number > it->get<double>())
            add("maximum", "must be at most " + it->dump());
    }
    if (value.is_object()) {
        if (auto it = schema.find("required"); it != schema.end() && it->is_array())
            for (const auto& key : *it)
                if (key.is_string() && !value.contains(key.get<std::string>()))
                    out.push_back({path + "/" + escapePointer(key), "required", "is required"});
        if (auto it = schema.find("properties"); it != schema.end() && it->is_object())
            for (const auto& [key, sub] : it->items())
                if (auto field = value.find(key); field != value.end()) validateInto(sub, *field, path + "/" + escapePointer(key), out);
    }
    if (value.is_array()) {
        if (auto it = schema.find("items"); it != schema.end() && (it->is_object() || it->is_boolean()))
            for (std::size_t i = 0; i < value.size(); ++i) validateInto(*it, value[i], path + "/" + std::to_string(i), out);
    }
}

void checkInto(const nlohmann::json& schema, const std::string& path, std::vector<std::string>& out) {
    if (schema.is_boolean()) return;
    if (!schema.is_object()) {
        out.push_back(path + ": a schema must be an object");
        return;
    }
    for (const auto& [keyword, value] : schema.items()) {
        if (!keywords().count(keyword)) {
            out.push_back(path + ": unsupported keyword \"" + keyword + "\"");
            continue;
        }
        if (keyword == "type") {
            static const std::set<std::string> types = {"string", "number", "integer", "boolean", "object", "array", "null"};
            bool ok = value.is_string() ? types.count(value.get<std::string>()) > 0 : value.is_array();
            if (value.is_array())
                for (const auto& t : value) ok = ok && t.is_string() && types.count(t.get<std::string>());
            if (!ok) out.push_back(path + ": \"type\" must name JSON types");
        } else if (keyword == "enum" || keyword == "required") {
            if (!value.is_array()) out.push_back(path + ": \"" + keyword + "\" must be a list");
        } else if (keyword == "minLength" || keyword == "maxLength" || keyword == "minimum" || keyword == "maximum") {
            if (!value.is_number()) out.push_back(path + ": \"" + keyword + "\" must be a number");
        } else if (keyword == "pattern") {
            try {
                Poco::RegularExpression check(value.get<std::string>(), Poco::RegularExpression::RE_UTF8);
            } catch (...) {
                out.push_back(path + ": \"pattern\" is not a valid regular expression");
            }
        } else if (keyword == "format") {
            if (!value.is_string() || (value != "date" && value != "phone"))
                out.push_back(path + ": \"format\" must be \"date\" or \"phone\"");
        } else if (keyword == "properties") {
            if (!value.is_object()) out.push_back(path + ": \"properties\" must be an object");
            else
                for (const auto& [key, sub] : value.items()) checkInto(sub, path + "/properties/" + key, out);
        } else if (keyword == "items") {
            checkInto(value, path + "/items", out);
        }
    }
}

} // namespace

std::vector<std::string> JsonSchemaSubset::check(const nlohmann::json& schema) {
    std::vector<std::string> out;
    checkInto(schema, "", out);
    return out;
}

bool JsonSchemaSubset::supports(const nlohmann::json& schema) {
    if (schema.is_boolean()) return true;
    if (!schema.is_object()) return false;
    for (const auto& [keyword, value] : schema.items()) {
        if (!keywords().count(keyword)) return false;
        if (keyword == "properties") {
            if (!value.is_object()) return false;
            for (const auto& [key, sub] : value.items())
                if (!supports(sub)) return false;
        }
        if (keyword == "items" && !supports(value)) return false;
        if (keyword == "format" && !(value == "date" || value == "phone")) return false;
    }
    return true;
}

std::vector<JsonSchemaSubset::Violation> JsonSchemaSubset::validate(const nlohmann::json& schema, const nlohmann::json& value) {
    std::vector<Violation> out;
    validateInto(schema, value, "", out);
    return out;
}

std::string JsonSchemaSubset::normalizePhone(const std::string& text) { return sdk::Phone::normalize(text); }

bool JsonSchemaSubset::isDate(const std::string& text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
    for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
        if (text[i] < '0' || text[i] > '9') return false;
    const int year = std::stoi(text.substr(0, 4));
    const int month = std::stoi(text.substr(5, 2));
    const int day = std::stoi(text.substr(8, 2));
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12 || day < 1) return false;
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return day <= days[month - 1] + (month == 2 && leap ? 1 : 0);
}

} // namespace anchang
