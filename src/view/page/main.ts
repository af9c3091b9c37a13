/// <reference lib="dom" />
/**
 * The `ptyscan view` page: a scan dashboard and h5web's HDF5 browser over
 * the server's h5grove API, for the file given on the command line or any
 * HDF5 file of the served folder.
 */
import '@h5web/app/styles.css';
import './page.css';
import { App, createBasicFetcher, H5GroveProvider } from '@h5web/app';
import { createElement as h, StrictMode, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { AUTH, api, type Session } from './api.js';
import { Dashboard } from './dashboard.js';

type Tab = 'dashboard' | 'browser';

/** Exports go through fetch, so they carry the token like every other request. */
function exportUrl(file: string) {
  return (
    format: string,
    dataset: { path: string },
    selection?: string,
    builtIn?: () => string,
  ) => {
    if (builtIn) return undefined;
    const params = new URLSearchParams({
      file,
      path: dataset.path,
      format,
      ...(selection ? { selection } : {}),
    });
    return async () => {
      if (format !== 'npy') throw new Error(`ptyscan view exports npy, not ${format}`);
      const response = await fetch(`${location.origin}/h5grove/data?${params}`, { headers: AUTH });
      if (!response.ok) throw new Error(`export failed: ${response.status}`);
      return response.blob();
    };
  };
}

function Browser(props: { file: string }) {
  const fetcher = useMemo(() => createBasicFetcher({ headers: AUTH }), []);
  const getExportURL = useMemo(() => exportUrl(props.file), [props.file]);
  return h(
    'div',
    { className: 'browser', 'data-testid': 'h5web' },
    h(
      H5GroveProvider,
      {
        url: `${location.origin}/h5grove`,
        filepath: props.file,
        fetcher,
        getExportURL,
        resetKeys: [props.file],
      },
      h(App, { disableDarkMode: true }),
    ),
  );
}

function Page() {
  const [session, setSession] = useState<Session | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [file, setFile] = useState<string | null>(null);
  const [tab, setTab] = useState<Tab>('dashboard');
  useEffect(() => {
    api.session().then(
      (s) => {
        setSession(s);
        setFile(s.file ?? s.files[0] ?? null);
      },
      (e: Error) => setError(e.message),
    );
  }, []);
  if (error) return h('p', { className: 'message' }, error);
  if (!session) return h('p', null, 'Connecting...');
  const tabButton = (id: Tab, label: string) =>
    h(
      'button',
      {
        type: 'button',
        className: tab === id ? 'tab active' : 'tab',
        'data-testid': `tab-${id}`,
        onClick: () => setTab(id),
      },
      label,
    );
  const picker =
    session.file === null
      ? h(
          'select',
          {
            value: file ?? '',
            'data-testid': 'file-picker',
            onChange: (e: { target: { value: string } }) => setFile(e.target.value),
          },
          session.files.map((f) => h('option', { key: f, value: f }, f)),
        )
      : h('strong', null, session.file);
  return h(
    'div',
    { className: 'page' },
    h(
      'header',
      null,
      h('span', { className: 'brand' }, 'ptyscan view'),
      ' ',
      picker,
      ' ',
      tabButton('dashboard', 'Scan'),
      tabButton('browser', 'HDF5'),
    ),
    file === null
      ? h('p', null, `No HDF5 file in ${session.folder}.`)
      : tab === 'dashboard'
        ? h(Dashboard, { file, key: file })
        : h(Browser, { file, key: file }),
  );
}

const root = document.getElementById('root');
if (root) createRoot(root).render(h(StrictMode, null, h(Page)));
