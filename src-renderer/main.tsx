import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { appStore } from './stores/app-store';
import { installAppListeners } from './stores/install-app-listeners';
import './styles.css';

// Pushes enter the store once, here, before React renders: components only read the store.
installAppListeners(window.lanrage, appStore);

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
