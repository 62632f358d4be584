#pragma once
/// anchang::FormApi — the forms modules declare and each project's custom fields: what the form
/// designer page and the front desk read, and the check a form's values get.

namespace anchang {

class AuditLog;
class FormService;
class Router;

class FormApi {
public:
    FormApi(FormService& forms, AuditLog& audit) : forms_(forms), audit_(audit) {}

    void install(Router& router);

private:
    FormService& forms_;
    AuditLog& audit_;
};

} // namespace anchang
