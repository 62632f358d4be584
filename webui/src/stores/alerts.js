// Open alerts (a script switched off, a visitor nobody is on duty to receive, …) for the header's
// bell and the alerts page. Admins see every project's; a manager sees the current project's.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api } from '@/lib/api.js'
import { useSession } from '@/lib/session.js'

export const useAlerts = defineStore('anchang.alerts', () => {
  const session = useSession()
  const open = ref([])

  const path = computed(() => {
    if (session.isAdmin) return '/api/v1/alerts'
    if (session.project && session.can('kernel.alerts.read')) return '/api/v1/projects/{project}/alerts'
    return null
  })

  /** Lists alerts; `all` includes acknowledged ones. Keeps the open count current either way. */
  async function list(all = false) {
    if (!path.value) return []
    const answer = await api.get(path.value, { query: { all } })
    open.value = all ? answer.alerts.filter((a) => !a.acknowledged_at) : answer.alerts
    return answer.alerts
  }

  async function acknowledge(alert) {
    const base = session.isAdmin ? '/api/v1/alerts' : '/api/v1/projects/{project}/alerts'
    await api.post(`${base}/${alert.id}/ack`)
    open.value = open.value.filter((a) => a.id !== alert.id)
  }

  // What the kernel pushes (`kernel.alerts`): a new alert rings at once; one resolved or
  // acknowledged anywhere leaves every bell.
  function raised(alert) {
    if (!open.value.some((a) => a.id === alert.id)) open.value = [{ ...alert, project_id: session.projectId }, ...open.value]
  }
  function closed(ids) {
    open.value = open.value.filter((a) => !ids.includes(a.id))
  }

  return { open, available: computed(() => path.value !== null), list, acknowledge, raised, closed }
})
