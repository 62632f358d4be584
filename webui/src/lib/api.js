// The one HTTP client of the UI and of plugin pages. Every call carries the login token, the UI's
// language (the kernel localizes its error messages by Accept-Language) and can name the current
// project as `{project}` in its path, the way the kernel's route table writes it.
import { ElMessage } from 'element-plus'
import { currentLang, i18n } from '@/i18n'
import { useSession } from './session.js'

/** A failed call: the kernel's `{"error":{code,message,request_id}}`, or `network` when it never answered. */
export class ApiError extends Error {
  constructor({ status, code, message, requestId = '', detail = null }) {
    super(message || code)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.requestId = requestId
    this.detail = detail
  }
}

let unauthorized = () => {}

/** Called with the error when a logged-in call answers 401: the shell sends the user to the login page. */
export function onUnauthorized(handler) {
  unauthorized = handler
}

function expand(path) {
  if (!path.includes('{project}')) return path
  const { projectId } = useSession()
  if (!projectId) throw new ApiError({ status: 0, code: 'project.none', message: 'no project is selected' })
  return path.replaceAll('{project}', String(projectId))
}

function withQuery(path, query) {
  if (!query) return path
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== null && value !== '' && value !== false) params.set(key, value === true ? '1' : String(value))
  const text = params.toString()
  return text ? `${path}${path.includes('?') ? '&' : '?'}${text}` : path
}

/**
 * Sends one request. `body` is sent as JSON unless it is already a string (a licence file is
 * uploaded byte for byte). Resolves to the parsed answer (null for 204), rejects with ApiError.
 */
async function request(method, path, { body, query, signal } = {}) {
  const session = useSession()
  const headers = { Accept: 'application/json', 'Accept-Language': currentLang() }
  if (session.token) headers.Authorization = `Bearer ${session.token}`
  let payload
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json'
    payload = typeof body === 'string' ? body : JSON.stringify(body)
  }
  let response
  try {
    response = await fetch(withQuery(expand(path), query), { method, headers, body: payload, signal })
  } catch (e) {
    if (e.name === 'AbortError') throw e
    throw new ApiError({ status: 0, code: 'network', message: e.message })
  }
  if (response.status === 204) return null
  const text = await response.text()
  let data = null
  try {
    data = text ? JSON.parse(text) : null
  } catch {
    // A proxy's HTML error page, say: reported below by its status.
  }
  if (!response.ok) {
    const error = data?.error ?? {}
    const failure = new ApiError({
      status: response.status,
      code: error.code || `http.${response.status}`,
      message: error.message || response.statusText,
      requestId: error.request_id || response.headers.get('X-Request-Id') || '',
      detail: error.detail ?? null,
    })
    // A token that stopped working ends the session; a wrong password at login does not.
    if (response.status === 401 && headers.Authorization) unauthorized(failure)
    throw failure
  }
  return data
}

export const api = {
  get: (path, options) => request('GET', path, options),
  post: (path, body, options) => request('POST', path, { ...options, body: body ?? {} }),
  put: (path, body, options) => request('PUT', path, { ...options, body: body ?? {} }),
  patch: (path, body, options) => request('PATCH', path, { ...options, body: body ?? {} }),
  delete: (path, options) => request('DELETE', path, options),
}

/**
 * What to tell the user about a failure, in the UI's language: our own wording for the codes the
 * UI knows (errors.<code>, which may quote the kernel's text as {message}), else the kernel's
 * message, which it already localized.
 */
export function errorMessage(error) {
  const { t, te } = i18n.global
  if (!(error instanceof ApiError)) return error?.message || t('errors.unknown')
  const key = `errors.${error.code}`
  if (te(key)) return t(key, { message: error.message, status: error.status })
  if (error.message) return error.message
  return t('errors.status', { status: error.status })
}

/** Shows a failure as a toast. Returns the text, for pages that also show it inline. */
export function notifyError(error) {
  if (error?.name === 'AbortError') return ''
  const text = errorMessage(error)
  ElMessage({ type: 'error', message: text, showClose: true, duration: 6000, grouping: true })
  return text
}
