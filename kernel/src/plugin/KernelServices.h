#pragma once
/// anchang::KernelServices — what the kernel lends each plugin context: the shared parts a
/// plugin reaches through its host function table, and nothing else.

namespace anchang {

class AccessPolicy;
class AuditLog;
class Bus;
class BusContracts;
class FormService;
class HookCatalog;
class HookRunner;
class KernelClock;
class MediaLibrary;
class NotificationCenter;
class ProjectDirectory;
class Scheduler;
class Outbox;
class RoleCatalog;
class Router;
class Store;

struct KernelServices {
    Store& store;
    Bus& bus;
    Router& router;
    AccessPolicy& policy;
    RoleCatalog& roles;
    BusContracts& contracts;
    Outbox& outbox;
    AuditLog& audit;
    HookCatalog& hookCatalog;
    HookRunner& hooks;
    FormService& forms;
    KernelClock& clock;
    ProjectDirectory& projects;
    Scheduler& scheduler;
    NotificationCenter& notifications;
    MediaLibrary& media;
};

} // namespace anchang
