// The screen the UI is on: consoles collapse their sidebar into a drawer on phones.
import { computed, ref } from 'vue'

const width = ref(window.innerWidth)
window.addEventListener('resize', () => {
  width.value = window.innerWidth
})

export function useViewport() {
  return {
    width,
    isPhone: computed(() => width.value < 768),
    isTablet: computed(() => width.value >= 768 && width.value < 1200),
  }
}
