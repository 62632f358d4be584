// Server-sent events of the current project (GET /api/v1/projects/{p}/events): what modules push
// to browsers — a visitor assigned to this consultant, the live board changing. The kernel
// delivers an event only to the users its module names (by user or by permission).
import { onBeforeUnmount, ref, watch } from 'vue'
import { useSession } from './session.js'

/**
 * Inside a component's setup: calls `onEvent(name, data)` for each named event while the
 * component is shown, e.g. useEvents(['registration.assigned'], (name, data) => …). Follows the
 * project switcher and the login.
 *
 * Events pushed while the stream was not open are not replayed, so `resync()`, if given, is how
 * the page reads its state — and the only time it needs to for what the stream keeps current:
 * - each time the stream opens, the first time included (which closes the gap between reading
 *   and listening, so the page does not also read that data when it is mounted);
 * - once on the first error if the stream never opened, so a page still shows something where a
 *   proxy or firewall blocks the stream;
 * - each time the server refused the stream (an HTTP error: the browser then gives up for good),
 *   before trying again 5 seconds later.
 * A dropped stream the browser reconnects by itself calls it again when it opens.
 * Returns `connected`, a ref that is true while the stream is open.
 */
export function useEvents(names, onEvent, { resync } = {}) {
  const session = useSession()
  const connected = ref(false)
  let source = null
  let retry = null
  let synced = false // resync() ran since the project (or the login) was chosen

  function close() {
    clearTimeout(retry)
    retry = null
    source?.close()
    source = null
    connected.value = false
  }

  function sync() {
    synced = true
    resync?.()
  }

  function open() {
    close()
    if (!session.token || !session.projectId) return
    // An EventSource cannot send an Authorization header: the kernel accepts the token in the
    // query string on this route only, and keeps query strings out of its access log.
    const topics = names.map(encodeURIComponent).join(',')
    const stream = new EventSource(`/api/v1/projects/${session.projectId}/events?topics=${topics}&access_token=${encodeURIComponent(session.token)}`)
    source = stream
    stream.onopen = () => {
      connected.value = true
      sync()
    }
    stream.onerror = () => {
      if (stream !== source) return
      connected.value = false
      if (stream.readyState === EventSource.CLOSED) {
        // The server answered with an HTTP error: the browser will not retry this stream, and a
        // consultant's phone would never ring again. Read the state, and try again ourselves.
        sync()
        retry = setTimeout(open, 5000)
      } else if (!synced) sync() // reconnecting, but it never opened: the page still loads
    }
    for (const name of names)
      stream.addEventListener(name, (message) => {
        let data = null
        try {
          data = JSON.parse(message.data)
        } catch {
          data = message.data
        }
        onEvent(name, data)
      })
  }

  watch(
    () => [session.projectId, session.token],
    () => {
      synced = false
      open()
    },
    { immediate: true },
  )
  onBeforeUnmount(close)
  return { connected }
}
