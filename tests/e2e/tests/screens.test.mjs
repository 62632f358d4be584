// The screens of the sales office's day, at the sizes of the devices in it — the hall's big screen
// (1366×768, 1920×1080, 4K), the receptionist's tablet (1024×768), a consultant's phone (390×844)
// and a manager's desktop (1366×768) — on the demo kernel. Each test asserts what went wrong on
// that screen before, and keeps screenshots in tests/e2e/artifacts/ for a person to look at.
import assert from 'node:assert/strict'
import { before } from 'node:test'
import { DEMO, api, keepScreenshot, login, menuItem, scenario, tokenFor } from '../lib/harness.mjs'

const PHONE = { width: 390, height: 844 }
const TABLET = { width: 1024, height: 768 }
const DESKTOP = { width: 1366, height: 768 }
const BOARD_SIZES = [DESKTOP, { width: 1920, height: 1080 }, { width: 3840, height: 2160 }]
const path = (p) => `/api/v1/projects/1${p}`

let receptionist
let consultants // display name -> user id, from the demo roster

before(async () => {
  assert.ok(DEMO, 'ANCHANG_E2E_DEMO_URL is not set: run the tests with tests/e2e/run')
  receptionist = await tokenFor('receptionist', DEMO)
  const roster = (await api('GET', path('/roster'), { token: await tokenFor('manager', DEMO), base: DEMO })).body
  consultants = Object.fromEntries(roster.consultants.map((c) => [c.name, c.user_id]))
})

// A phone no other test (or earlier run against the same kernel) used.
let serial = Date.now() % 100000
const freshPhone = () => `136${String(serial++ % 100000).padStart(5, '0')}${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`

async function register(name, phone = freshPhone()) {
  const answer = await api('POST', path('/visits'), { token: receptionist, base: DEMO, body: { phone, name, questionnaire: { layout: '三室两厅两卫' } } })
  assert.ok([200, 201].includes(answer.status), JSON.stringify(answer.body))
  return answer.body.visit
}

/** What `read()` answers once it equals `want`, or after 5 s what it answers then: for layouts that settle. */
async function settled(read, want) {
  const until = Date.now() + 5000
  let value = await read()
  while (JSON.stringify(value) !== JSON.stringify(want) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    value = await read()
  }
  return value
}

const sizeName = ({ width, height }) => `${width}x${height}`
const overlap = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height

/**
 * The board's texts broken over lines ("钱女/士": a box taller than twice its type), and visitors'
 * names and whom consultants receive cut short (an ellipsis where they should be read in full).
 */
const boardLines = (screen) =>
  screen.evaluate(() => {
    // The text's own width (a range is not clipped by the ellipsis) against the room its box gives it.
    const cutShort = (el) => {
      const range = document.createRange()
      range.selectNodeContents(el)
      const style = getComputedStyle(el)
      const room = el.getBoundingClientRect().width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)
      return range.getBoundingClientRect().width > room + 0.1
    }
    const texts = (selector, test) => [...document.querySelectorAll(selector)].filter(test).map((el) => el.textContent)
    return {
      broken: texts(
        '.board__name, .board__chip, .board__engagement, .board__status, .board__receiver, .board__count, .board__tile-label, .board__tile-value',
        (el) => el.getBoundingClientRect().height > 2 * parseFloat(getComputedStyle(el).fontSize),
      ),
      cut: texts('.board__arrival .board__name, .board__engagement', cutShort),
    }
  })

