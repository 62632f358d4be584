// followup_pool: the bridge between follow-up and the pool (docs/plugins.md, "Bridges"). It has no
// rules of its own: it starts only while both modules run, so that the pool's figures join the
// follow-up module's site dashboard (web slot followup.site.figures) without either module
// naming the other.
#include <anchang/sdk/Plugin.hpp>

class FollowupPoolBridge : public anchang::sdk::Plugin {
public:
    void start(anchang::sdk::Host&) override {}
};

ANCHANG_PLUGIN(FollowupPoolBridge)
