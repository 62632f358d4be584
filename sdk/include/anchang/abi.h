/*
 * anchang/abi.h — the C boundary between anchangd and a plugin.
 *
 * Rules that keep this boundary stable (read docs/plugins.md for the long form):
 *  - The entry symbol carries the ABI major: a plugin built for ABI 1 exports
 *    `anchang_plugin_entry_v1`. A kernel that speaks another major cannot find it and
 *    reports the plugin as "wrong ABI" without calling into it.
 *  - Every struct that crosses the boundary starts with its own size. Fields are only ever
 *    appended; a reader uses ANCHANG_HAS_FIELD before touching a field that a newer
 *    minor version added.
 *  - Only plain C strings (UTF-8, NUL-terminated), JSON text, byte buffers and integers cross.
 *  - Whoever allocates frees: data handed to a callback is valid only during the call, and
 *    the receiver copies what it keeps. No pointer is ever freed by the other side.
 *  - The plugin never links against kernel symbols; everything it may call is in
 *    `anchang_host`, which receives its own `ctx` back on every call.
 *
 * Most authors never include this file directly: anchang/sdk/Plugin.hpp wraps it.
 */
#ifndef ANCHANG_ABI_H
#define ANCHANG_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ANCHANG_ABI_MAJOR 1
/* Minor 1 appended hook_call and form_validate to anchang_host; minor 2 http_route_named,
 * extend, event_failed and crash_point; minor 3 now_ms, project_get and job_handle; minor 4
 * stopped reporting db_query's last_id (always 0: use RETURNING); minor 5 degrade; minor 6
 * http_later; minor 7 user_id and username in anchang_http_request. */
#define ANCHANG_ABI_MINOR 7
#define ANCHANG_ENTRY_SYMBOL "anchang_plugin_entry_v1"

/* True when a size-prefixed struct `s` (pointer) is large enough to hold `field`. */
#define ANCHANG_HAS_FIELD(s, type, field) \
    ((s)->size >= offsetof(type, field) + sizeof(((type*)0)->field))

/* Status codes returned across the boundary. 0 is success; errors are negative. */
enum anchang_status {
    ANCHANG_OK = 0,
    ANCHANG_E_INVALID = -1,     /* a malformed argument: bad JSON, bad SQL, bad pattern */
    ANCHANG_E_NOT_FOUND = -2,   /* unknown key or record */
    ANCHANG_E_UNAVAILABLE = -3, /* no such service: its module is not enabled or not running */
    ANCHANG_E_TIMEOUT = -4,     /* the deadline passed before an answer came */
    ANCHANG_E_DENIED = -5,      /* the caller may not do this */
    ANCHANG_E_CONFLICT = -6,    /* a constraint or a concurrent change refused the write */
    ANCHANG_E_STORE = -7,       /* the database failed */
    ANCHANG_E_INTERNAL = -8,    /* a bug: the other side threw or returned garbage */
    ANCHANG_E_STATE = -9        /* called at the wrong time, e.g. a route added after start */
};

enum anchang_log_level {
    ANCHANG_LOG_DEBUG = 0,
    ANCHANG_LOG_INFO = 1,
    ANCHANG_LOG_WARNING = 2,
    ANCHANG_LOG_ERROR = 3
};

/* Receives bytes that are valid only during the call. Used for every answer the host or the
 * plugin hands back, so that no allocation ever crosses the boundary. */
typedef void (*anchang_sink_fn)(void* user, const char* data, size_t size);

/* ---- HTTP -------------------------------------------------------------------------------- */

typedef struct anchang_http_request {
    uint32_t size;
    const char* method;         /* "GET", "POST", ... */
    const char* path;           /* decoded path, without the query */
    const char* params_json;    /* path parameters: {"project":"3","id":"42"} */
    const char* query_json;     /* query parameters: {"page":"2"} (last value wins) */
    const char* body;           /* raw body; not NUL-terminated */
    size_t body_size;
    const char* principal_json; /* {"user_id":1,"username":"admin","display_name":"管理员",
                                   "roles":["admin"],"project_id":3,"permissions":[...the
                                   plugin's own the caller holds]} or "null" on public routes */
    const char* request_id;
    const char* lang;           /* "zh-CN" (default) or "en", from Accept-Language */
    const char* headers_json;   /* selected request headers, lower-case names:
                                   {"idempotency-key":"...","user-agent":"..."} */
    /* ABI 1.7: the caller, readable without parsing principal_json (most handlers need no
     * more). NULL username and 0 on public routes. */
    int64_t user_id;
    const char* username;
} anchang_http_request;

/* Hands the response to the host, which copies it. Call it once. */
typedef void (*anchang_http_respond_fn)(void* respond_ctx, int status, const char* content_type,
                                        const char* body, size_t body_size);

/* A route handler. Returns ANCHANG_OK after calling respond; anything else makes the host
 * answer 500 with a generic message (the details go to the log, never to the client). */
