// An ECharts chart in a <div>, for pages that draw one: created when the component mounts, sized
// with its box, drawn again whenever what `option()` reads changes, disposed with the component.
// Kept apart from @anchang/ui's index (imported as '@anchang/ui/chart') so ECharts stays in the
// chunks of the pages that use it.
import { init, use } from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'
import { onBeforeUnmount, onMounted, ref, watch } from 'vue'

/**
 * In a component's setup: `element` is the ref of the chart's <div>, `option()` builds the whole
 * option (it may read the element's CSS variables), `parts` are the ECharts charts and components
 * it uses (import { LineChart } from 'echarts/charts'…), registered once.
 */
export function useChart(element, option, parts) {
  use([...parts, CanvasRenderer])
  let chart = null
  let observer = null
  // The option is built only once the element is there (it may read the element's styles); from
  // then on, whenever what it reads changes.
  const mounted = ref(false)
  watch(
    () => mounted.value && option(),
    (value) => value && chart?.setOption(value, { notMerge: true }),
  )
  onMounted(() => {
    chart = init(element.value)
    observer = new ResizeObserver(() => chart?.resize())
    observer.observe(element.value)
    mounted.value = true
  })
  onBeforeUnmount(() => {
    observer?.disconnect()
    chart?.dispose()
    chart = null
  })
}
