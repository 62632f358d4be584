import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import Components from 'unplugin-vue-components/vite'
import { defineConfig } from 'vite'

const here = (path) => fileURLToPath(new URL(path, import.meta.url))

// `npm run dev` serves the UI with hot reload and sends /api to a running anchangd.
const kernel = process.env.ANCHANG_URL || 'http://127.0.0.1:8080'

// Plugin pages live in ../plugins/<id>/web/ (the test fixtures' components in
// ../tests/fixtures/modules/<id>/web/) and import these packages without a node_modules of their
// own: resolve them from webui/ so there is exactly one Vue, one router, one Element Plus.
const shared = ['vue', 'vue-router', 'pinia', 'vue-i18n', 'element-plus', '@element-plus/icons-vue', 'echarts']

export default defineConfig({
  plugins: [
    vue(),
    // <el-*> tags in the UI's and the plugins' templates are imported on demand; the styles come
    // from element-plus/dist/index.css once, in main.js.
    Components({ resolvers: [ElementPlusResolver({ importStyle: false })], dirs: [], dts: false }),
  ],
  define: {
    // vue-i18n's build flags: the Composition API only, no devtools hooks in production.
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
    // The browser tests' build (tests/e2e/run) bundles the test fixtures' web components too
    // (src/bundled.js); every other build leaves them out.
    __ANCHANG_WEB_FIXTURES__: JSON.stringify(process.env.ANCHANG_WEB_FIXTURES === '1'),
  },
  resolve: {
    alias: [
      { find: '@', replacement: here('./src') },
      // What plugin pages import: the API client, session, project and locale helpers; and, apart
      // so that ECharts stays out of the first page's bundle, the chart helper.
      { find: /^@anchang\/ui$/, replacement: here('./src/lib/index.js') },
      { find: /^@anchang\/ui\/chart$/, replacement: here('./src/lib/chart.js') },
    ],
    dedupe: shared,
  },
  server: {
    port: 5173,
    proxy: { '/api': { target: kernel, changeOrigin: false } },
    fs: { allow: [here('.'), here('../plugins'), here('../tests/fixtures/modules')] },
  },
  build: {
    // Element Plus alone is ~500 kB before gzip; the warning would fire on every build.
    chunkSizeWarningLimit: 800,
  },
})
