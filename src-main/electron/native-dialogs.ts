import { dialog, type BrowserWindow, type OpenDialogOptions, type SaveDialogOptions } from 'electron';
import type { HostContext } from '../service/types';

type DialogHooks = Required<Pick<HostContext, 'chooseFolder' | 'chooseSaveFile'>>;

/** The system's folder and save dialogs, modal to the studio window while it is open; null when cancelled. */
export function nativeDialogs(currentWindow: () => BrowserWindow | null): DialogHooks {
  const parent = (): BrowserWindow | null => {
    const win = currentWindow();
    return win && !win.isDestroyed() ? win : null;
  };
  return {
    async chooseFolder({ title, defaultPath }) {
      const options: OpenDialogOptions = { title, defaultPath, properties: ['openDirectory', 'createDirectory'] };
      const win = parent();
      const answer = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return answer.canceled ? null : (answer.filePaths[0] ?? null);
    },
    async chooseSaveFile({ title, defaultPath, filters }) {
      const options: SaveDialogOptions = { title, defaultPath, filters, properties: ['createDirectory'] };
      const win = parent();
      const answer = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
      return answer.canceled || !answer.filePath ? null : answer.filePath;
    },
  };
}
