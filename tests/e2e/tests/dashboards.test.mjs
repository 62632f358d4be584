// The follow-up dashboards in the browser, against the demo kernel (core, registration, followup):
// the desk's new visitor goes to the one consultant on duty, who follows them up by phone with
// grade A; on their phone, 我的看板 counts the follow-up this week and the A customer, and its
// tiles open the rows behind them; on the console, the manager's 经营看板 shows the month's
// funnel and source quality with the visitor in them, the forecast with its method stated and the
// A customer behind it (a link to the 360), and exports the figures as CSV. Screenshots at the
// sizes the people use land in tests/e2e/artifacts/.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { before } from 'node:test'
import { DEMO, api, keepScreenshot, login, scenario, tokenFor } from '../lib/harness.mjs'
import { demoRoster, openDesk, path, phones, typePhone } from '../lib/desk.mjs'

const TABLET = { width: 1024, height: 768 }
const PHONE = { width: 390, height: 844 }
const DESKTOP = { width: 1366, height: 768 }
const WIDE = { width: 1920, height: 1080 }
// 周婷, off duty in the demo: the visitor is hers alone, and no other file follows up as her first.
const CONSULTANT = { name: '周婷', login: 'consultant6' }
const demo = demoRoster()
const freshPhone = phones('159')

before(async () => {
  const modules = (await api('GET', '/api/v1/modules', { token: await tokenFor('admin', DEMO), base: DEMO })).body
  const followup = (modules.modules ?? modules).find((m) => m.id === 'followup')
  assert.equal(followup?.state, 'running', 'the demo kernel runs the follow-up module')
})

/** Waits for `check()` to hold: what a bus subscriber does lands a moment after the answer. */
async function eventually(check, what, timeout = 10_000) {
  const deadline = Date.now() + timeout
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeout} ms: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

/** The page's answer from `route` while `act()` runs: what the page shows is checked against it. */
async function answerTo(page, route, act) {
  const [response] = await Promise.all([page.waitForResponse((r) => r.url().includes(route) && r.request().method() === 'GET'), act()])
  return response.json()
}

