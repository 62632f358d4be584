// The plugins' web components this UI was built with: every plugins/<id>/web/**/*.vue, each in a
// chunk of its own loaded when first shown. Plugin pages (router/plugins.js) and the components
// modules put in each other's pages (PluginSlot) are both found here, by plugin id and the path
// the manifest gives relative to web/.
//
// A build for the browser tests (ANCHANG_WEB_FIXTURES=1, see vite.config.js) also bundles the
// test fixtures' components, tests/fixtures/modules/<id>/web/. Elsewhere the constant is false,
// the second glob is dead code, and no fixture reaches dist/.
const globbed = {
  ...import.meta.glob('../../plugins/*/web/**/*.vue'),
  ...(__ANCHANG_WEB_FIXTURES__ ? import.meta.glob('../../tests/fixtures/modules/*/web/**/*.vue') : {}),
}

// '../../plugins/registration/web/parts/X.vue' → 'registration/parts/X.vue'
const loaders = Object.fromEntries(
  Object.entries(globbed).map(([path, load]) => [path.replace(/^(\.\.\/)+(plugins|tests\/fixtures\/modules)\/([^/]+)\/web\//, '$3/'), load]),
)

/** The loader of plugin `plugin`'s component `file` (as its manifest names it), or undefined when this build lacks it. */
export function bundledComponent(plugin, file) {
  return loaders[`${plugin}/${file}`]
}
