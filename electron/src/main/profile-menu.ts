/**
 * The application menu with File > Open demo profile… (and back to no profile): the choice is
 * loaded on the renderer's next `profile:get`, so the window reloads with it.
 */
import { dialog, Menu, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';

export function installProfileMenu(getWindow: () => BrowserWindow | null, setProfile: (file: string | null) => void): void {
  const open = async (): Promise<void> => {
    const win = getWindow();
    const opts = {
      title: 'Open demo profile',
      properties: ['openFile' as const],
      filters: [{ name: 'nwave demo profile', extensions: ['json'] }],
    };
    const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
    if (r.canceled || !r.filePaths[0]) return;
    setProfile(r.filePaths[0]);
    win?.webContents.reload();
  };
  const template: MenuItemConstructorOptions[] = [
    {
      label: 'File',
      submenu: [
        { label: 'Open demo profile…', accelerator: 'CmdOrCtrl+Shift+O', click: () => void open() },
        {
          label: 'Close demo profile',
          click: () => {
            setProfile(null);
            getWindow()?.webContents.reload();
          },
        },
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
