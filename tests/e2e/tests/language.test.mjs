// 中文 is the default; switching to English changes the UI's labels and the language the kernel
// answers in (Accept-Language), and the choice survives a reload.
import assert from 'node:assert/strict'
import { BASE, PASSWORD, login, scenario } from '../lib/harness.mjs'

async function failLogin(page) {
  await page.locator('input[name=username]').fill('consultant1')
  await page.locator('input[name=password]').fill('not-the-password')
  const [request, response] = await Promise.all([
    page.waitForRequest((r) => r.url().endsWith('/api/v1/auth/login')),
    page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login')),
    page.locator('[data-test=login-submit]').click(),
  ])
  return { lang: request.headers()['accept-language'], error: (await response.json()).error, shown: page.locator('[data-test=login-error]') }
}

scenario('switching from 中文 to English changes the labels and the API error messages', async (page) => {
  await page.goto(`${BASE}/login`)
  await page.getByRole('heading', { name: '登录' }).waitFor()

  const chinese = await failLogin(page)
  assert.equal(chinese.lang, 'zh-CN')
  assert.equal(chinese.error.message, '用户名或密码错误')
  await chinese.shown.getByText('用户名或密码错误').waitFor()

  await page.locator('[data-test=language-switch]').click()
  await page.locator('.el-dropdown-menu__item[data-lang=en]').click()
  await page.getByRole('heading', { name: 'Log in' }).waitFor()

  const english = await failLogin(page)
  assert.equal(english.lang, 'en')
  assert.equal(english.error.code, 'auth.bad_credentials')
  assert.equal(english.error.message, 'wrong username or password')
  await english.shown.getByText('Wrong username or password').waitFor()

  // Logged in, the console is in English too, and stays so after a reload.
  await login(page, 'consultant1', PASSWORD)
  await page.getByRole('heading', { name: 'Hello, 顾问一' }).waitFor()
  await page.reload()
  await page.locator('.side-menu').getByText('Home').waitFor()

  // And back.
  await page.locator('[data-test=language-switch]').click()
  await page.locator('.el-dropdown-menu__item[data-lang=zh-CN]').click()
  await page.locator('.side-menu').getByText('工作台').waitFor()
})
