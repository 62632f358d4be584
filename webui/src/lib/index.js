// @anchang/ui — what the UI's pages and plugin pages (plugins/<id>/web/*.vue) build on.
// docs/webui.md explains each export with an example.
export { api, ApiError, errorMessage, notifyError } from './api.js'
export { useSession, useProject } from './session.js'
export { useEvents } from './events.js'
export { useLocale } from './locale.js'
// Whether another module runs here: moduleRunning('channel'); its name: moduleName('channel').
// The router has loaded the modules.
export { moduleRunning, moduleName } from '@/stores/modules.js'
export { useViewport } from './viewport.js'
export { formatTime, formatDate, formatClock, formatDuration, formatBytes, formatNumber, daysUntil } from './format.js'
// A form definition's field drawn from its schema, for pages that show a project's custom fields.
export { default as FormField } from '@/components/FormField.vue'
// The top of a page: its menu title, what it is for, and its actions in the default slot.
export { default as PageHeader } from '@/components/PageHeader.vue'
// Where other modules' components join a page: <PluginSlot name="…" v-model="extensions" />.
export { default as PluginSlot } from '@/components/PluginSlot.vue'
// The camera, for the components modules put on the desk: a QR code scanned (or typed), and the
// visitor's photo taken with their consent.
export { default as QrScanner } from '@/components/QrScanner.vue'
export { default as PhotoCapture } from '@/components/PhotoCapture.vue'
// A page that prints one sheet on A4: usePrintSheet() gives print(); mark screen-only parts data-print="hide".
export { usePrintSheet } from './print.js'
