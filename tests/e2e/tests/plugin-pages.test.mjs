// Plugin pages come from the manifests of running modules: ./run gives the `good` fixture two
// pages (a big screen for every member of a project, a front-desk page for whoever may use
// good.items.write, which good grants managers) whose components the UI was not built with,
// which the UI must say rather than show a blank page.
import assert from 'node:assert/strict'
import { BASE, login, menuItem, scenario } from '../lib/harness.mjs'

scenario('pages of a running module appear in the menu, by permission, in their layout', async (page) => {
  await login(page, 'consultant1')
  await menuItem(page, '/good/board').waitFor()
  assert.equal(await menuItem(page, '/good/desk').count(), 0, 'the desk page needs good.items.write')
  await page.goto(`${BASE}/good/desk`)
  await page.waitForURL((url) => url.pathname === '/forbidden')

  await login(page, 'manager')
  await menuItem(page, '/good/desk').waitFor()

  await menuItem(page, '/good/board').click()
  await page.locator('[data-test=missing-page]').getByText('plugins/good/web/Board.vue').waitFor()
  // The screen layout: dark, and no console sidebar.
  assert.equal(await page.locator('.console__aside').count(), 0)
  assert.ok(await page.evaluate(() => document.documentElement.classList.contains('dark')))
})

scenario('admins see every page of a running module', async (page) => {
  await login(page, 'admin')
  await menuItem(page, '/good/desk').click()
  await page.locator('[data-test=missing-page]').getByText('plugins/good/web/Desk.vue').waitFor()
  // The PAD layout: a slim bar with the page title, no sidebar.
  await page.locator('.pad__title', { hasText: '前台示例' }).waitFor()
  assert.equal(await page.locator('.console__aside').count(), 0)
  await page.goto(`${BASE}/`)
  await page.locator('.console__aside').waitFor()
})
