#pragma once
/// anchang::ScriptApi — hook points, project scripts and their versions, dry runs, the script
/// log, custom form fields and alerts: what the hook editor and form designer pages use.

namespace anchang {

class AlertCenter;
class AuditLog;
class FormService;
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
        FormService& forms;
        AlertCenter& alerts;
        AuditLog& audit;
    };

    explicit ScriptApi(Parts parts) : parts_(parts) {}

    void install(Router& router);

private:
    Parts parts_;
};

} // namespace anchang
