#pragma once
/// anchang::sdk::Plugin — the base class of a C++ plugin, and ANCHANG_PLUGIN, which exports it.
///
/// A plugin's whole life is start and stop, both short:
///
///     class Hello : public anchang::sdk::Plugin {
///         void start(anchang::sdk::Host& host) override {
///             host.route("GET", "/api/v1/hello", "public", [](const auto&) {
///                 return anchang::sdk::Response::json({{"hello", "world"}});
///             });
///         }
///     };
///     ANCHANG_PLUGIN(Hello)
///
/// The id and version come from plugin.json: anchang_add_plugin() in the SDK's CMake package
/// defines ANCHANG_PLUGIN_ID and ANCHANG_PLUGIN_VERSION from it, so they cannot disagree.

#include "anchang/abi.h"
#include "anchang/sdk/Fields.hpp"
#include "anchang/sdk/Host.hpp"

#include <exception>
#include <memory>
#include <string>

namespace anchang::sdk {

class Plugin {
public:
    virtual ~Plugin() = default;
    /// Registers routes, subscriptions and services. Throw to refuse to start: the kernel
    /// reports the message as the reason and keeps the other plugins running.
    virtual void start(Host& host) = 0;
    /// Called after traffic to the plugin stopped, in reverse start order.
    virtual void stop() {}
};

namespace detail {

/// Adapts a Plugin subclass to the C descriptor. Exceptions never cross the boundary.
template <class P>
class Glue {
public:
    Glue(const char* id, const char* version) {
        descriptor_.size = sizeof(anchang_plugin);
        descriptor_.abi_major = ANCHANG_ABI_MAJOR;
        descriptor_.id = id;
        descriptor_.version = version;
        descriptor_.self = this;
        descriptor_.start = &start;
        descriptor_.stop = &stop;
        descriptor_.destroy = &destroy;
    }
    const anchang_plugin* descriptor() const { return &descriptor_; }

private:
    static int start(void* self, const anchang_host* raw, anchang_sink_fn error, void* errorUser) {
        auto* glue = static_cast<Glue*>(self);
        auto report = [&](const std::string& message) {
            error(errorUser, message.data(), message.size());
            return ANCHANG_E_INTERNAL;
        };
        try {
            glue->host_ = std::make_unique<Host>(raw);
            glue->plugin_ = std::make_unique<P>();
            glue->plugin_->start(*glue->host_);
            return ANCHANG_OK;
        } catch (const std::exception& e) {
            return report(e.what());
        } catch (...) {
            return report("start threw a non-standard exception");
        }
    }
    static void stop(void* self) {
        auto* glue = static_cast<Glue*>(self);
        try {
            if (glue->plugin_) glue->plugin_->stop();
        } catch (const std::exception& e) {
            if (glue->host_) glue->host_->error(std::string("stop: ") + e.what());
        } catch (...) {
        }
    }
    static void destroy(void* self) {
        auto* glue = static_cast<Glue*>(self);
        glue->plugin_.reset();
        glue->host_.reset();
    }

    anchang_plugin descriptor_{};
    std::unique_ptr<Host> host_;
    std::unique_ptr<P> plugin_;
};

} // namespace detail
} // namespace anchang::sdk

#if !defined(ANCHANG_PLUGIN_ID) || !defined(ANCHANG_PLUGIN_VERSION)
#error "ANCHANG_PLUGIN_ID and ANCHANG_PLUGIN_VERSION come from plugin.json; build the plugin with anchang_add_plugin()"
#endif

/// Exports `Class` as this library's plugin under the ABI-versioned entry symbol.
#define ANCHANG_PLUGIN(Class)                                                                      \
    extern "C" __attribute__((visibility("default"))) const anchang_plugin* anchang_plugin_entry_v1(void) { \
        static ::anchang::sdk::detail::Glue<Class> glue(ANCHANG_PLUGIN_ID, ANCHANG_PLUGIN_VERSION);          \
        return glue.descriptor();                                                                  \
    }