typedef int (*anchang_route_fn)(void* user, const anchang_http_request* request,
                                anchang_http_respond_fn respond, void* respond_ctx);

/* ---- Bus --------------------------------------------------------------------------------- */

typedef struct anchang_bus_message {
    uint32_t size;
    const char* topic;       /* events: the topic; requests: the service name */
    const char* header_json; /* see docs/bus.md: id, type, schema, project, source, ts, ... */
    const char* body_json;
} anchang_bus_message;

/* An event subscriber. Runs on the plugin's event thread, one event at a time, in order. */
typedef void (*anchang_event_fn)(void* user, const anchang_bus_message* event);

/* A service handler. Writes its reply body (JSON) to `reply` and returns ANCHANG_OK, or
 * returns an error status and writes {"code":"...","message":"..."}. Runs on one of the
 * plugin's service worker threads. */
typedef int (*anchang_service_fn)(void* user, const anchang_bus_message* request,
                                  anchang_sink_fn reply, void* reply_user);

/* ---- Store ------------------------------------------------------------------------------- */

/* Body of a transaction. Return ANCHANG_OK to commit, anything else to roll back. */
typedef int (*anchang_tx_fn)(void* user);

/* ---- Scheduled jobs ---------------------------------------------------------------------- */

/* A job run for one project, on one of the kernel's scheduler threads. `run_json` is
 * {"job","project_id","scheduled_at","trigger"} (trigger: schedule, catch_up or manual).
 * Returns ANCHANG_OK after writing {"items":n} (how many records it touched) to `sink`, or an
 * error status after writing {"code","message"}: the run is recorded as failed. */
typedef int (*anchang_job_fn)(void* user, const char* run_json, anchang_sink_fn sink, void* sink_user);

/* ---- Host function table ------------------------------------------------------------------ */

