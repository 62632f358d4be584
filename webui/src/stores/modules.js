// The modules the kernel reports (GET /api/v1/modules, public): the menu's plugin pages and the
// licence state come from here.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api, notifyError } from '@/lib/api.js'

export const useModules = defineStore('anchang.modules', () => {
  const modules = ref([])
  const licence = ref(null)
  const loaded = ref(false)

  async function load() {
    try {
      const answer = await api.get('/api/v1/modules')
      modules.value = answer.modules
      licence.value = answer.licence
    } catch (e) {
      // Without the list the console still works; only plugin pages are missing.
      notifyError(e)
    } finally {
      loaded.value = true
    }
  }

  return { modules, licence, loaded, load }
})

/**
 * Whether module `id` is running in this deployment (channel, face…), for pages that offer more
 * when another module is there. The router loaded the list before the first page was shown; read
 * in a template or a computed, it follows the store.
 */
export function moduleRunning(id) {
  return useModules().modules.some((m) => m.id === id && m.state === 'running')
}
