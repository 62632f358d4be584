#pragma once
/// anchang::KernelServices — what the kernel lends each plugin context: the shared parts a
/// plugin reaches through its host function table, and nothing else.

namespace anchang {

class AccessPolicy;
class AuditLog;
class Bus;
class FormService;
class HookCatalog;
class HookRunner;
class Router;
class Store;

struct KernelServices {
    Store& store;
    Bus& bus;
    Router& router;
    AccessPolicy& policy;
    AuditLog& audit;
    HookCatalog& hookCatalog;
    HookRunner& hooks;
    FormService& forms;
};

} // namespace anchang