typedef struct anchang_host {
    uint32_t size;
    uint32_t abi_minor;
    void* ctx; /* pass back as the first argument of every call below */

    void (*log)(void* ctx, int level, const char* message);

    /* The plugin's configuration as a JSON object: the manifest's "config" defaults, overridden
     * by the kernel's `plugins.<id>.<key>` settings. */
    int (*config)(void* ctx, anchang_sink_fn sink, void* user);

    /* Routes may only be added during start. `pattern` uses {name} segments:
     * "/api/v1/projects/{project}/visits/{id}". `permission` is declared in plugin.json, or is
     * "public" (no login) or "authenticated" (any logged-in user). A {project} segment makes the
     * kernel check the caller's membership of that project. */
    int (*http_route)(void* ctx, const char* method, const char* pattern, const char* permission,
                      anchang_route_fn fn, void* user);

    /* Publishes an event. project_id 0 means "not about one project". Never blocks on
     * subscribers; a subscriber that cannot keep up loses events past its queue limit. */
    int (*bus_publish)(void* ctx, const char* topic, int64_t project_id, const char* body_json);

    /* Subscribes to every topic that starts with `prefix`. Only during start. */
    int (*bus_subscribe)(void* ctx, const char* prefix, anchang_event_fn fn, void* user);

    /* Offers a service by name ("core.customer.get"). Only during start. */
    int (*bus_serve)(void* ctx, const char* service, anchang_service_fn fn, void* user);

    /* Calls a service and waits at most timeout_ms. The reply body, or on error
     * {"code","message"}, goes to `sink`. A service nobody offers answers at once with
     * ANCHANG_E_UNAVAILABLE. */
    int (*bus_request)(void* ctx, const char* service, int64_t project_id, const char* body_json,
                       int timeout_ms, anchang_sink_fn sink, void* user);

    /* Runs one SQL statement with positional `?` parameters given as a JSON array. The result
     * goes to `sink` as {"rows":[{...}],"changes":n,"last_id":0}; on error,
     * {"code","message"}. Inside db_transaction, runs in that transaction. "last_id" is always 0
     * since ABI 1.4 (it was SQLite's last insert rowid, which no other store has): a new row's
     * id comes back with INSERT ... RETURNING id, in "rows". */
    int (*db_query)(void* ctx, const char* sql, const char* params_json, anchang_sink_fn sink,
                    void* user);

    /* Runs `fn` inside one write transaction (BEGIN IMMEDIATE). Nested calls join the outer
     * transaction. Commits when fn returns ANCHANG_OK. */
    int (*db_transaction)(void* ctx, anchang_tx_fn fn, void* user);

    /* Appends to the hash-chained audit log:
     * {"actor_id":1,"project_id":3,"action":"customer.owner.change","target":"customer:42",
     *  "detail":{...}}. Inside db_transaction the entry commits or rolls back with it. */
    int (*audit_append)(void* ctx, const char* entry_json);

    /* ABI 1.1 ------------------------------------------------------------------------------ */

    /* Runs the project's active scripts on a hook point this plugin declared in plugin.json
     * (docs/scripting.md). `sink` receives {"output":...,"vetoed":false,"fallback":false} on
     * success; {"vetoed":true,"message":"..."} when a script refused; and "fallback":true (with
     * "error" when a script failed) whenever the plugin must apply its built-in rule. */
    int (*hook_call)(void* ctx, int64_t project_id, const char* hook_point, const char* input_json,
                     anchang_sink_fn sink, void* user);

    /* Validates submitted values against a form this plugin declared, with the project's custom
     * fields and its validation hook: {"ok":true,"values":{custom fields, normalized}} or
     * {"ok":false,"errors":[{"field","code","message":{"zh-CN","en"}}]} or
     * {"ok":false,"vetoed":true,"message":"..."}. */
    int (*form_validate)(void* ctx, int64_t project_id, const char* form_id, const char* values_json,
                         anchang_sink_fn sink, void* user);

    /* ABI 1.2 ------------------------------------------------------------------------------ */

    /* Adds the route plugin.json names `name`: its method, path and permission come from the
     * manifest, so they are written once. Only during start. */
    int (*http_route_named)(void* ctx, const char* name, anchang_route_fn fn, void* user);

    /* Asks the running contributors of an extension point this plugin declared
     * (docs/plugins.md, "Extension points"), each within the point's deadline. `sink` receives
     * {"answers":[{"plugin","output"} | {"plugin","error":{"code","message"}}]}: every
     * contributor's for mode "all", the first that answered for mode "first", none when no
     * contributor runs — never an error for that. */
    int (*extend)(void* ctx, int64_t project_id, const char* point, const char* input_json, anchang_sink_fn sink,
                  void* user);

    /* Called by an event handler that failed (the SDK does it when the handler throws): for a
     * durable event, what the handler wrote is rolled back with it. */
    void (*event_failed)(void* ctx);

    /* A named point in the plugin's flow ("registration.visit.committed"). Nothing happens,
     * unless the kernel runs with the test-only setting test.crashAt naming it: then the
     * process ends there at once, as kill -9 would (fault-injection tests). */
    void (*crash_point)(void* ctx, const char* name);

    /* ABI 1.3 ------------------------------------------------------------------------------ */

    /* The kernel's clock, ms since the epoch: every plugin's "now". A kernel started with the
     * test-only setting test.clock can be set and advanced, so read time only here. */
    int64_t (*now_ms)(void* ctx);

    /* The project's record to `sink`: {"id","code","name","archived","utc_offset_minutes"};
     * ANCHANG_E_NOT_FOUND for an unknown project. */
    int (*project_get)(void* ctx, int64_t project_id, anchang_sink_fn sink, void* user);

    /* Runs `fn` for the job plugin.json declares under "jobs" as `name`, for every project, on
     * its schedule (docs/plugins.md, "Scheduled jobs"). Only during start. */
    int (*job_handle)(void* ctx, const char* name, anchang_job_fn fn, void* user);

    /* ABI 1.5 ------------------------------------------------------------------------------ */

    /* Says that this running plugin works only in part, and why ("no face model installed: run
     * scripts/face-models"): GET /api/v1/modules reports it "degraded" with that reason while
     * its routes and services stay up. An empty reason says it works in full again. Any time. */
    void (*degrade)(void* ctx, const char* reason);

    /* ABI 1.6 ------------------------------------------------------------------------------ */

    /* Lets a route handler answer after it returned. Called during the handler with the
     * respond_ctx it was given, it hands back a respond function and its context, which stay
     * valid until that function is called: exactly once, from any thread, at any later time.
     * The handler may then return ANCHANG_OK without answering; its connection waits for the
     * answer while the kernel's HTTP worker goes on with other requests (a sale answered once
     * the batch it was written in is on disk, instead of a worker held until then). An answer
     * given before the handler returns is sent as any other. ANCHANG_E_STATE when the request
     * was answered already or this was asked before. */
    int (*http_later)(void* ctx, void* respond_ctx, anchang_http_respond_fn* later_respond, void** later_ctx);
} anchang_host;

/* ---- Plugin descriptor -------------------------------------------------------------------- */

typedef struct anchang_plugin {
    uint32_t size;
    uint32_t abi_major; /* must equal the kernel's ANCHANG_ABI_MAJOR */
    const char* id;     /* must equal plugin.json "id" */
    const char* version;
    void* self;
    /* Registers routes, subscriptions and services, and checks its configuration. On failure,
     * writes the reason to `error` and returns non-zero; the kernel then stops nothing of it
     * and reports it as failed. */
    int (*start)(void* self, const anchang_host* host, anchang_sink_fn error, void* error_user);
    /* Called in reverse start order after traffic to the plugin has stopped. */
    void (*stop)(void* self);
    /* Frees `self`. The descriptor itself stays valid until the library is unloaded. */
    void (*destroy)(void* self);
} anchang_plugin;

/* The one symbol a plugin exports. Called once; returns a descriptor owned by the plugin. */
typedef const anchang_plugin* (*anchang_plugin_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* ANCHANG_ABI_H */
