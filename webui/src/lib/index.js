// @anchang/ui — what the UI's pages and plugin pages (plugins/<id>/web/*.vue) build on.
// docs/webui.md explains each export with an example.
export { api, ApiError, errorMessage, notifyError } from './api.js'
export { useSession, useProject } from './session.js'
export { useEvents } from './events.js'
export { useLocale } from './locale.js'
// Whether another module runs here: moduleRunning('channel'). The router has loaded the modules.
export { moduleRunning } from '@/stores/modules.js'
export { useViewport } from './viewport.js'
export { formatTime, formatDate, formatClock, formatDuration, formatBytes, formatNumber, daysUntil } from './format.js'
// A form definition's field drawn from its schema, for pages that show a project's custom fields.
export { default as FormField } from '@/components/FormField.vue'
// The top of a page: its menu title, what it is for, and its actions in the default slot.
export { default as PageHeader } from '@/components/PageHeader.vue'
