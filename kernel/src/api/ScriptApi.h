#pragma once
/// anchang::ScriptApi — hook points, project scripts and their versions, dry runs and the script
/// log: what the hook editor page uses.

namespace anchang {

class AuditLog;
class HookCatalog;
class HookRunner;
class Router;
class ScriptEngine;
class ScriptRepository;

class ScriptApi {
public:
    struct Parts {
        HookCatalog& catalog;
        ScriptRepository& scripts;
        ScriptEngine& engine;
        HookRunner& hooks;
        AuditLog& audit;
    };

    explicit ScriptApi(Parts parts) : parts_(parts) {}

    void install(Router& router);

private:
    Parts parts_;
};

} // namespace anchang