scenario('the big screen reads on hall screens from 1366×768 to 4K: no name breaks, the controls never cover the clock, and who is receiving shows', async (screen) => {
  await register('欧阳娜娜女士')
  await register('赵敏')
  await register('钱女士', '13911110002') // a returning customer: her row carries tags

  // Who each consultant is receiving, as the board answers it once the kernel reports it; put in
  // here so that the board's rendering is tested whatever the kernel under test sends.
  const receiving = consultants['张伟']
  const waiting = consultants['李娜']
  await screen.route(
    (url) => url.pathname === path('/registration/board'),
    async (route) => {
      const response = await route.fetch()
      const board = await response.json()
      const since = Date.now() - 10 * 60_000
      board.consultants = board.consultants.map((c) => ({
        ...c,
        busy: c.id === receiving || c.id === waiting,
        receiving:
          c.id === receiving ? { number: 12, name: '王先生', status: 'received', since }
          : c.id === waiting ? { number: 13, name: '东方女士', status: 'waiting', since }
          : null,
      }))
      await route.fulfill({ response, json: board })
    },
  )

  await login(screen, 'manager', undefined, DEMO)
  await screen.goto(`${DEMO}/registration/board`)
  await screen.locator('[data-test=live-board][data-loaded=true]').waitFor()
  await screen.locator('.board__arrival').first().waitFor()
  // Screenshots wait for the arrivals to have slid in.
  const arrived = () => screen.locator('.arrive-enter-active').first().waitFor({ state: 'detached' })

  const clockSize = {}
  for (const size of BOARD_SIZES) {
    await screen.setViewportSize(size)
    await screen.mouse.move(size.width / 2, size.height / 2) // shows the screen's controls
    const controls = screen.locator('.screen__controls')
    await controls.waitFor()
    const label = sizeName(size)

    assert.deepEqual(await boardLines(screen), { broken: [], cut: [] }, `the board's lines at ${label}`)

    const clock = screen.locator('[data-test=board-clock]')
    assert.ok(!overlap(await controls.boundingBox(), await clock.boundingBox()), `the controls cover the clock at ${label}`)
    assert.ok(!overlap(await controls.boundingBox(), await screen.locator('[data-test=live-board]').boundingBox()), `the controls cover the board at ${label}`)
    clockSize[label] = await clock.evaluate((el) => parseFloat(getComputedStyle(el).fontSize))
    await arrived()
    await keepScreenshot(screen, `board-${label}`)
  }
  // Across a hall a 4K screen needs type as large as a 1080p one shows it, not half of it.
  assert.ok(clockSize['3840x2160'] >= 1.8 * clockSize['1920x1080'], `type does not grow on 4K: ${JSON.stringify(clockSize)}`)
  // Each consultant says whom they are receiving, or who waits for them.
  await screen.locator(`[data-test=engagement-${receiving}]`, { hasText: '接待中 · 12号 王先生' }).waitFor()
  await screen.locator(`[data-test=engagement-${waiting}]`, { hasText: '待接待 · 13号 东方女士' }).waitFor()

  // English words are longer: the smallest screen still fits them.
  await screen.evaluate(() => localStorage.setItem('anchang.lang', 'en'))
  await screen.setViewportSize(DESKTOP)
  await screen.reload()
  await screen.locator(`[data-test=engagement-${receiving}]`, { hasText: 'Receiving · No. 12 王先生' }).waitFor()
  assert.deepEqual(await boardLines(screen), { broken: [], cut: [] }, `the board's lines in English at ${sizeName(DESKTOP)}`)
  await arrived()
  await keepScreenshot(screen, `board-en-${sizeName(DESKTOP)}`)
}, { viewport: DESKTOP })

scenario('a phone’s menu does not offer the big screen, a desktop’s does', async (phone, another) => {
  await login(phone, 'consultant1', undefined, DEMO)
  // The console on a phone (工作台): its menu is a drawer.
  await phone.locator('[data-test=menu-drawer]').click()
  await menuItem(phone, '/registration/mine').waitFor()
  assert.equal(await menuItem(phone, '/registration/board').count(), 0, 'the console drawer offers 现场大屏 on a phone')
  await keepScreenshot(phone, `phone-menu-${sizeName(PHONE)}`)
  await phone.keyboard.press('Escape')
  assert.equal(await phone.locator('a[href="/registration/board"]').count(), 0, 'the home page offers 现场大屏 on a phone')

  // The phone layout's own drawer.
  await phone.goto(`${DEMO}/registration/mine`)
  await phone.locator('.phone__menu').click()
  await menuItem(phone, '/registration/mine').waitFor()
  assert.equal(await menuItem(phone, '/registration/board').count(), 0, 'the phone drawer offers 现场大屏')

  const desktop = await another(DESKTOP)
  await login(desktop, 'consultant1', undefined, DEMO)
  await menuItem(desktop, '/registration/board').waitFor()
}, { viewport: PHONE })

scenario('the register at 1024 px shows every column beside the fixed actions, and voids with 作废', async (page) => {
  const visit = await register('慕容女士')
  for (const user of ['receptionist', 'manager']) {
    await login(page, user, undefined, DEMO)
    await page.goto(`${DEMO}/registration/register`)
    const status = page.locator(`[data-test=register-status-${visit.number}]`)
    await status.waitFor()
    // What is under the middle of each header cell and of the status is that cell, not the fixed
    // actions column laid over it (read once the table, which lays its columns out again after
    // its rows arrive, has settled).
    const hidden = () => page.evaluate((number) => {
      const shown = (el) => {
        const r = el.getBoundingClientRect()
        return el.contains(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2))
      }
      const headers = [...document.querySelectorAll('[data-test=register-table] .el-table__header th')].filter((th) => !shown(th)).map((th) => th.textContent)
      return { headers, status: !shown(document.querySelector(`[data-test=register-status-${number}]`)) }
    }, visit.number)
    assert.deepEqual(await settled(hidden, { headers: [], status: false }), { headers: [], status: false }, `columns hidden for ${user} at 1024 px`)
    await keepScreenshot(page, `register-${user}-${sizeName(TABLET)}`)
  }
  // The manager's void says 作废, in the table and in what it asks.
  await page.locator(`[data-test=register-void-${visit.number}]`, { hasText: '作废' }).click()
  await page.locator('.el-message-box', { hasText: `作废第 ${visit.number} 号登记` }).waitFor()
  assert.ok(!(await page.locator('body').innerText()).includes('注销'), 'the register says 注销')
}, { viewport: TABLET })

