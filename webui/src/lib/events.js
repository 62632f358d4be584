// Server-sent events of the current project (GET /api/v1/projects/{p}/events): what modules push
// to browsers — a visitor assigned to this consultant, the live board changing. The kernel
// delivers an event only to the users its module names (by user or by permission).
import { onBeforeUnmount, ref, watch } from 'vue'
import { useSession } from './session.js'

/**
 * Inside a component's setup: calls `onEvent(name, data)` for each named event while the
 * component is shown, e.g. useEvents(['registration.assigned'], (name, data) => …). Follows the
 * project switcher and the login; the browser reconnects by itself after a dropped stream.
 * Events pushed while the stream was not open are not replayed: `resync()`, if given, is called
 * each time it opens (the first time too, which closes the gap between a page's first load and
 * its stream), for the page to read the state again.
 * Returns `connected`, a ref that is true while the stream is open.
 */
export function useEvents(names, onEvent, { resync } = {}) {
  const session = useSession()
  const connected = ref(false)
  let source = null

  function close() {
    source?.close()
    source = null
    connected.value = false
  }

  function open() {
    close()
    if (!session.token || !session.projectId) return
    // An EventSource cannot send an Authorization header: the kernel accepts the token in the
    // query string on GET, and keeps query strings out of its access log.
    const topics = names.map(encodeURIComponent).join(',')
    source = new EventSource(`/api/v1/projects/${session.projectId}/events?topics=${topics}&access_token=${encodeURIComponent(session.token)}`)
    source.onopen = () => {
      connected.value = true
      resync?.()
    }
    source.onerror = () => (connected.value = false)
    for (const name of names)
      source.addEventListener(name, (message) => {
        let data = null
        try {
          data = JSON.parse(message.data)
        } catch {
          data = message.data
        }
        onEvent(name, data)
      })
  }

  watch(() => [session.projectId, session.token], open, { immediate: true })
  onBeforeUnmount(close)
  return { connected }
}
