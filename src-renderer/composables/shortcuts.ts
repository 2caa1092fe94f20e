import { onBeforeUnmount, onMounted } from 'vue';
import { isTypingTarget, resolveKey } from '../lib/keymap';
import { useCommands } from './commands';

/** Global keyboard shortcuts (ignored while typing in a field, except Escape). */
export function useShortcuts(): void {
  const commands = useCommands();
  function onKey(e: KeyboardEvent): void {
    if (e.defaultPrevented || e.repeat && !['ArrowLeft', 'ArrowRight'].includes(e.key)) return;
    const typing = isTypingTarget(e.target);
    if (typing && e.key !== 'Escape') return;
    const cmd = resolveKey(e);
    if (!cmd) return;
    e.preventDefault();
    if (typing) (e.target as HTMLElement).blur();
    commands.run(cmd);
  }
  onMounted(() => window.addEventListener('keydown', onKey));
  onBeforeUnmount(() => window.removeEventListener('keydown', onKey));
}
