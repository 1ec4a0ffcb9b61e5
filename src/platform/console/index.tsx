/** The web console's entry (built by scripts/build.mjs into dist/console, served by the platform). */
import { createRoot } from 'react-dom/client';
import { App } from './App';

createRoot(document.getElementById('root')!).render(<App />);
