#pragma once
/// anchang::JobApi — the scheduler for admins: every job with its last and next run per
/// project, the recent runs, and "run now".

namespace anchang {

class Router;
class Scheduler;

class JobApi {
public:
    explicit JobApi(Scheduler& scheduler) : scheduler_(scheduler) {}

    void install(Router& router);

private:
    Scheduler& scheduler_;
};

} // namespace anchang
