#pragma once
/// anchang::AuditApi — reading and verifying the audit chain, and its signed checkpoints.

namespace anchang {

class AuditLog;
class AuditWitness;
class Router;

class AuditApi {
public:
    AuditApi(AuditLog& audit, AuditWitness& witness) : audit_(audit), witness_(witness) {}

    void install(Router& router);

private:
    AuditLog& audit_;
    AuditWitness& witness_;
};

} // namespace anchang
