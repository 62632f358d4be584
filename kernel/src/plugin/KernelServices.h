#pragma once
/// anchang::KernelServices — what the kernel lends each plugin context: the shared parts a
/// plugin reaches through its host function table, and nothing else.

namespace anchang {

class AccessPolicy;
class AuditLog;
class Bus;
class Router;
class Store;

struct KernelServices {
    Store& store;
    Bus& bus;
    Router& router;
    AccessPolicy& policy;
    AuditLog& audit;
};

} // namespace anchang
