// The one HTTP client of the UI and of plugin pages. Every call carries the login token, the UI's
// language (the kernel localizes its error messages by Accept-Language) and can name the current
// project as `{project}` in its path, the way the kernel's route table writes it.
import { ElMessage } from 'element-plus'
import { currentLang, i18n } from '@/i18n'
import { useSession } from './session.js'

/** A failed call: the kernel's `{"error":{code,message,request_id}}`, or `network` when it never answered. */
export class ApiError extends Error {
  constructor({ status, code, message, requestId = '', detail = null, fields = null }) {
    super(message || code)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.requestId = requestId
    this.detail = detail
    // A form the kernel refused field by field: [{field, code, message}].
    this.fields = fields
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
 * Sends one request and answers the response once it is known to be a success; a failure
 * rejects with ApiError. `body` is sent as JSON unless it is already a string (a licence file is
 * uploaded byte for byte); `headers` adds to ours (an Idempotency-Key, say).
 */
async function send(method, path, { body, query, signal, headers: extra, accept = 'application/json' } = {}) {
  const session = useSession()
  const headers = { Accept: accept, 'Accept-Language': currentLang(), ...extra }
  if (session.token) headers.Authorization = `Bearer ${session.token}`
  let payload
  if (body instanceof Blob) {
    // A file goes byte for byte, with the type the browser gave it (the server reads the bytes).
    headers['Content-Type'] = body.type || 'application/octet-stream'
    payload = body
  } else if (body !== undefined) {
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
  if (response.ok) return response
  let error = {}
  try {
    error = JSON.parse(await response.text())?.error ?? {}
  } catch {
    // A proxy's HTML error page, say: reported below by its status.
  }
  const failure = new ApiError({
    status: response.status,
    code: error.code || `http.${response.status}`,
    message: error.message || response.statusText,
    requestId: error.request_id || response.headers.get('X-Request-Id') || '',
    detail: error.detail ?? null,
    fields: error.fields ?? null,
  })
  // A token that stopped working ends the session; a wrong password at login does not.
  if (response.status === 401 && headers.Authorization) unauthorized(failure)
  throw failure
}

/** A JSON call: resolves to the parsed answer (null for 204 or a body that is not JSON). */
async function request(method, path, options) {
  const response = await send(method, path, options)
  if (response.status === 204) return null
  const text = await response.text()
  try {
    return text ? JSON.parse(text) : null
  } catch {
    return null
  }
}

/**
 * Fetches a file (a CSV export, say) with the token and language, as every call does, and hands
 * it to the browser to save as `filename` (else the last part of the path). A plain link could
 * not carry the Authorization header.
 */
async function download(path, { query, filename, signal } = {}) {
  const response = await send('GET', path, { query, signal, accept: '*/*' })
  const blob = await response.blob()
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = filename || expand(path).split('/').pop()
  document.body.append(link)
  link.click()
  link.remove()
  // Revoked once the browser has started saving it.
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}

export const api = {
  get: (path, options) => request('GET', path, options),
  post: (path, body, options) => request('POST', path, { ...options, body: body ?? {} }),
  put: (path, body, options) => request('PUT', path, { ...options, body: body ?? {} }),
  patch: (path, body, options) => request('PATCH', path, { ...options, body: body ?? {} }),
  delete: (path, options) => request('DELETE', path, options),
  download,
  /** A text answer as it is (an SVG picture, say), with the token and language as every call has. */
  text: async (path, options) => (await send('GET', path, { ...options, accept: '*/*' })).text(),
  /** Stores a file in the kernel's media store as `plugin`'s `kind`; resolves to its record. */
  upload: (plugin, kind, file, options) =>
    request('POST', `/api/v1/projects/{project}/media/${plugin}/${kind}`, { ...options, body: file, query: { name: file.name } }),
}

/**
 * What to tell the user about a failure, in the UI's language: the page's own wording for the
 * code, if it passes one (`own`: {code: text}, the text already in the user's language),
 * else the UI's for the codes it knows (errors.<code>, which may quote the kernel's text as
 * {message}), else the kernel's message, which it already localized. The error is left as it is.
 */
export function errorMessage(error, own) {
  const { t, te } = i18n.global
  const mine = error?.code ? own?.[error.code] : undefined
  if (mine) return mine
  if (!(error instanceof ApiError)) return error?.message || t('errors.unknown')
  const key = `errors.${error.code}`
  if (te(key)) return t(key, { message: error.message, status: error.status })
  if (error.message) return error.message
  return t('errors.status', { status: error.status })
}

/** Shows a failure as a toast (`own` as for errorMessage). Returns the text, for pages that also show it inline. */
export function notifyError(error, own) {
  if (error?.name === 'AbortError') return ''
  const text = errorMessage(error, own)
  ElMessage({ type: 'error', message: text, showClose: true, duration: 6000, grouping: true })
  return text
}
