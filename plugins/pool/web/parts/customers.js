// The customers a pool page names by id — a defeat request carries only the customer's id —, read
// from core once each, all at once. `learn` takes a name the page has already (the pool's
// entries, the claims); a customer core will not show this user (a consultant's former customer,
// now in the pool or a colleague's) stays unnamed, and the page says "customer #id".
import { ref } from 'vue'
import { api } from '@anchang/ui'

export function useCustomers() {
  const known = ref({}) // id → core's customer ({name, persons…}), or null when core would not show them
  function learn(id, name) {
    if (!known.value[id]) known.value = { ...known.value, [id]: { id, name, persons: [] } }
  }
  async function fetch(ids) {
    const missing = [...new Set(ids)].filter((id) => !(id in known.value))
    if (!missing.length) return
    const found = await Promise.all(missing.map((id) => api.get(`/api/v1/projects/{project}/customers/${id}`).catch(() => null)))
    known.value = { ...known.value, ...Object.fromEntries(missing.map((id, i) => [id, found[i]])) }
  }
  return { known, learn, fetch }
}
