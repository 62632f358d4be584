// @anchang/ui — what the UI's pages and plugin pages (plugins/<id>/web/*.vue) build on.
// docs/webui.md explains each export with an example.
export { api, ApiError, errorMessage, notifyError } from './api.js'
export { useSession, useProject } from './session.js'
export { useEvents } from './events.js'
export { useLocale } from './locale.js'
export { useViewport } from './viewport.js'
export { formatTime, formatClock, formatBytes, formatNumber, daysUntil } from './format.js'
