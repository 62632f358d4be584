#pragma once
/// anchang::AuditApi — reading and verifying the audit chain.

namespace anchang {

class AuditLog;
class Router;

class AuditApi {
public:
    explicit AuditApi(AuditLog& audit) : audit_(audit) {}

    void install(Router& router);

private:
    AuditLog& audit_;
};

} // namespace anchang
