/** The application menu: Open (Ctrl+O), export, audit log, settings, language. */
import type { ApiEvent, Language } from '../api/contract';

export interface MenuItemSpec {
  label?: string;
  accelerator?: string;
  role?: 'quit' | 'reload' | 'toggleDevTools' | 'zoomIn' | 'zoomOut' | 'resetZoom' | 'copy' | 'selectAll';
  type?: 'separator' | 'radio';
  checked?: boolean;
  registerAccelerator?: boolean;
  click?: () => void;
  submenu?: MenuItemSpec[];
}

const L = {
  zh: { file: '文件', open: '打开…', export: '导出验证报告…', audit: '审计日志', settings: '设置', quit: '退出', view: '视图', lang: '语言' },
  en: { file: 'File', open: 'Open…', export: 'Export verification report…', audit: 'Audit log', settings: 'Settings', quit: 'Quit', view: 'View', lang: 'Language' },
};

export function menuTemplate(lang: Language, on: { open(): void; send(e: ApiEvent): void; setLanguage(l: Language): void }, dev = false): MenuItemSpec[] {
  const t = L[lang];
  return [
    {
      label: t.file,
      submenu: [
        // The page handles Ctrl+O itself (so it also works in the e2e browser); the menu only shows it.
        { label: t.open, accelerator: 'CmdOrCtrl+O', registerAccelerator: false, click: on.open },
        { label: t.export, accelerator: 'CmdOrCtrl+E', click: () => on.send({ kind: 'menu', command: 'exportReport' }) },
        { type: 'separator' },
        { label: t.audit, click: () => on.send({ kind: 'menu', command: 'audit' }) },
        { label: t.settings, accelerator: 'CmdOrCtrl+,', click: () => on.send({ kind: 'menu', command: 'settings' }) },
        { type: 'separator' },
        { label: t.quit, role: 'quit' },
      ],
    },
    {
      label: t.view,
      submenu: [
        { role: 'copy' },
        { role: 'selectAll' },
        ...(dev ? [{ role: 'reload' as const }, { role: 'toggleDevTools' as const }] : []),
      ],
    },
    {
      label: t.lang,
      submenu: [
        { label: '中文', type: 'radio', checked: lang === 'zh', click: () => on.setLanguage('zh') },
        { label: 'English', type: 'radio', checked: lang === 'en', click: () => on.setLanguage('en') },
      ],
    },
  ];
}
