#pragma once
/// anchang::AlertApi — alerts for people (a script switched off, visitors queued with nobody on
/// duty): every project's for admins, one project's for its managers; acknowledging one.

namespace anchang {

class AlertCenter;
class Router;

class AlertApi {
public:
    explicit AlertApi(AlertCenter& alerts) : alerts_(alerts) {}

    void install(Router& router);

private:
    AlertCenter& alerts_;
};

} // namespace anchang
