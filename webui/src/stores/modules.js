// The modules the kernel reports (GET /api/v1/modules, public): the menu's plugin pages, the
// components modules put in each other's pages, the roles they declare and the licence state come
// from here.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api, notifyError } from '@/lib/api.js'

export const useModules = defineStore('anchang.modules', () => {
  const modules = ref([])
  const roles = ref([]) // [{name, label: {zh-CN, en} | null, owner}], admin first
  const licence = ref(null)
  const loaded = ref(false)

  async function load() {
    try {
      const answer = await api.get('/api/v1/modules')
      modules.value = answer.modules
      roles.value = answer.roles
      licence.value = answer.licence
    } catch (e) {
      // Without the list the console still works; plugin pages are missing and roles go by their
      // bare names.
      notifyError(e)
    } finally {
      loaded.value = true
    }
  }

  return { modules, roles, licence, loaded, load }
})

/**
 * Whether module `id` is running in this deployment (channel, face…), for pages that offer more
 * when another module is there. The router loaded the list before the first page was shown; read
 * in a template or a computed, it follows the store.
 */
export function moduleRunning(id) {
  return useModules().modules.some((m) => m.id === id && isRunning(m))
}

/**
 * Whether the kernel serves a module's routes: running, or degraded (running, but working only in
 * part — face without a model still records consents and shows alerts).
 */
export function isRunning(module) {
  return module.state === 'running' || module.state === 'degraded'
}

/** Module `id`'s name as its manifest gives it ({zh-CN, en}), or null when it is not installed. */
export function moduleName(id) {
  return useModules().modules.find((m) => m.id === id)?.name ?? null
}
