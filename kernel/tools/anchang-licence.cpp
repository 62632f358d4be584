// anchang-licence — the vendor's licence tool: make a key pair, issue a signed licence, check one.
//
//   anchang-licence keygen DIR
//   anchang-licence issue --key vendor.key --customer NAME --modules a,b,c --projects N
//                         --expires YYYY-MM-DD [--id ID] [--out FILE]
//   anchang-licence verify --pub vendor.pub FILE
//
// Only the vendor holds the private key; anchangd is configured with the public one
// (licence.publicKey). docs/licences.md walks through issuing one.

#include "licence/Ed25519.h"
#include "licence/Licence.h"

#include <Poco/StringTokenizer.h>
#include <Poco/UUIDGenerator.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <sys/stat.h>

namespace {

int usage() {
    std::cerr << "usage:\n"
                 "  anchang-licence keygen DIR\n"
                 "  anchang-licence issue --key FILE --customer NAME --modules a,b --projects N --expires YYYY-MM-DD [--id ID] [--out FILE]\n"
                 "  anchang-licence verify --pub FILE LICENCE\n";
    return 2;
}

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::map<std::string, std::string> flags(int argc, char** argv, int from, std::vector<std::string>& rest) {
    std::map<std::string, std::string> out;
    for (int i = from; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg.starts_with("--") && i + 1 < argc) out[arg.substr(2)] = argv[++i];
        else rest.push_back(arg);
    }
    return out;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) return usage();
    const std::string command = argv[1];
    std::vector<std::string> rest;
    auto options = flags(argc, argv, 2, rest);
    try {
        if (command == "keygen") {
            if (rest.size() != 1) return usage();
            const std::filesystem::path dir = rest[0];
            std::filesystem::create_directories(dir);
            if (std::filesystem::exists(dir / "vendor.key")) throw std::runtime_error((dir / "vendor.key").string() + " exists; not overwriting");
            auto pair = anchang::Ed25519::generate();
            std::ofstream(dir / "vendor.key") << pair.privatePem;
            ::chmod((dir / "vendor.key").c_str(), 0600);
            std::ofstream(dir / "vendor.pub") << pair.publicPem;
            std::cout << "wrote " << (dir / "vendor.key").string() << " (keep it secret) and " << (dir / "vendor.pub").string() << "\n";
            return 0;
        }
        if (command == "issue") {
            for (const char* required : {"key", "customer", "modules", "projects", "expires"})
                if (!options.count(required)) {
                    std::cerr << "missing --" << required << "\n";
                    return usage();
                }
            nlohmann::json modules = nlohmann::json::array();
            for (const auto& m : Poco::StringTokenizer(options["modules"], ",", Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY))
                modules.push_back(m);
            nlohmann::json terms = {
                {"id", options.count("id") ? options["id"] : Poco::UUIDGenerator::defaultGenerator().createRandom().toString()},
                {"customer", options["customer"]},
                {"modules", modules},
                {"projects", std::stoi(options["projects"])},
                {"issued_at", anchang::Licence::today()},
                {"expires_at", options["expires"]},
            };
            const std::string text = anchang::Licence::issue(terms, readFile(options["key"]));
            if (options.count("out")) std::ofstream(options["out"]) << text;
            else std::cout << text;
            return 0;
        }
        if (command == "verify") {
            if (rest.size() != 1 || !options.count("pub")) return usage();
            auto licence = anchang::Licence::load(rest[0], readFile(options["pub"]), anchang::Licence::today());
            std::cout << licence.describe().dump(2) << "\n";
            return licence.usable() ? 0 : 1;
        }
    } catch (const std::exception& e) {
        std::cerr << "anchang-licence: " << e.what() << "\n";
        return 1;
    }
    return usage();
}
