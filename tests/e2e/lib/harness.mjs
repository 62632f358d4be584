// What every browser test shares: the kernels under test (started by ./run), a fresh Chromium per
// test, logging in through the UI or the API, and the evidence kept when a test fails.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { chromium } from 'playwright-core'

export const BASE = process.env.ANCHANG_E2E_URL
export const PASSWORD = 'demo1234'
// The second kernel ./run starts: the real core and registration modules with the demo project
// (config/demo), for the front desk's pages.
export const DEMO = process.env.ANCHANG_E2E_DEMO_URL
const ARTIFACTS = process.env.ANCHANG_E2E_ARTIFACTS ?? join(import.meta.dirname, '..', 'artifacts')
// Where the demo kernel logs what it texts, codes included (notify.logSecrets).
const DEMO_LOG = process.env.ANCHANG_E2E_DEMO_LOG

if (!BASE) throw new Error('ANCHANG_E2E_URL is not set: run the tests with tests/e2e/run')

// Debian's chromium, never a downloaded one. The network flags keep it from calling Google's
// services, which this machine's closed network refuses (and which would only slow the tests).
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

const slug = (name) => name.replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '').slice(0, 80)

async function keepEvidence(page, name, lines) {
  mkdirSync(ARTIFACTS, { recursive: true })
  const base = join(ARTIFACTS, slug(name))
  await page.screenshot({ path: `${base}.png`, fullPage: true }).catch(() => {})
  writeFileSync(`${base}.html`, await page.content().catch(() => ''))
  writeFileSync(`${base}.console.txt`, lines.join('\n'))
}

async function launch(viewport) {
  const profile = mkdtempSync(join(tmpdir(), 'anchang-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    // The sales office's tablets and phones keep China's time, the demo project's too: without
    // this, "today" in the browser and on the server differ between 16:00 and 24:00 UTC.
    timezoneId: 'Asia/Shanghai',
    locale: 'zh-CN',
  })
  context.setDefaultTimeout(15_000)
  const page = context.pages()[0] ?? (await context.newPage())
  const lines = []
  page.on('console', (message) => lines.push(`[${message.type()}] ${message.text()}`))
  page.on('pageerror', (error) => lines.push(`[pageerror] ${error.stack ?? error.message}`))
  const close = async () => {
    await context.close()
    rmSync(profile, { recursive: true, force: true })
  }
  return { page, lines, close }
}

/**
 * A browser test: a new Chromium with an empty profile, a page to drive, and — if the test
 * fails — a screenshot, the page's HTML and its console in tests/e2e/artifacts/. A test that
 * needs a second person (a receptionist and a consultant) asks `another({width, height})` for a
 * page in a browser of its own, whose evidence is kept the same way.
 */
export function scenario(name, body, { timeout = 90_000, viewport = { width: 1366, height: 900 } } = {}) {
  test(name, { timeout }, async () => {
    const browsers = [await launch(viewport)]
    const another = async (size = viewport) => {
      const browser = await launch(size)
      browsers.push(browser)
      return browser.page
    }
    try {
      await body(browsers[0].page, another)
    } catch (error) {
      for (const [i, browser] of browsers.entries()) await keepEvidence(browser.page, i ? `${name} (${i + 1})` : name, browser.lines)
      throw error
    } finally {
      for (const browser of browsers) await browser.close()
    }
  })
}

/**
 * Keeps a screenshot of what the page shows now in tests/e2e/artifacts/ (NAME.png), for a person
 * to look at how a screen lays out at a size, whether the test passed or not.
 */
export async function keepScreenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true })
  await page.screenshot({ path: join(ARTIFACTS, `${slug(name)}.png`) })
}

/** Logs in through the login page and waits for the console. */
export async function login(page, username, password = PASSWORD, base = BASE) {
  await page.goto(`${base}/login`)
  await page.locator('input[name=username]').fill(username)
  await page.locator('input[name=password]').fill(password)
  await page.locator('[data-test=login-submit]').click()
  await page.waitForURL((url) => !url.pathname.startsWith('/login'))
  await page.locator('[data-test=user-menu]').waitFor()
}

/** Calls the kernel's API the way another client would (Node's fetch). */
export async function api(method, path, { token, body, lang = 'zh-CN', base = BASE, headers: extra } = {}) {
  const headers = { 'Accept-Language': lang, ...extra }
  if (token) headers.Authorization = `Bearer ${token}`
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  const response = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  const text = await response.text()
  return { status: response.status, body: text ? JSON.parse(text) : null }
}

export async function tokenFor(username, base = BASE) {
  const answer = await api('POST', '/api/v1/auth/login', { body: { username, password: PASSWORD }, base })
  if (answer.status !== 200) throw new Error(`cannot log ${username} in: ${JSON.stringify(answer.body)}`)
  return answer.body.token
}

/** The side menu's entry for a path (kernel page or plugin page). */
export const menuItem = (page, path) => page.locator(`.side-menu [data-menu="${path}"]`)

/**
 * The code the demo kernel last texted to `phone` — a sign-in code, a customer's SMS check —, read
 * from its log as a developer reads scripts/run's: the tests' SMS gateway. Waits for it, since the
 * text is sent after the answer; give each test a phone of its own, so "last" is the one asked for.
 */
export async function textedCode(phone, { timeout = 10_000 } = {}) {
  if (!DEMO_LOG) throw new Error('ANCHANG_E2E_DEMO_LOG is not set: run the tests with tests/e2e/run')
  const deadline = Date.now() + timeout
  for (;;) {
    const texts = readFileSync(DEMO_LOG, 'utf8')
      .split('\n')
      .filter((line) => line.includes(' notification ') && line.includes(`"phone":"${phone}"`))
    // "notification <id> to <recipient> (<template>): <text>"; the code is the text's six digits.
    const code = texts.at(-1)?.match(/\): .*?\b(\d{6})\b/)?.[1]
    if (code) return code
    if (Date.now() > deadline) throw new Error(`the demo kernel texted no code to ${phone} within ${timeout} ms`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}