scenario(
  'a follow-up with grade A shows on the consultant’s dashboard; the manager’s dashboard has the visitor in its funnel and sources, the forecast with its method and A customers, and a CSV',
  async (desk, another) => {
    const ownerToken = await tokenFor(CONSULTANT.login, DEMO)
    const mineNow = async () => (await api('GET', path('/followup/dashboard/mine'), { token: ownerToken, base: DEMO })).body
    const start = await mineNow()
    await demo.seeEveryoneOff()
    await demo.onDutyOnly(CONSULTANT.name)

    // The desk registers a new visitor; the one consultant on duty receives them.
    const phone = freshPhone()
    await openDesk(desk)
    await typePhone(desk, phone)
    await desk.locator('[data-test=lookup-new]').waitFor()
    await desk.locator('[data-test=desk-name]').fill('上官女士')
    await desk.locator('[data-test^=layout-]').first().click()
    await desk.locator('[data-test=desk-submit]').click()
    await desk.locator('[data-test=outcome-receiver]', { hasText: CONSULTANT.name }).waitFor()
    const customer = (await api('GET', path(`/customers?phone=${phone}`), { token: demo.manager, base: DEMO })).body.customers[0]
    assert.equal(customer.owner_id, demo.consultants[CONSULTANT.name])

    // The consultant calls back and grades the customer A.
    const record = await api('POST', path(`/followup/customers/${customer.id}/records`), {
      token: ownerToken,
      base: DEMO,
      body: { method: 'phone', content: '电话回访：客户周六带家人复访四室样板间', grade: 'A' },
    })
    assert.equal(record.status, 201, JSON.stringify(record.body))
    const mine = await mineNow()
    assert.equal(mine.week.followups, start.week.followups + 1, 'the follow-up counts this week')
    assert.equal(mine.month.followups, start.month.followups + 1, 'and this month')
    assert.equal(mine.funnel.grades.A ?? 0, (start.funnel.grades.A ?? 0) + 1, 'one more A customer')

    // 我的看板 on the consultant's phone.
    const mobile = await another(PHONE)
    await login(mobile, CONSULTANT.login, undefined, DEMO)
    const shown = await answerTo(mobile, '/followup/dashboard/mine', () => mobile.goto(`${DEMO}/followup/me`))
    const figure = async (name) => (await mobile.locator(`[data-test=mine-${name}]`).textContent()).trim()
    const tile = async (name) => (await mobile.locator(`[data-test=mine-${name}] .me__big`).textContent()).trim()
    await mobile.locator('[data-test=mine-week-followups]', { hasText: String(mine.week.followups) }).waitFor()
    assert.equal(await figure('month-followups'), String(mine.month.followups))
    assert.equal(await figure('week-visits'), String(shown.week.visits))
    assert.equal(await figure('month-deals'), String(shown.month.deals))
    assert.equal(await mobile.locator('[data-test=mine-grade-A]').getAttribute('data-count'), String(mine.funnel.grades.A))
    assert.equal(await tile('protected'), String(shown.protected))
    assert.equal(await tile('overdue'), String(shown.tasks.overdue))
    assert.equal(await tile('dueToday'), String(shown.tasks.due_today))
    await mobile.locator('[data-test=mine-funnel] canvas').waitFor()
    await mobile.waitForTimeout(400) // the tags' zoom-in
    await keepScreenshot(mobile, 'dashboards - my dashboard, phone 390x844')
    // The tasks' figures open the list of tasks.
    await mobile.locator('[data-test=mine-overdue]').click()
    await mobile.waitForURL((url) => url.pathname === '/followup/tasks')

    // 经营看板 on the manager's console: this month, with the visitor in it.
    const manager = await another(DESKTOP)
    await login(manager, 'manager', undefined, DEMO)
    const site = await answerTo(manager, '/followup/dashboard/site', () => manager.goto(`${DEMO}/followup/site`))
    assert.ok(site.funnel.leads >= 1 && site.funnel.visited >= 1, `the visitor is among the month's customers: ${JSON.stringify(site.funnel)}`)
    const value = async (name) => (await manager.locator(`[data-test=site-${name}] .site__value`).textContent()).trim()
    await manager.locator('[data-test=site-leads]', { hasText: String(site.funnel.leads) }).waitFor()
    assert.equal(await value('leads'), String(site.funnel.leads))
    assert.equal(await value('visited'), String(site.funnel.visited))
    assert.equal(await value('deals'), String(site.funnel.deals))
    assert.equal((await manager.locator('[data-test=site-grade-A]').textContent()).trim(), `A${site.grades.A}`)
    await manager.locator('[data-test=site-funnel] canvas').waitFor()
    await manager.locator('[data-test=site-sources-chart] canvas').waitFor()
    const source = site.sources.find((s) => s.source === customer.source)
    assert.ok(source, `the visitor's source ${customer.source} is listed`)
    await manager.locator(`[data-test=site-sources] [data-test=source-${customer.source}]`, { hasText: source.name['zh-CN'] }).waitFor()

    // The forecast: one decimal, the method as the server states it, the A customer behind it.
    assert.equal((await manager.locator('[data-test=site-forecast-expected]').textContent()).trim(), site.forecast.expected_deals.toFixed(1))
    await manager.locator('[data-test=site-method]', { hasText: site.forecast.method['zh-CN'] }).waitFor()
    assert.match(site.forecast.method['zh-CN'], /14 天内认购的比例/)
    await manager.locator('[data-test=site-by-grade]').getByText('A 高意向').waitFor()
    const likely = manager.locator(`[data-test=likely-${customer.id}]`)
    await likely.getByText('上官女士').waitFor()
    assert.equal((await manager.locator(`[data-test=likely-owner-${customer.id}]`).textContent()).trim(), CONSULTANT.name)
    await manager.waitForTimeout(400) // the tags' zoom-in
    await keepScreenshot(manager, 'dashboards - the site dashboard, 1366x768')
    await manager.locator('[data-test=site-expected]').click() // the forecast's figure scrolls to its rows
    await manager.waitForTimeout(700)
    await keepScreenshot(manager, 'dashboards - the site dashboard, its forecast, 1366x768')

    // With the pool running, the followup_pool bridge adds the pool's figures for the same period.
    const pool = await api('GET', path(`/pool/analysis?from=${site.from}&to=${site.to}`), { token: demo.manager, base: DEMO })
    const poolCard = manager.locator('[data-test=site-pool]')
    await poolCard.scrollIntoViewIfNeeded()
    assert.equal((await manager.locator('[data-test=site-pool-activation]').textContent()).trim(), `${(pool.body.activation_rate * 100).toFixed(1)}%`)
    await manager.waitForTimeout(300)
    await keepScreenshot(manager, 'dashboards - the site dashboard, the pool, 1366x768')

    // The Excel workbook, written by the server: a real .xlsx (a zip) named for the period.
    const [workbook] = await Promise.all([manager.waitForEvent('download'), manager.locator('[data-test=site-export] .el-button-group > .el-button').first().click()])
    assert.match(workbook.suggestedFilename(), /^经营看板-\d{4}-\d{2}-\d{2}~\d{4}-\d{2}-\d{2}\.xlsx$/)
    assert.equal(readFileSync(await workbook.path()).subarray(0, 2).toString(), 'PK')
    // The CSV, for Excel: the sources with their total, then the forecast per grade.
    await manager.locator('[data-test=site-export] .el-dropdown__caret-button').click()
    const [download] = await Promise.all([manager.waitForEvent('download'), manager.locator('[data-test=site-export-csv]').click()])
    assert.match(download.suggestedFilename(), /^经营看板-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/)
    const csv = readFileSync(await download.path(), 'utf8')
    assert.match(csv, /^\uFEFF来源,新增客户,到访,成交\r\n/)
    assert.ok(csv.includes(`${source.name['zh-CN']},${source.customers},${source.visited},${source.deals}\r\n`), csv)
    assert.ok(csv.includes(`合计,${site.funnel.leads},${site.funnel.visited},${site.funnel.deals}\r\n`), csv)
    assert.match(csv, /等级,当前客户,14天成交率,预计成交\r\nA,\d+,[\d.]+%,[\d.]+\r\n/)

    // Another period: the last 30 days, in the office's calendar, shown as the server counts them.
    await manager.locator('[data-test=site-preset]').getByText('近 30 天').click()
    const [first, from, to] = await manager.evaluate(() => {
      const now = new Date()
      const start = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 29)
      const day = `${start.getFullYear()}-${String(start.getMonth() + 1).padStart(2, '0')}-${String(start.getDate()).padStart(2, '0')}`
      return [day, start.getTime(), new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1).getTime()]
    })
    await eventually(async () => (await manager.locator('[data-test=site-range] input').first().inputValue()) === first, 'the range starts 29 days ago')
    const last30 = (await api('GET', path(`/followup/dashboard/site?from=${from}&to=${to}`), { token: demo.manager, base: DEMO })).body
    await manager.locator('[data-test=site-leads] .site__value', { hasText: new RegExp(`^${last30.funnel.leads}$`) }).waitFor()

    // A figure opens the rows behind it: the period's visited customers of the visitor's source,
    // as many as the figure says, under a tag that clears the filter.
    await manager.locator(`[data-test=source-visited-${customer.source}]`).first().click()
    await manager.waitForURL((url) => url.pathname === '/core/customers' && url.searchParams.get('stage') === 'visited')
    await manager.locator('[data-test=customers-figure]').waitFor()
    const behind = await api('GET', path(`/customers?from=${from}&to=${to}&source=${customer.source}&stage=visited&limit=200`), { token: demo.manager, base: DEMO })
    const figureRow = last30.sources.find((s) => s.source === customer.source)
    assert.equal(behind.body.customers.length, figureRow.visited, 'the rows add up to the figure')
    await manager.waitForTimeout(400) // the tags' zoom-in
    await keepScreenshot(manager, 'dashboards - the rows behind a figure, 1366x768')
    await manager.goBack()

    // An A customer opens their 360.
    await likely.click()
    await manager.waitForURL((url) => url.pathname === '/followup/customer' && url.searchParams.get('id') === String(customer.id))
    await manager.locator('[data-test=c360-name]', { hasText: '上官女士' }).waitFor()

    // A wide screen, and the console in English.
    const wide = await another(WIDE)
    await login(wide, 'manager', undefined, DEMO)
    await wide.goto(`${DEMO}/followup/site`)
    await wide.locator(`[data-test=likely-${customer.id}]`).getByText('上官女士').waitFor()
    await wide.locator('[data-test=site-sources-chart] canvas').waitFor()
    await wide.waitForTimeout(400)
    await keepScreenshot(wide, 'dashboards - the site dashboard, 1920x1080')
    await wide.setViewportSize(DESKTOP)
    await wide.evaluate(() => localStorage.setItem('anchang.lang', 'en'))
    await wide.reload()
    await wide.locator('[data-test=site-method]', { hasText: site.forecast.method.en }).waitFor()
    await wide.waitForTimeout(400)
    await keepScreenshot(wide, 'dashboards - the site dashboard in English, 1366x768')
    await mobile.evaluate(() => localStorage.setItem('anchang.lang', 'en'))
    await mobile.goto(`${DEMO}/followup/me`)
    await mobile.locator('[data-test=mine-week-followups]', { hasText: String(mine.week.followups) }).waitFor()
    await mobile.locator('[data-test=mine-funnel] canvas').waitFor()
    await mobile.waitForTimeout(400)
    await keepScreenshot(mobile, 'dashboards - my dashboard in English, phone 390x844')
  },
  { viewport: TABLET, timeout: 180_000 },
)
