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