/** What of the page lies past the right edge of the screen (a phone's sideways scrolling). */
const sideways = (page, selector) =>
  page.evaluate((selector) => {
    const beyond = [...document.querySelectorAll(selector)].filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1).map((el) => el.textContent.trim())
    return { page: document.documentElement.scrollWidth > window.innerWidth, beyond }
  }, selector)

scenario('a consultant’s customers and the inventory sheet fit a phone: cards, no sideways scrolling, a tap opens one', async (phone) => {
  await login(phone, 'consultant1', undefined, DEMO)
  await phone.goto(`${DEMO}/core/customers`)
  // 孙先生 is 张伟's in the demo: a card with his number to call, not a row of a wide table.
  const card = phone.locator('[data-test^=customer-card-]', { hasText: '孙先生' })
  await card.locator('a[href="tel:13911110003"]').waitFor()
  assert.equal(await phone.locator('[data-test=customers-table]').count(), 0, 'the phone shows the desktop table')
  assert.deepEqual(await sideways(phone, '[data-test^=customer-card-], [data-test^=customer-card-] *'), { page: false, beyond: [] })
  await keepScreenshot(phone, `customers-${sizeName(PHONE)}`)
  await card.click()
  await phone.locator('.el-drawer', { hasText: '孙先生' }).waitFor()
  await keepScreenshot(phone, `customer-drawer-${sizeName(PHONE)}`)

  await phone.goto(`${DEMO}/core/inventory`)
  await phone.locator('[data-test=unit-1801]').waitFor()
  // A floor's four units side by side, each with its price, within the screen.
  assert.deepEqual(await sideways(phone, '[data-test^=unit-], [data-test=inventory-grid]'), { page: false, beyond: [] })
  const scroller = await phone.locator('.inventory__scroll').evaluate((el) => el.scrollWidth > el.clientWidth)
  assert.equal(scroller, false, 'the sheet scrolls sideways')
  assert.match(await phone.locator('[data-test=unit-1804]').innerText(), /1804\s+[\d.]+ 万/)
  await keepScreenshot(phone, `inventory-${sizeName(PHONE)}`)
  await phone.locator('[data-test=unit-1804]').click()
  await phone.locator('.el-dialog', { hasText: '1804' }).waitFor()
}, { viewport: PHONE })

