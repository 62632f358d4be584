// The live unit board of a round, kept current for a page: the buyer's phone and the hall's
// screen. The first read is the whole board; after it, only what sold since the version held
// (board?since=V), which the server answers from memory. A push (`selection.sold`) only says
// that something sold: the page reads from its own version, so a missed push costs nothing but a
// short delay, and a poll catches up when the stream is down or a push was lost.
//
// Two thousand units change one at a time: they are plain objects in a Map by unit id, under a
// shallowRef of the buildings that is triggered once per answer. Nothing deep-watches them; a
// grid redraws only the cells whose status changed (v-memo on the status).
import { onBeforeUnmount, ref, shallowRef, triggerRef, watch } from 'vue'
import { api, useEvents } from '@anchang/ui'

const POLL_LIVE_MS = 15_000 // the stream is open: only for a push that was lost
const POLL_OFFLINE_MS = 4_000
const FRESH_MS = 6_000 // how long a unit that just sold stands out

const byNumber = (a, b) => String(a).localeCompare(String(b), 'zh-CN', { numeric: true })

/**
 * In a component's setup. `round` is a ref of the round's id (null: none yet). `onSold(units)`
 * hears of the units seen selling after the first read, oldest first.
 * Returns the buildings ([{name, floors: [{floor, units}], columns, units, sold}], top floor
 * first), `unit(id)`, the round's `sold` and `total`, `loaded`, `failed` (the last read's
 * error, null once one succeeds), `connected`, `refresh()`, `reload()` (the whole board again),
 * `markSold(id)` (the page's own sale, before the board says so) and `latest(n)` (the last n
 * sales, for a ticker that starts with what sold before the page opened).
 */
export function useBoardFeed(round, { onSold } = {}) {
  const buildings = shallowRef([])
  const units = new Map()
  const version = ref(-1)
  const sold = ref(0)
  const total = ref(0)
  const loaded = ref(false)
  const failed = ref(null)
  let reading = null
  let again = false
  let generation = 0 // a new round: answers about the previous one are dropped
  let controller = new AbortController()
  const freshTimers = new Set()

  function rebuild(rows) {
    units.clear()
    const byBuilding = new Map()
    for (const row of rows) {
      const u = { ...row, fresh: false, short: shortNumber(row) }
      units.set(u.unit_id, u)
      if (!byBuilding.has(u.building)) byBuilding.set(u.building, new Map())
      const floors = byBuilding.get(u.building)
      if (!floors.has(u.floor)) floors.set(u.floor, [])
      floors.get(u.floor).push(u)
    }
    buildings.value = [...byBuilding.entries()]
      .sort(([a], [b]) => byNumber(a, b))
      .map(([name, floors]) => {
        const list = [...floors.entries()]
          .sort(([a], [b]) => b - a)
          .map(([floor, us]) => ({ floor, units: us.sort((a, b) => byNumber(a.number, b.number)) }))
        const all = list.flatMap((f) => f.units)
        return { name, floors: list, columns: Math.max(...list.map((f) => f.units.length)), units: all, sold: 0 }
      })
  }

  // Counts per building and in all, after any change.
  function count() {
    let all = 0
    for (const b of buildings.value) {
      b.sold = b.units.reduce((n, u) => n + (u.status === 'sold' ? 1 : 0), 0)
      all += b.sold
    }
    sold.value = all
    total.value = units.size
  }

  function highlight(list) {
    for (const u of list) u.fresh = true
    const timer = setTimeout(() => {
      freshTimers.delete(timer)
      for (const u of list) u.fresh = false
      triggerRef(buildings)
    }, FRESH_MS)
    freshTimers.add(timer)
  }

  function apply(answer) {
    const newly = []
    if (answer.full) {
      const same = answer.units.length === units.size && answer.units.every((row) => units.has(row.unit_id))
      if (!same) rebuild(answer.units)
      else
        for (const row of answer.units) {
          const u = units.get(row.unit_id)
          if (u.status !== row.status) {
            if (row.status === 'sold') newly.push(u)
            u.status = row.status
          }
        }
    } else
      for (const change of answer.units) {
        const u = units.get(change.unit_id)
        if (u && u.status !== change.status) {
          u.status = change.status
          if (change.status === 'sold') newly.push(u)
        }
      }
    version.value = answer.version
    count()
    if (loaded.value && newly.length) {
      highlight(newly)
      onSold?.(newly)
    }
    loaded.value = true
    triggerRef(buildings)
  }

  async function readOnce() {
    const id = round.value
    const mine = generation
    if (!id) return
    try {
      const answer = await api.get(`/api/v1/projects/{project}/selection/rounds/${id}/board`, {
        query: { since: version.value >= 0 ? version.value : undefined },
        signal: controller.signal,
      })
      if (mine !== generation) return
      apply(answer)
      failed.value = null
    } catch (e) {
      if (e.name !== 'AbortError' && mine === generation) failed.value = e
    }
  }

  /** Reads what changed; a read already under way is followed by one more instead of a second at once. */
  function refresh() {
    if (reading) {
      again = true
      return reading
    }
    reading = (async () => {
      do {
        again = false
        await readOnce()
      } while (again)
    })().finally(() => (reading = null))
    return reading
  }

  function reset() {
    generation += 1
    controller.abort()
    controller = new AbortController()
    version.value = -1
    loaded.value = false
    failed.value = null
    units.clear()
    buildings.value = []
    sold.value = 0
    total.value = 0
  }

  /** The whole board again: after a refusal that says the page's picture of it is wrong. */
  function reload() {
    version.value = -1
    return refresh()
  }

  function markSold(id) {
    const u = units.get(id)
    if (!u || u.status === 'sold') return
    u.status = 'sold'
    count()
    triggerRef(buildings)
  }

  /** The last `n` sales, newest first: the changes after version − n. */
  async function latest(n) {
    if (!round.value || version.value <= 0) return []
    const answer = await api.get(`/api/v1/projects/{project}/selection/rounds/${round.value}/board`, {
      query: { since: Math.max(0, version.value - n) },
      signal: controller.signal,
    })
    if (answer.full) return []
    return answer.units
      .map((c) => units.get(c.unit_id))
      .filter(Boolean)
      .reverse()
  }

  const { connected } = useEvents(
    ['selection.sold'],
    (_, data) => {
      if (data?.round_id === round.value && !(data.version <= version.value)) refresh()
    },
    { resync: refresh },
  )

  watch(
    round,
    () => {
      reset()
      refresh()
    },
    { immediate: true },
  )

  let poll = null
  let stopped = false
  const schedule = () => {
    if (!stopped) poll = setTimeout(() => refresh().finally(schedule), connected.value ? POLL_LIVE_MS : POLL_OFFLINE_MS)
  }
  schedule()

  onBeforeUnmount(() => {
    stopped = true
    clearTimeout(poll)
    controller.abort()
    for (const timer of freshTimers) clearTimeout(timer)
  })

  return {
    buildings,
    unit: (id) => units.get(id),
    sold,
    total,
    loaded,
    failed,
    connected,
    refresh,
    reload,
    markSold,
    latest,
  }
}

// A unit's number without its floor ("1801" on floor 18 is "01"), for a cell too narrow for the
// whole number: the floor is written at the start of its row.
function shortNumber({ number, floor }) {
  const text = String(number)
  const prefix = String(floor)
  return text.length > prefix.length && text.startsWith(prefix) ? text.slice(prefix.length) : text
}
