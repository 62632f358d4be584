// Who is logged in, with which roles, and which project (楼盘) they are working on.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api } from './api.js'

const TOKEN_KEY = 'anchang.token'
const PROJECT_KEY = 'anchang.project'
// A browser that logged in as a user keeps that user's device token, and shows it at the next
// login: the kernel then does not hold it back when someone else guesses at the password.
const deviceKey = (username) => `anchang.device.${username.toLowerCase()}`

export const useSession = defineStore('anchang.session', () => {
  const token = ref(localStorage.getItem(TOKEN_KEY) || '')
  const user = ref(null)
  const projectId = ref(Number(localStorage.getItem(PROJECT_KEY)) || 0)

  const globalRoles = computed(() => user.value?.roles ?? [])
  const isAdmin = computed(() => globalRoles.value.includes('admin'))
  const projects = computed(() => user.value?.projects ?? [])
  const project = computed(() => projects.value.find((p) => p.id === projectId.value) ?? null)

  /** The roles that count in a project: global ones plus the project's; every project's when none is named. */
  function rolesIn(id = projectId.value) {
    const roles = new Set(globalRoles.value)
    for (const p of projects.value) if (id === null || p.id === id) for (const role of p.roles ?? []) roles.add(role)
    return [...roles]
  }

  /** Whether the kernel lets this user use `permission` in the project (null: in any project).
   *  The kernel sends each user's effective permissions with the user, grants an admin changed included. */
  function can(permission, id = projectId.value) {
    if (isAdmin.value) return true
    if (id === null) return (user.value?.permissions ?? []).includes(permission)
    const entry = projects.value.find((p) => p.id === id)
    return (entry?.permissions ?? []).includes(permission)
  }

  function selectProject(id) {
    projectId.value = id
    if (id) localStorage.setItem(PROJECT_KEY, String(id))
    else localStorage.removeItem(PROJECT_KEY)
  }

  // Keeps the remembered project when the user still belongs to it; otherwise the first open one.
  function settleProject() {
    if (projects.value.some((p) => p.id === projectId.value)) return
    const open = projects.value.find((p) => !p.archived) ?? projects.value[0]
    selectProject(open ? open.id : 0)
  }

  function accept(newToken, newUser) {
    token.value = newToken
    localStorage.setItem(TOKEN_KEY, newToken)
    user.value = newUser
    settleProject()
  }

  /** Takes a fresh login answer: the bearer token, the user, and this browser's device token. */
  function start(answer) {
    if (answer.device_token) localStorage.setItem(deviceKey(answer.user.username), answer.device_token)
    accept(answer.token, answer.user)
    return answer.user
  }

  async function login(username, password) {
    const device_token = localStorage.getItem(deviceKey(username)) || undefined
    return start(await api.post('/api/v1/auth/login', { username, password, device_token }))
  }

  /**
   * Phone + one-time code (buyers, everyone-brokers): the kernel texts a code for `role` in the
   * project, whose module offers that sign-in; verifying it starts a session as login does.
   */
  function requestCode(phone, project, role) {
    return api.post('/api/v1/auth/code', { phone, project_id: project, role })
  }
  async function signInWithCode(phone, project, role, code) {
    const user = start(await api.post('/api/v1/auth/code/verify', { phone, project_id: project, role, code }))
    selectProject(project)
    return user
  }

  /** A new password ends every token issued before it, this browser's too; the answer has new ones. */
  async function changePassword(current, next) {
    return start(await api.put('/api/v1/auth/password', { current, next }))
  }

  /** Re-reads the user (after a reload, or when an admin changed their own roles or projects). */
  async function refresh() {
    user.value = await api.get('/api/v1/auth/me')
    settleProject()
    return user.value
  }

  function clear() {
    token.value = ''
    user.value = null
    localStorage.removeItem(TOKEN_KEY)
  }

  async function logout() {
    try {
      await api.post('/api/v1/auth/logout')
    } finally {
      clear()
    }
  }

  return {
    token, user, projectId, globalRoles, isAdmin, projects, project,
    rolesIn, can, selectProject, login, requestCode, signInWithCode, changePassword, refresh, logout, clear,
  }
})

/**
 * The current project, for pages that work inside one: its id, its record and the user's roles
 * there. API paths name it as `{project}` (api.get('/api/v1/projects/{project}/...')).
 */
export function useProject() {
  const session = useSession()
  return {
    id: computed(() => session.projectId),
    project: computed(() => session.project),
    roles: computed(() => session.rolesIn()),
    can: (permission) => session.can(permission),
  }
}