scenario('工作台 gives each seat today’s numbers and its next actions, with the project by its name', async (desk, another) => {
  await register('端木先生')
  const board = (await api('GET', path('/registration/board'), { token: receptionist, base: DEMO })).body
  const figure = (page, key) => page.locator(`[data-test=home-figure-${key}] .home__figure-value`)
  const action = (page, to) => page.locator(`[data-test="home-action-${to}"]`)
  const noCode = async (page, who) => assert.ok(!(await page.locator('body').innerText()).includes('binjiang'), `${who} sees the project's code`)

  // The receptionist's tablet: today's visits, who waits, who queues, and the desk first.
  await login(desk, 'receptionist', undefined, DEMO)
  await figure(desk, 'visits').getByText(new RegExp(`^${board.totals.visits}$`)).waitFor()
  await figure(desk, 'waiting').getByText(/^\d+$/).waitFor()
  await figure(desk, 'queued').getByText(/^\d+$/).waitFor()
  assert.match(await action(desk, '/registration/front-desk').getAttribute('class'), /el-button--primary/)
  await desk.locator('[data-test=home-today]').getByText('安畅·滨江壹号').waitFor()
  await noCode(desk, 'the receptionist')
  await desk.locator('[data-test=project-switcher]').click()
  await desk.locator('.el-select-dropdown__item', { hasText: '安畅·滨江壹号' }).waitFor()
  await noCode(desk, 'the project switcher')
  await keepScreenshot(desk, `home-receptionist-${sizeName(TABLET)}`)
  await desk.keyboard.press('Escape')
  await action(desk, '/registration/front-desk').click()
  await desk.waitForURL(/\/registration\/front-desk$/)

  // A consultant's phone: who waits for them, whom they received, their customers; their visitors first.
  const phone = await another(PHONE)
  await login(phone, 'consultant1', undefined, DEMO)
  for (const key of ['myWaiting', 'myToday', 'myCustomers']) await figure(phone, key).getByText(/^\d+\+?$/).waitFor()
  assert.match(await action(phone, '/registration/mine').getAttribute('class'), /el-button--primary/)
  await noCode(phone, 'a consultant')
  await keepScreenshot(phone, `home-consultant-${sizeName(PHONE)}`)

  // The manager's desktop: the floor's numbers, the open alerts, the register first.
  const manager = await another(DESKTOP)
  await login(manager, 'manager', undefined, DEMO)
  for (const key of ['visits', 'queued', 'received', 'alerts']) await figure(manager, key).getByText(/^\d+$/).waitFor()
  await figure(manager, 'averageWait').getByText(/\d+(秒|分)/).waitFor()
  assert.match(await action(manager, '/registration/register').getAttribute('class'), /el-button--primary/)
  await keepScreenshot(manager, `home-manager-${sizeName(DESKTOP)}`)

  // The risk officer: visits, returning customers and voids, and the audit log first.
  const risk = await another(DESKTOP)
  await login(risk, 'risk', undefined, DEMO)
  for (const key of ['visits', 'returning', 'voided']) await figure(risk, key).getByText(/^\d+$/).waitFor()
  assert.match(await action(risk, '/audit').getAttribute('class'), /el-button--primary/)
  await keepScreenshot(risk, `home-risk-${sizeName(DESKTOP)}`)
}, { viewport: TABLET })

scenario('the audit log, roles and scripts read in words people know, with codes and JSON behind a switch', async (page) => {
  const manager = await tokenFor('manager', DEMO)
  const visit = await register('诸葛先生')
  const voided = await api('POST', path(`/visits/${visit.id}/void`), { token: manager, base: DEMO, body: { reason: '测试：重复登记' } })
  assert.equal(voided.status, 200, JSON.stringify(voided.body))
  // Written with the manager's login as its actor.
  const exported = await api('POST', path('/customers/export'), { token: manager, base: DEMO })
  assert.ok([200, 201].includes(exported.status), JSON.stringify(exported.body))

  await login(page, 'manager', undefined, DEMO)
  await page.goto(`${DEMO}/audit`)
  const table = page.locator('[data-test=audit-table]')
  const voidRow = table.locator('tr', { hasText: `来访登记 第 ${visit.number} 号` })
  await voidRow.getByText('作废来访登记').waitFor()
  await voidRow.getByText('原因：测试：重复登记').waitFor()
  const exportRow = table.locator('tr', { hasText: '导出客户' }).first()
  await exportRow.getByText('王丽（案场经理）').waitFor()
  const shown = await table.innerText()
  for (const raw of ['visit.void', 'customers.export', `visit:${visit.id}`, '{"']) assert.ok(!shown.includes(raw), `the audit log shows ${raw}`)
  assert.ok(!/\bmanager\b/.test(shown), 'the audit log shows a login')
  await keepScreenshot(page, `audit-${sizeName(DESKTOP)}`)
  await page.locator('[data-test=audit-raw]').click()
  await voidRow.getByText('visit.void').waitFor()
  await voidRow.getByText(`"reason":"测试：重复登记"`, { exact: false }).waitFor()
  await keepScreenshot(page, `audit-raw-${sizeName(DESKTOP)}`)

  // Rule scripts: hooks by what they decide and their module's name.
  await page.goto(`${DEMO}/project/scripts`)
  const title = page.locator('[data-test=hook-title]')
  await title.waitFor()
  assert.doesNotMatch(await title.innerText(), /^[a-z_.]+$/, 'the hook is titled by its key')
  assert.ok(!(await page.locator('[data-test=hook-list]').innerText()).match(/\bregistration\b/), 'hooks show their module’s id')

  // Roles: permissions as the manifests describe them; the keys behind the switch.
  await login(page, 'admin', undefined, DEMO)
  await page.goto(`${DEMO}/admin/roles`)
  const matrix = page.locator('[data-test=roles-matrix]')
  await matrix.getByText('查看全部客户，而不只是自己名下的').first().waitFor()
  assert.ok(!(await matrix.innerText()).includes('core.customers.read'), 'the roles page shows permission keys')
  await page.locator('[data-test=roles-raw]').click()
  await matrix.getByText('core.customers.read_all').waitFor()
}, { viewport: DESKTOP })
